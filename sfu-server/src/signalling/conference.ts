// Live rooms: each meeting in progress pairs the domain's LiveMeeting with its
// room media, and fans room events out to the sockets of its peers. The chair's
// state reaches storage by one route: `repo` (ChairRepositoryPort).
import { randomUUID } from 'node:crypto';
import type { Logger } from '@lienthong/kit';
import { authorityFromSchedule } from '../domain/floor/authority';
import type { ChairRepositoryPort } from '../domain/floor/chair-repository-port';
import { LiveMeeting, type ParticipantIdentity } from '../domain/live/live-meeting';
import type { QualityRecorder, SiteEventKind } from '../domain/live/quality-log';
import type { AuditEntry, ControlState, RoomState, ServerEventName, ServerEventOf } from '../protocol';
import { armFloorTimer, enforceAudio } from './floor-enforcement';
import type { LiveRoom } from './live-room';
import type { LiveMeetingInfo, RoomMedia, RoomPush } from './ports';
import { tellQuality } from './quality-push';
import { controlState, roomState } from './room-snapshots';

/** A site whose quality reads good is read again after this long (others at every refresh). */
const QUALITY_GOOD_MS = 5_500;
/** A reading of the link toward a site younger than this stands in for a new one (adaptation reads steady links every 3 s). */
const RECV_READING_FRESH_MS = 4_000;

export type { LiveRoom } from './live-room';

export interface ConferenceOptions {
  push: RoomPush;
  /** Media for a new room (a MediaRoom in production). */
  createMedia(key: string): RoomMedia;
  logger: Logger;
  /** How long a disconnected participant keeps its place (and media). */
  graceMs: number;
  /** The chair's settings (restored when a meeting's room is created again), audit log, roll calls. */
  repo: ChairRepositoryPort;
  /** Keeps each site's quality and drop-outs for the report (none: not kept). */
  quality?: QualityRecorder | undefined;
  now?: () => number;
}

/** Who did a chair action, for the audit log; null stands for the system. */
export interface Actor {
  userId: string;
  name: string;
  siteId: string;
}

export class Conference {
  readonly rooms = new Map<string, LiveRoom>();
  readonly repo: ChairRepositoryPort;
  readonly now: () => number;
  private caps: object | undefined;
  /** Called when a meeting's end time comes (set by the server: everyone leaves). */
  onMeetingEnd: (room: LiveRoom) => void = () => undefined;

  constructor(private readonly opts: ConferenceOptions) {
    this.repo = opts.repo;
    this.now = opts.now ?? Date.now;
  }

  /** How long a disconnected participant keeps its place. */
  get graceMs(): number {
    return this.opts.graceMs;
  }

  static meetingKey(meetingId: string): string {
    return `meeting:${meetingId}`;
  }

  /** Every router has the same capabilities (same codec list): compute them once. */
  async routerCapabilities(): Promise<object> {
    if (!this.caps) {
      const probe = this.opts.createMedia('caps-probe');
      try {
        this.caps = await probe.rtpCapabilities();
      } finally {
        probe.close();
      }
    }
    return this.caps;
  }

  newPeerId(): string {
    return randomUUID();
  }

  getOrCreate(key: string, meeting: LiveMeetingInfo | null): LiveRoom {
    let room = this.rooms.get(key);
    if (room) return room;
    room = {
      key,
      live: meeting ? this.newLiveMeeting(meeting) : null,
      media: this.opts.createMedia(key),
      sockets: new Map(),
      graceTimers: new Map(),
      selfPaused: new Set(),
      floorTimer: null,
    };
    this.rooms.set(key, room);
    this.wire(room);
    if (room.live) this.afterRestore(room, room.live);
    if (meeting) this.armEnd(room, Date.parse(meeting.endsAt));
    return room;
  }

  private newLiveMeeting(meeting: LiveMeetingInfo): LiveMeeting {
    const live = new LiveMeeting(meeting.id, meeting.title, meeting.chairSiteId, authorityFromSchedule(meeting.chair, meeting.operators));
    const saved = this.repo.loadControl(meeting.id);
    if (saved) live.floor.restore(saved);
    // A schedule changed while the room was closed wins over the saved chair and operators.
    live.floor.applySchedule(meeting.chair, meeting.operators);
    return live;
  }

