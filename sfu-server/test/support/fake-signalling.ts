// Fakes for driving the signalling handlers without socket.io or mediasoup: a room
// media that keeps producers (and their server-side pause) in memory, a push
// channel that records what each room and socket was sent, and a meeting.
import { EventEmitter } from 'node:events';
import type { Logger } from '@lienthong/kit';
import type { RecvLink, VideoShed } from '../../src/media/consumer-shaping';
import type { PeerStats } from '../../src/media/media-stats';
import type { MediaRoomEvents } from '../../src/media/peer-media';
import type { ClientRequestName, ConsumerInfo, MediaSource, RequestOf, ResponseOf, SessionClaims } from '../../src/protocol';
import { Conference } from '../../src/signalling/conference';
import { type HandlerContext, requestHandlers } from '../../src/signalling/handlers';
import { MemoryChairRepository } from '../../src/signalling/memory-chair-repository';
import type { MeetingAccess, RoomMedia, RoomPush, SiteRef } from '../../src/signalling/ports';
import type { RequestHandlers } from '../../src/signalling/rpc';

interface FakeProducer {
  producerId: string;
  kind: 'audio' | 'video';
  source: MediaSource;
  paused: boolean;
}

export class FakeRoomMedia extends EventEmitter<MediaRoomEvents> implements RoomMedia {
  readonly peers = new Map<string, { producers: Map<string, FakeProducer>; caps?: Record<string, unknown> }>();
  readonly layerRequests: { peerId: string; consumerId: string; spatialLayer: number; temporalLayer?: number }[] = [];
  closed = false;
  private nextId = 1;

  get peerCount(): number {
    return this.peers.size;
  }
  async addPeer(peerId: string): Promise<void> {
    if (this.peers.has(peerId)) this.removePeer(peerId);
    this.peers.set(peerId, { producers: new Map() });
  }
  hasPeer(peerId: string): boolean {
    return this.peers.has(peerId);
  }
  removePeer(peerId: string): void {
    const p = this.peers.get(peerId);
    this.peers.delete(peerId);
    for (const id of p?.producers.keys() ?? []) this.emit('producerClosed', id, peerId, 'closed');
  }
  setRtpCapabilities(peerId: string, caps: Record<string, unknown>): void {
    this.peer(peerId).caps = caps;
  }
  async rtpCapabilities(): Promise<object> {
    return { codecs: [] };
  }
  async createTransport(): Promise<never> {
    throw new Error('not faked');
  }
  async connectTransport(): Promise<void> {}
  async restartIce(): Promise<Record<string, unknown>> {
    return {};
  }
  async produce(peerId: string, _t: string, kind: 'audio' | 'video', _p: Record<string, unknown>, source: MediaSource): Promise<string> {
    const producerId = `prod-${this.nextId++}`;
    this.peer(peerId).producers.set(producerId, { producerId, kind, source, paused: false });
    this.emit('producerAdded', { producerId, peerId, kind, source, paused: false });
    return producerId;
  }
  async closeProducer(peerId: string, producerId: string): Promise<void> {
    this.peer(peerId).producers.delete(producerId);
    this.emit('producerClosed', producerId, peerId, 'closed');
  }
  async setProducerPaused(peerId: string, producerId: string, paused: boolean): Promise<void> {
    const p = this.peer(peerId).producers.get(producerId);
    if (!p) throw new Error('no such producer');
    p.paused = paused;
    this.emit('producerPaused', producerId, peerId, paused);
  }
  producersOf(peerId: string, kind?: 'audio' | 'video') {
    return [...(this.peers.get(peerId)?.producers.values() ?? [])]
      .filter((p) => !kind || p.kind === kind)
      .map(({ producerId, source, paused }) => ({ producerId, source, paused }));
  }
  announcements() {
    return [];
  }
  producerKind(producerId: string): 'audio' | 'video' | undefined {
    for (const p of this.peers.values()) {
      const found = p.producers.get(producerId);
      if (found) return found.kind;
    }
    return undefined;
  }
  /** Consumers made, per peer (kinds of the producers consumed). */
  readonly consumers = new Map<string, Map<string, 'audio' | 'video'>>();
  async consume(peerId: string, producerId: string): Promise<ConsumerInfo> {
    const kind = this.producerKind(producerId);
    if (!kind) throw new Error('no such producer');
    const consumerId = `cons-${this.nextId++}`;
    const mine = this.consumers.get(peerId) ?? new Map();
    mine.set(consumerId, kind);
    this.consumers.set(peerId, mine);
    return { consumerId, producerId, peerId: 'owner', kind, source: kind === 'audio' ? 'mic' : 'camera', rtpParameters: {} };
  }
  consumersOf(peerId: string) {
    return [...(this.consumers.get(peerId)?.entries() ?? [])].map(([consumerId, kind]) => ({ consumerId, kind }));
  }
  async resumeConsumer(): Promise<void> {}
  async setConsumerLayers(peerId: string, consumerId: string, spatialLayer: number, temporalLayer?: number): Promise<void> {
    this.layerRequests.push({ peerId, consumerId, spatialLayer, temporalLayer });
  }
  async closeConsumer(peerId: string, consumerId: string): Promise<void> {
    this.consumers.get(peerId)?.delete(consumerId);
  }
  /** The link each receiver measures (set by a test); none: no recv transport yet. */
  readonly links = new Map<string, RecvLink>();
  /** How often each peer's link was read. */
  readonly linkReads = new Map<string, number>();
  /** Adaptation's last decision per receiver. */
  readonly shed = new Map<string, VideoShed[]>();
  async recvLink(peerId: string): Promise<RecvLink | null> {
    this.linkReads.set(peerId, (this.linkReads.get(peerId) ?? 0) + 1);
    return this.links.get(peerId) ?? null;
  }
  async shedVideo(peerId: string, actions: readonly VideoShed[]): Promise<void> {
    this.shed.set(peerId, [...actions]);
  }
  /** Stats per peer for the quality refresh (default: nothing measured yet), and how often each was read. */
  readonly stats = new Map<string, PeerStats>();
  readonly statsReads = new Map<string, number>();
  async peerStats(peerId: string): Promise<PeerStats> {
    this.statsReads.set(peerId, (this.statsReads.get(peerId) ?? 0) + 1);
    return this.stats.get(peerId) ?? { rttMs: null, lossFraction: 0, sendBps: 0, recvBps: 0, jitterMs: null, layer: null };
  }
  async producerPackets() {
    return [];
  }
  counts() {
    return { producers: 0, consumers: 0 };
  }
  close(): void {
    this.closed = true;
  }
  /** Is this peer's microphone forwarded (exists and not paused server-side)? */
  micLive(peerId: string): boolean {
    return this.producersOf(peerId, 'audio').some((p) => !p.paused);
  }
  private peer(peerId: string) {
    const p = this.peers.get(peerId);
    if (!p) throw new Error(`no peer ${peerId}`);
    return p;
  }
}

