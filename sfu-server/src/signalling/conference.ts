// Live rooms: each meeting in progress pairs the domain's LiveMeeting with its
// MediaRoom, and fans room events out to the sockets of its peers.
import { randomUUID } from 'node:crypto';
import type { Server } from 'socket.io';
import { LiveMeeting, type ParticipantIdentity } from '../domain/live/live-meeting';
import { MediaRoom } from '../media/media-room';
import type { MediaWorkerPool } from '../media/worker-pool';
import type { Logger } from '../platform';
import type { RoomState, ServerEventName, ServerEventOf } from '../protocol';

export interface LiveRoom {
  key: string;
  live: LiveMeeting | null;
  media: MediaRoom;
  /** peerId -> socket id currently bound. */
  sockets: Map<string, string>;
  graceTimers: Map<string, NodeJS.Timeout>;
}

export interface ConferenceOptions {
  io: Server;
  pool: MediaWorkerPool;
  logger: Logger;
  maxPeersPerRouter: number;
  /** How long a disconnected participant keeps its place (and media). */
  graceMs: number;
  now?: () => number;
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
      live: meeting ? new LiveMeeting(meeting.id, meeting.title, meeting.chairSiteId) : null,
      media,
      sockets: new Map(),
      graceTimers: new Map(),
    };
    this.rooms.set(key, room);
    this.wire(room);
    return room;
  }

  join(
    room: LiveRoom,
    identity: Omit<ParticipantIdentity, 'peerId'>,
    resumePeerId: string | undefined,
  ): { peerId: string; resumedParticipant: boolean } {
    const live = room.live;
    if (live && resumePeerId && live.canResume(resumePeerId, identity.userId)) {
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
    if (!room.live) return this.removePeer(room, peerId);
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
    room.live?.leave(peerId);
    if (room.media.peerCount === 0 && (room.live?.size ?? 0) === 0) {
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
      if (selfTest) this.toPeer(room, a.peerId, 'media:newProducer', a);
      else this.toRoom(room, 'media:newProducer', a, a.peerId);
    });
    room.media.on('producerClosed', (producerId, peerId) => this.toRoom(room, 'media:producerClosed', { producerId, peerId }));
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