  /** (Re)arms the timer that ends the meeting at `endsAtMs`. */
  armEnd(room: LiveRoom, endsAtMs: number): void {
    if (room.endTimer) clearTimeout(room.endTimer);
    const delay = Math.min(Math.max(0, endsAtMs - this.now()), 2 ** 31 - 1);
    room.endTimer = setTimeout(() => {
      room.endTimer = null;
      if (this.rooms.get(room.key) === room) this.onMeetingEnd(room);
    }, delay);
    room.endTimer.unref?.();
  }

  /**
   * A restored queue or floor names sites that are not back yet: they get the same grace as a
   * dropped connection, then leave the queue and the floor. The speaking limit runs on.
   */
  private afterRestore(room: LiveRoom, live: LiveMeeting): void {
    this.armFloorTimer(room);
    if (live.floor.sitesWaitedFor().length === 0) return;
    const t = setTimeout(() => {
      if (this.rooms.get(room.key) !== room) return;
      const gone = live.floor.sitesWaitedFor().filter((site) => !live.hasSite(site));
      if (gone.length === 0) return;
      for (const site of gone) live.floor.siteLeft(site);
      void this.controlChanged(room);
    }, this.opts.graceMs);
    t.unref?.();
  }

  /** Writes the meeting's control state; a failed write is logged, the meeting goes on. */
  persistControl(room: LiveRoom): void {
    const live = room.live;
    if (!live) return;
    try {
      this.repo.saveControl(live.meetingId, live.floor.settings(live.list().map((p) => p.siteId)), this.now());
    } catch (e) {
      this.opts.logger.error({ err: e, meetingId: live.meetingId }, 'saving meeting control failed');
    }
  }

  join(
    room: LiveRoom,
    identity: Omit<ParticipantIdentity, 'peerId'>,
    resumePeerId: string | undefined,
  ): { peerId: string; resumedParticipant: boolean } {
    const live = room.live;
    const resuming = !!live && !!resumePeerId && live.canResume(resumePeerId, identity.userId);
    // A removed site stays out; a locked meeting takes no new sites (throws coded errors).
    live?.floor.checkJoin(identity.siteId, resuming || live.hasSite(identity.siteId));
    if (live && resumePeerId && resuming) {
      live.reconnect(resumePeerId);
      this.siteEvent(room, resumePeerId, 'reconnected');
      this.clearGrace(room, resumePeerId);
      return { peerId: resumePeerId, resumedParticipant: true };
    }
    const peerId = this.newPeerId();
    live?.join({ ...identity, peerId }, this.now());
    this.siteEvent(room, peerId, 'joined');
    return { peerId, resumedParticipant: false };
  }

  private sampleQuality(live: LiveMeeting, peerId: string): void {
    if (!this.opts.quality || !live.has(peerId)) return;
    const p = live.get(peerId);
    try {
      this.opts.quality.sample(live.meetingId, p, p.quality, this.now());
    } catch (e) {
      this.opts.logger.error({ err: e, meetingId: live.meetingId }, 'quality log: sample not kept');
    }
  }

  /** For the quality report; the log failing never stops the meeting. */
  private siteEvent(room: LiveRoom, peerId: string, kind: SiteEventKind): void {
    const live = room.live;
    if (!live?.has(peerId) || !this.opts.quality) return;
    try {
      this.opts.quality.event(live.meetingId, { siteId: live.get(peerId).siteId, peerId }, kind, this.now());
    } catch (e) {
      this.opts.logger.error({ err: e, meetingId: live.meetingId }, 'quality log: event not kept');
    }
  }

  bindSocket(room: LiveRoom, peerId: string, socketId: string): void {
    const previous = room.sockets.get(peerId);
    if (previous && previous !== socketId) this.opts.push.leave(previous, room.key);
    room.sockets.set(peerId, socketId);
    this.opts.push.join(socketId, room.key);
  }

