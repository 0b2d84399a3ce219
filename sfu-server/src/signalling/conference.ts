// Live rooms: each meeting in progress pairs the domain's LiveMeeting with its
// MediaRoom, and fans room events out to the sockets of its peers.
import { randomUUID } from 'node:crypto';
import type { Logger } from '@lienthong/kit';
import type { Server } from 'socket.io';
import type { ControlSettings } from '../domain/floor/floor-control';
import { LiveMeeting, type ParticipantIdentity } from '../domain/live/live-meeting';
import { MediaRoom } from '../media/media-room';
import type { MediaWorkerPool } from '../media/worker-pool';
import type { ControlState, RoomState, ServerEventName, ServerEventOf } from '../protocol';

export interface LiveRoom {
  key: string;
  live: LiveMeeting | null;
  media: MediaRoom;
  /** peerId -> socket id currently bound. */
  sockets: Map<string, string>;
  graceTimers: Map<string, NodeJS.Timeout>;
  /** Audio producers their own site paused: stay paused whatever the chair allows. */
  selfPaused: Set<string>;
  /** Fires when the floor holder's speaking time runs out. */
  floorTimer: NodeJS.Timeout | null;
  /** Called when the speaking limit returned the floor (audit). */
  onFloorExpired?: (siteId: string) => void;
}

export interface ConferenceOptions {
  io: Server;
  pool: MediaWorkerPool;
  logger: Logger;
  maxPeersPerRouter: number;
  /** How long a disconnected participant keeps its place (and media). */
  graceMs: number;
  now?: () => number;
  /** The chair's saved settings for a meeting, applied when its live room is created again (restart). */
  restoreControl?: (meetingId: string) => ControlSettings | undefined;
  /** Stores them (chair actions, speaking requests, the floor) as they change. */
  saveControl?: (meetingId: string, settings: ControlSettings) => void;
}

export class Conference {
  readonly rooms = new Map<string, LiveRoom>();
  private readonly now: () => number;

  constructor(private readonly opts: ConferenceOptions) {
    this.now = opts.now ?? Date.now;
  }

  static meetingKey(meetingId: string): string {
    return `meeting:${meetingId}`;
  }

  private caps: Record<string, unknown> | undefined;

  /** Every router has the same capabilities (same codec list): compute them once. */
  async routerCapabilities(): Promise<Record<string, unknown>> {
    if (!this.caps) {
      const probe = new MediaRoom('caps-probe', { pool: this.opts.pool, logger: this.opts.logger, maxPeersPerRouter: 1 });
      try {
        this.caps = (await probe.rtpCapabilities()) as unknown as Record<string, unknown>;
      } finally {
        probe.close();
      }
    }
    return this.caps;
  }

  private newLiveMeeting(meeting: { id: string; title: string; chairSiteId: string }): LiveMeeting {
    const live = new LiveMeeting(meeting.id, meeting.title, meeting.chairSiteId);
    const saved = this.opts.restoreControl?.(meeting.id);
    if (saved) live.floor.restore(saved);
    return live;
  }

  newPeerId(): string {
    return randomUUID();
  }

  getOrCreate(key: string, meeting: { id: string; title: string; chairSiteId: string } | null): LiveRoom {
    let room = this.rooms.get(key);
    if (room) return room;
    const media = new MediaRoom(key, {
      pool: this.opts.pool,
      logger: this.opts.logger.child({ room: key }),
      maxPeersPerRouter: this.opts.maxPeersPerRouter,
    });
    room = {
      key,
      live: meeting ? this.newLiveMeeting(meeting) : null,
      media,
      sockets: new Map(),
      graceTimers: new Map(),
      selfPaused: new Set(),
      floorTimer: null,
    };
    this.rooms.set(key, room);
    this.wire(room);
    if (room.live) this.afterRestore(room, room.live);
    return room;
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
    if (!live || !this.opts.saveControl) return;
    try {
      this.opts.saveControl(live.meetingId, live.floor.settings(live.list().map((p) => p.siteId)));
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
      this.clearGrace(room, resumePeerId);
      return { peerId: resumePeerId, resumedParticipant: true };
    }
    const peerId = this.newPeerId();
    live?.join({ ...identity, peerId }, this.now());
    return { peerId, resumedParticipant: false };
  }