export class RecordingPush implements RoomPush {
  readonly sent: { to: string; event: string; data: unknown }[] = [];
  readonly members = new Map<string, Set<string>>();
  toRoom(roomKey: string, event: string, data: unknown): void {
    this.sent.push({ to: roomKey, event, data });
  }
  toSocket(socketId: string, event: string, data: unknown): void {
    this.sent.push({ to: socketId, event, data });
  }
  join(socketId: string, roomKey: string): void {
    this.members.set(roomKey, (this.members.get(roomKey) ?? new Set()).add(socketId));
  }
  leave(socketId: string, roomKey: string): void {
    this.members.get(roomKey)?.delete(socketId);
  }
  events(event: string): unknown[] {
    return this.sent.filter((s) => s.event === event).map((s) => s.data);
  }
  /** What one socket was sent on its own (toSocket). */
  eventsTo(socketId: string, event: string): unknown[] {
    return this.sent.filter((s) => s.event === event && s.to === socketId).map((s) => s.data);
  }
}

const silent = { info() {}, warn() {}, error() {}, debug() {}, child: () => silent } as unknown as Logger;

/** The chair user is the province's signed-in user (socketOf names users `user-<site>`). */
export const MEETING = {
  id: 'm1',
  title: 'Họp giao ban',
  chairSiteId: 'tn',
  chair: { userId: 'user-tn', name: 'Chủ trì tn' },
  operators: [],
  endsAt: '2999-01-01T00:00:00.000Z',
};
const SITES: Record<string, string> = { tn: 'Tỉnh Thái Nguyên', dt: 'Đại Từ', pb: 'Phú Bình', vn: 'Võ Nhai' };
export const INVITED: SiteRef[] = Object.entries(SITES).map(([siteId, siteName]) => ({ siteId, siteCode: siteId.toUpperCase(), siteName }));

/** A conference over the fakes, with a clock the test moves. */
export function fakeConference(repo = new MemoryChairRepository(), start = 1_000_000) {
  const push = new RecordingPush();
  const media: FakeRoomMedia[] = [];
  const clock = { t: start };
  const conference = new Conference({
    push,
    createMedia: () => {
      const m = new FakeRoomMedia();
      media.push(m);
      return m;
    },
    logger: silent,
    graceMs: 30_000,
    repo,
    now: () => clock.t,
  });
  const meetings: MeetingAccess = {
    async checkJoin(claims, meetingId) {
      if (meetingId !== MEETING.id) throw new Error('no such meeting');
      return {
        meeting: MEETING,
        site: { id: claims.siteId, code: claims.siteCode, name: SITES[claims.siteId] ?? claims.siteId, parentId: null, parentName: null },
        chairRole: claims.siteId === 'tn',
      };
    },
    operators: (_meetingId, userIds) => userIds.map((userId) => ({ userId, name: userId })),
    chair: { repo, invitedSites: () => INVITED.map((s) => ({ ...s })) },
  };
  return { conference, push, media, repo, clock, meetings };
}

export type Fixture = ReturnType<typeof fakeConference>;

/** One signed-in socket of a site, as the handlers see it. */
export function socketOf(f: Fixture, siteId: string, socketId = `sock-${siteId}`): HandlerContext {
  const claims: SessionClaims = {
    sub: `user-${siteId}`,
    name: `Chủ trì ${siteId}`,
    siteId,
    siteCode: siteId.toUpperCase(),
    roles: ['participant'],
    sid: `sid-${siteId}`,
  };
  return { conference: f.conference, session: { claims, room: null, peerId: null }, socketId, meetings: f.meetings, log: silent };
}

/** Calls a request handler as the socket binding would (after validation). */
export async function call<E extends ClientRequestName>(ctx: HandlerContext, event: E, data: RequestOf<E>): Promise<ResponseOf<E>> {
  const handlers: RequestHandlers<HandlerContext> = requestHandlers;
  return handlers[event](ctx, data);
}

/** The coded error a call fails with. */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as { code?: string }).code ?? `uncoded: ${(e as Error).message}`;
  }
  throw new Error('expected a coded error');
}