  /** Socket gone: keep the place for the grace period, then remove the peer. */
  socketLost(room: LiveRoom, peerId: string, socketId: string): void {
    if (room.sockets.get(peerId) !== socketId) return; // already rebound to a newer socket
    room.sockets.delete(peerId);
    if (!room.live) {
      this.removePeer(room, peerId);
      return;
    }
    room.live.disconnect(peerId, this.now());
    this.siteEvent(room, peerId, 'disconnected');
    this.broadcastState(room);
    this.clearGrace(room, peerId);
    room.graceTimers.set(
      peerId,
      setTimeout(() => {
        room.graceTimers.delete(peerId);
        if (!room.sockets.has(peerId)) this.removePeer(room, peerId);
      }, this.opts.graceMs),
    );
  }

  removePeer(room: LiveRoom, peerId: string): void {
    this.clearGrace(room, peerId);
    const socketId = room.sockets.get(peerId);
    if (socketId) this.opts.push.leave(socketId, room.key);
    room.sockets.delete(peerId);
    room.qualityReadAt?.delete(peerId);
    room.media.removePeer(peerId);
    const siteId = room.live?.has(peerId) ? room.live.get(peerId).siteId : null;
    this.siteEvent(room, peerId, 'left');
    room.live?.leave(peerId);
    if (room.live && siteId && !room.live.hasSite(siteId)) {
      const waited = room.live.floor.sitesWaitedFor().includes(siteId);
      room.live.floor.siteLeft(siteId);
      if (waited) this.persistControl(room);
    }
    if (room.media.peerCount === 0 && (room.live?.size ?? 0) === 0) {
      if (room.floorTimer) clearTimeout(room.floorTimer);
      if (room.endTimer) clearTimeout(room.endTimer);
      room.media.close();
      this.rooms.delete(room.key);
      return;
    }
    this.broadcastState(room);
  }

  state(room: LiveRoom): RoomState | null {
    return room.live ? roomState(room.live) : null;
  }

  control(room: LiveRoom): ControlState | null {
    return room.live ? controlState(room.live, room.media, this.now()) : null;
  }

  broadcastState(room: LiveRoom): void {
    const state = this.state(room);
    if (state) this.toRoom(room, 'room:state', state);
    this.broadcastControl(room);
  }

  /** The chair console's view of each site's microphone and camera follows its producers at once. */
  broadcastControl(room: LiveRoom): void {
    const control = this.control(room);
    if (control) this.toRoom(room, 'room:control', control);
  }

  /** Writes one chair action to the audit log (a failed write is logged) and shows it to the room. */
  audit(room: LiveRoom, actor: Actor | null, action: string, target: string | null, detail: string | null): void {
    const live = room.live;
    if (!live) return;
    const entry: AuditEntry = {
      at: this.now(),
      meetingId: live.meetingId,
      actorUserId: actor?.userId ?? 'system',
      actorName: actor?.name ?? 'Hệ thống',
      actorSiteId: actor?.siteId ?? live.chairSiteId,
      action,
      targetSiteId: target,
      detail,
    };
    try {
      this.repo.insertAudit(entry);
    } catch (e) {
      this.opts.logger.error({ err: e, action }, 'audit write failed');
    }
    this.toRoom(room, 'room:audit', entry);
  }

  /** After any floor/mode/mute change: store it, enforce it, re-arm the speaking-limit timer, tell everyone. */
  async controlChanged(room: LiveRoom): Promise<void> {
    this.persistControl(room);
    await enforceAudio(room);
    this.armFloorTimer(room);
    this.broadcastState(room);
  }

  private armFloorTimer(room: LiveRoom): void {
    armFloorTimer(room, this.now, (holder) => {
      this.audit(room, null, 'floor.expired', holder, null);
      void this.controlChanged(room);
    });
  }

  toRoom<E extends ServerEventName>(room: LiveRoom, event: E, data: ServerEventOf<E>, exceptPeer?: string): void {
    const except = exceptPeer ? room.sockets.get(exceptPeer) : undefined;
    this.opts.push.toRoom(room.key, event, data, except);
  }