  bindSocket(room: LiveRoom, peerId: string, socketId: string): void {
    const previous = room.sockets.get(peerId);
    if (previous && previous !== socketId) this.opts.io.sockets.sockets.get(previous)?.leave(room.key);
    room.sockets.set(peerId, socketId);
    this.opts.io.sockets.sockets.get(socketId)?.join(room.key);
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
    if (socketId) this.opts.io.sockets.sockets.get(socketId)?.leave(room.key);
    room.sockets.delete(peerId);
    room.media.removePeer(peerId);
    const siteId = room.live?.has(peerId) ? room.live.get(peerId).siteId : null;
    room.live?.leave(peerId);
    if (room.live && siteId && !room.live.hasSite(siteId)) {
      const waited = room.live.floor.sitesWaitedFor().includes(siteId);
      room.live.floor.siteLeft(siteId);
      if (waited) this.persistControl(room);
    }
    if (room.media.peerCount === 0 && (room.live?.size ?? 0) === 0) {
      if (room.floorTimer) clearTimeout(room.floorTimer);
      room.media.close();
      this.rooms.delete(room.key);
      return;
    }
    this.broadcastState(room);
  }

  state(room: LiveRoom): RoomState | null {
    const live = room.live;
    if (!live) return null;
    return {
      meetingId: live.meetingId,
      title: live.title,
      participants: live.list().map((p) => ({
        peerId: p.peerId,
        userId: p.userId,
        userName: p.userName,
        siteId: p.siteId,
        siteCode: p.siteCode,
        siteName: p.siteName,
        parentSiteId: p.parentSiteId,
        parentSiteName: p.parentSiteName,
        isChairSite: p.isChairSite,
        connected: p.connected,
        receiveMode: p.receiveMode,
        quality: p.quality,
      })),
      mainPeerId: live.mainPeerId(),
      mainPolicy: live.mainPolicy,
      activeSpeakerPeerId: live.activeSpeakerPeerId,
    };
  }

  broadcastState(room: LiveRoom): void {
    const state = this.state(room);
    if (state) this.toRoom(room, 'room:state', state);
    const control = this.control(room);
    if (control) this.toRoom(room, 'room:control', control);
  }

  control(room: LiveRoom): ControlState | null {
    const live = room.live;
    if (!live) return null;
    const f = live.floor;
    const mics: Record<string, ControlState['mics'][string]> = {};
    const media: ControlState['media'] = {};
    for (const p of live.list()) {
      mics[p.siteId] = f.micState(p.siteId);
      const producers = room.media.hasPeer(p.peerId) ? room.media.producersOf(p.peerId) : [];
      media[p.peerId] = {
        micLive: producers.some((x) => x.source === 'mic' && !x.paused),
        camera: producers.some((x) => x.source === 'camera' && !x.paused),
      };
    }
    const rc = f.rollCall;
    return {
      meetingId: live.meetingId,
      serverNow: this.now(),
      chairSiteId: f.chairSiteId,
      mode: f.mode,
      locked: f.locked,
      allowSelfUnmute: f.allowSelfUnmute,
      speakingLimitSec: f.speakingLimitMs === null ? null : Math.round(f.speakingLimitMs / 1000),
      floor: f.floor ? { ...f.floor } : null,
      queue: f.requests.map((q) => ({ ...q })),
      mics,
      media,
      removed: f.removedSites,
      presentation: f.presentation ? { ...f.presentation } : null,
      rollCall: rc ? { id: rc.id, startedAt: rc.startedAt, endedAt: rc.endedAt, entries: rc.entries.map((e) => ({ ...e })) } : null,
    };
  }

  /**
   * The server-side half of the chair's rules: every audio producer is paused unless
   * its site may speak now and its own site has not muted it. Paused producers are
   * not forwarded by mediasoup, so a closed microphone is silent for everyone.
   */
  async enforceAudio(room: LiveRoom): Promise<void> {
    const live = room.live;
    if (!live) return;
    const jobs: Promise<void>[] = [];
    for (const p of live.list()) {
      if (!room.media.hasPeer(p.peerId)) continue;
      const allowed = live.floor.micAllowed(p.siteId);
      for (const a of room.media.producersOf(p.peerId, 'audio')) {
        const want = !allowed || room.selfPaused.has(a.producerId);
        if (a.paused !== want) jobs.push(room.media.setProducerPaused(p.peerId, a.producerId, want).catch(() => undefined));
      }
    }
    await Promise.all(jobs);
  }

  /** After any floor/mode/mute change: enforce, re-arm the speaking-limit timer, tell everyone. */
  async controlChanged(room: LiveRoom): Promise<void> {
    this.persistControl(room);
    await this.enforceAudio(room);
    this.armFloorTimer(room);
    this.broadcastState(room);
  }

  private armFloorTimer(room: LiveRoom): void {
    if (room.floorTimer) clearTimeout(room.floorTimer);
    room.floorTimer = null;
    const until = room.live?.floor.floor?.until;
    if (until == null) return;
    room.floorTimer = setTimeout(
      () => {
        room.floorTimer = null;
        const live = room.live;
        const holder = live?.floor.floor?.siteId;
        if (!live || !holder) return;
        if (live.floor.tick(this.now())) {
          room.onFloorExpired?.(holder);
          void this.controlChanged(room);
        } else this.armFloorTimer(room);
      },
      Math.max(0, until - this.now()),
    );
    room.floorTimer.unref?.();
  }

  toRoom<E extends ServerEventName>(room: LiveRoom, event: E, data: ServerEventOf<E>, exceptPeer?: string): void {
    const except = exceptPeer ? room.sockets.get(exceptPeer) : undefined;
    const target = except ? this.opts.io.to(room.key).except(except) : this.opts.io.to(room.key);
    target.emit(event, data);
  }

  toPeer<E extends ServerEventName>(room: LiveRoom, peerId: string, event: E, data: ServerEventOf<E>): void {
    const socketId = room.sockets.get(peerId);
    if (socketId) this.opts.io.to(socketId).emit(event, data);
  }

  /** Refresh every participant's quality from real transport statistics. */
  async refreshQuality(): Promise<void> {
    for (const room of this.rooms.values()) {
      if (!room.live) continue;
      for (const p of room.live.list()) {
        if (!p.connected || !room.media.hasPeer(p.peerId)) continue;
        try {
          room.live.setQuality(p.peerId, await room.media.peerStats(p.peerId));
        } catch {
          // peer left while stats were gathered
        }
      }
      this.broadcastState(room);
    }
  }

  closeAll(): void {
    for (const room of this.rooms.values()) {
      for (const t of room.graceTimers.values()) clearTimeout(t);
      if (room.floorTimer) clearTimeout(room.floorTimer);
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
      if (!selfTest && a.kind === 'audio') void this.enforceAudio(room);
      if (selfTest) this.toPeer(room, a.peerId, 'media:newProducer', a);
      else this.toRoom(room, 'media:newProducer', a, a.peerId);
    });
    room.media.on('producerClosed', (producerId, peerId, reason) => {
      room.selfPaused.delete(producerId);
      this.toRoom(room, 'media:producerClosed', { producerId, peerId, reason });
      if (room.live?.floor.presentation?.producerId === producerId) {
        room.live.floor.presentationEnded(peerId);
        this.broadcastState(room);
      }
    });
    room.media.on('producerPaused', (producerId, peerId, paused) =>
      this.toRoom(room, 'media:producerPaused', { producerId, peerId, paused }),
    );
    room.media.on('consumerClosed', (peerId, consumerId) => this.toPeer(room, peerId, 'media:consumerClosed', { consumerId }));
    room.media.on('peerMediaReset', (peerId) => this.toPeer(room, peerId, 'media:reset', { reason: 'media server restarted' }));
    room.media.on('activeSpeaker', (peerId) => {
      if (!room.live) return;
      const mainChanged = room.live.setActiveSpeaker(peerId);
      this.toRoom(room, 'room:activeSpeaker', { peerId: room.live.activeSpeakerPeerId });
      if (mainChanged) this.broadcastState(room);
    });
  }
}