  toPeer<E extends ServerEventName>(room: LiveRoom, peerId: string, event: E, data: ServerEventOf<E>): void {
    const socketId = room.sockets.get(peerId);
    if (socketId) this.opts.push.toSocket(socketId, event, data);
  }

  /**
   * Refresh every participant's quality from real transport statistics. Only the sites whose figures
   * changed are told (quality-push.ts); the full state goes out on joins, leaves and chair actions.
   */
  async refreshQuality(): Promise<void> {
    for (const room of this.rooms.values()) {
      const live = room.live;
      if (!live) continue;
      const changed: string[] = [];
      room.qualityReadAt ??= new Map();
      const readAt = room.qualityReadAt;
      for (const p of live.list()) {
        if (!p.connected || !room.media.hasPeer(p.peerId)) continue;
        // A good link is read less often: each reading is several stats requests to the worker.
        if (p.quality.grade === 'good' && this.now() - (readAt.get(p.peerId) ?? 0) < QUALITY_GOOD_MS) continue;
        readAt.set(p.peerId, this.now());
        try {
          // The adaptation loop read the link toward the site moments ago: its reading is not asked for twice.
          const last = room.adaptation?.peers.get(p.peerId)?.lastLink;
          const recv = last && this.now() - last.at < RECV_READING_FRESH_MS ? last : undefined;
          if (live.setQuality(p.peerId, await room.media.peerStats(p.peerId, recv))) changed.push(p.peerId);
          this.sampleQuality(live, p.peerId);
        } catch {
          // peer left while stats were gathered
        }
      }
      // No periodic full state: on a province-wide meeting it went to every site, a few hundred of them.
      tellQuality(room, changed, (peerId, data) => this.toPeer(room, peerId, 'room:quality', data));
    }
  }

  closeAll(): void {
    for (const room of this.rooms.values()) {
      for (const t of room.graceTimers.values()) clearTimeout(t);
      if (room.floorTimer) clearTimeout(room.floorTimer);
      if (room.endTimer) clearTimeout(room.endTimer);
      room.media.close();
    }
    this.rooms.clear();
  }

  private clearGrace(room: LiveRoom, peerId: string): void {
    const t = room.graceTimers.get(peerId);
    if (t) clearTimeout(t);
    room.graceTimers.delete(peerId);
  }

  private wire(room: LiveRoom): void {
    const selfTest = room.live === null;
    room.media.on('producerAdded', (a) => {
      // Close a microphone the chair has not opened before anyone consumes it.
      if (!selfTest && a.kind === 'audio') void enforceAudio(room);
      if (selfTest) return this.toPeer(room, a.peerId, 'media:newProducer', a);
      this.toRoom(room, 'media:newProducer', a, a.peerId);
      this.broadcastControl(room);
    });
    room.media.on('producerClosed', (producerId, peerId, reason) => {
      room.selfPaused.delete(producerId);
      this.toRoom(room, 'media:producerClosed', { producerId, peerId, reason });
      if (room.live?.floor.presentation?.producerId === producerId) {
        room.live.floor.presentationEnded(peerId);
        this.broadcastState(room);
      } else this.broadcastControl(room);
    });
    room.media.on('producerPaused', (producerId, peerId, paused) => {
      this.toRoom(room, 'media:producerPaused', { producerId, peerId, paused });
      this.broadcastControl(room);
    });
    room.media.on('consumerClosed', (peerId, consumerId) => this.toPeer(room, peerId, 'media:consumerClosed', { consumerId }));
    room.media.on('peerMediaReset', (peerId) => {
      // Its new transports start their link estimate afresh: judged as a new site's, after the settle time.
      room.adaptation?.peers.delete(peerId);
      this.toPeer(room, peerId, 'media:reset', { reason: 'media server restarted' });
    });
    room.media.on('activeSpeaker', (peerId) => {
      if (!room.live) return;
      const mainChanged = room.live.setActiveSpeaker(peerId);
      // A new main picture goes out in the whole state; else only who speaks (pages keep the list themselves).
      if (mainChanged) this.broadcastState(room);
      else this.toRoom(room, 'room:activeSpeaker', { peerId: room.live.activeSpeakerPeerId });
    });
  }
}
