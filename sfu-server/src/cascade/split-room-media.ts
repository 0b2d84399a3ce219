// A meeting's media on the province as signalling sees it: the peers of sites served here are in
// the local MediaRoom; a peer of a site served by a district server has its transports, producers
// and consumers there, reached with one cascade request per call. Producers of every server reach
// the local room through the cascade, so announcements, kinds and events all come from it.
// A district that cannot be reached, or stops answering, loses its peers to the local room: their
// pages rebuild their media here (peerMediaReset), as after a worker's death.
import { EventEmitter } from 'node:events';
import { AppError } from '@lienthong/kit';
import type { Static } from 'typebox';
import type { MediaRoom, MediaRoomEvents } from '../media/media-room';
import type { MediaCall, MediaEvent, MediaOp, mediaResults, PeerReading, StatsAnswer } from '../protocol/cascade-media';
import type { RoomCallOpened, RoomCallStep } from '../protocol/cascade-room-call';
import type { ConsumerInfo, MediaSource, ProducerAnnouncement, TransportInfo } from '../protocol/media';
import type { CallMedia, RoomCallOpening, RoomMedia } from '../signalling/ports';
import { RemoteRoomCall } from './remote-room-call';
import { ReadingsKept } from './stats-delta';

type CallOf<O extends MediaOp> = Omit<Extract<MediaCall, { op: O }>, 'from' | 'meetingId' | 'peerId' | 'op'>;
type ResultOf<O extends MediaOp> = Static<(typeof mediaResults)[O]>;

/** What the split media needs of the cascade (cascade/media-calls.ts over the bus). */
export interface MediaCalls {
  call<O extends MediaOp>(server: string, meetingId: string, peerId: string, op: O, args: CallOf<O>): Promise<ResultOf<O>>;
  /** One step of a room-system call whose media a server carries (protocol/cascade-room-call.ts). */
  roomCall(server: string, meetingId: string, peerId: string, step: RoomCallStep): Promise<RoomCallOpened | null>;
  /** The readings of every peer a server hosts for a meeting, in one request (against the answer `known`). */
  stats(server: string, meetingId: string, known: number | undefined): Promise<StatsAnswer>;
  onEvents(meetingId: string, handler: (e: MediaEvent) => void): () => void;
  /** Whether a server is known not to answer now. */
  isDown(server: string): boolean;
  onDown(listener: (server: string) => void): () => void;
}

export interface Placement {
  /** The server whose media a site's peers use; null: this one. */
  serverOf(siteId: string): string | null;
}

interface Placed {
  server: string;
  /** Calls of one peer run in order: capabilities before the first consume, and so on. */
  queue: Promise<unknown>;
  consumers: Map<string, 'audio' | 'video'>;
  /** The last reading of its link and quality (from its server's once-a-second answer). */
  reading?: PeerReading;
  /** The last shedding sent, so that an unchanged plan is not sent again. */
  shed?: string;
  /** A room-system call's media on its server, lost with the peer's media. */
  roomCall?: RemoteRoomCall;
}

/** How often the readings of district-hosted peers are fetched (the adaptation loop's pace). */
const READ_EVERY_MS = 1000;
const NO_STATS = { rttMs: null, lossFraction: 0, sendBps: 0, recvBps: 0, jitterMs: null };

const EVENTS: (keyof MediaRoomEvents)[] = [
  'producerAdded',
  'producerClosed',
  'producerPaused',
  'consumerClosed',
  'activeSpeaker',
  'peerMediaReset',
];

export class SplitRoomMedia extends EventEmitter<MediaRoomEvents> implements RoomMedia {
  private readonly placed = new Map<string, Placed>();
  private readonly offs: (() => void)[] = [];
  /** Each server's readings as of its last answer (cascade/stats-delta.ts). */
  private readonly kept = new Map<string, ReadingsKept>();
  private readonly reader: NodeJS.Timeout;

  constructor(
    private readonly meetingId: string,
    private readonly local: MediaRoom,
    private readonly calls: MediaCalls,
    private readonly placement: Placement,
    private readonly log: (msg: string) => void = () => {},
  ) {
    super();
    for (const ev of EVENTS) local.on(ev, (...args: unknown[]) => (this.emit as (e: string, ...a: unknown[]) => boolean)(ev, ...args));
    local.once('closed', () => this.emit('closed'));
    this.offs.push(
      calls.onEvents(meetingId, (e) => this.remoteEvent(e)),
      calls.onDown((server) => this.serverLost(server)),
    );
    this.reader = setInterval(() => void this.readServers(), READ_EVERY_MS);
    this.reader.unref();
  }

  /** One request per server hosting peers of this meeting; the loops read the answers, never the WAN. */
  private async readServers(): Promise<void> {
    const servers = new Set([...this.placed.values()].map((p) => p.server));
    await Promise.all(
      [...servers].map(async (server) => {
        const kept = this.kept.get(server) ?? new ReadingsKept();
        this.kept.set(server, kept);
        // One request at a time per server: a slow answer is not overtaken by the next.
        if (kept.busy) return;
        kept.busy = true;
        const readings = await this.calls
          .stats(server, this.meetingId, kept.known)
          .then((a) => kept.take(a))
          .catch(() => [])
          .finally(() => (kept.busy = false));
        for (const r of readings) {
          const p = this.placed.get(r.peerId);
          if (p?.server === server) p.reading = r;
        }
      }),
    );
  }

  get peerCount(): number {
    return this.local.peerCount + this.placed.size;
  }

  /** The peers whose media this meeting places on a server. */
  placedOn(server: string): string[] {
    return [...this.placed].filter(([, p]) => p.server === server).map(([peerId]) => peerId);
  }

  /** Where each peer's media is (tests, the console): the server id, or null for this one. */
  serverOfPeer(peerId: string): string | null | undefined {
    if (this.placed.has(peerId)) return this.placed.get(peerId)!.server;
    return this.local.hasPeer(peerId) ? null : undefined;
  }

  async addPeer(peerId: string, where?: { siteId: string }): Promise<void> {
    this.removePeer(peerId);
    const server = where ? this.placement.serverOf(where.siteId) : null;
    if (server && !this.calls.isDown(server)) {
      try {
        await this.calls.call(server, this.meetingId, peerId, 'addPeer', {});
        this.placed.set(peerId, { server, queue: Promise.resolve(), consumers: new Map() });
        return;
      } catch (err) {
        // The site's own server is unreachable: it meets through this one meanwhile.
        this.log(`media of ${peerId} stays here: ${server} did not take it (${(err as Error).message})`);
      }
    }
    await this.local.addPeer(peerId);
  }

  hasPeer = (peerId: string): boolean => this.placed.has(peerId) || this.local.hasPeer(peerId);

  removePeer(peerId: string): void {
    const p = this.placed.get(peerId);
    if (!p) {
      this.local.removePeer(peerId);
      return;
    }
    this.placed.delete(peerId);
    void this.calls.call(p.server, this.meetingId, peerId, 'removePeer', {}).catch(() => undefined);
  }

  setRtpCapabilities(peerId: string, caps: Record<string, unknown>): void {
    if (!this.placed.has(peerId)) {
      this.local.setRtpCapabilities(peerId, caps);
      return;
    }
    if (!Array.isArray((caps as { codecs?: unknown }).codecs)) throw new AppError('BAD_REQUEST', 'rtpCapabilities.codecs must be an array');
    void this.remote(peerId, 'setRtpCapabilities', { caps }).catch(() => undefined);
  }

  rtpCapabilities = (): Promise<object> => this.local.rtpCapabilities();

  createTransport = (peerId: string, direction: 'send' | 'recv'): Promise<TransportInfo> =>
    this.placed.has(peerId) ? this.remote(peerId, 'createTransport', { direction }) : this.local.createTransport(peerId, direction);

  async connectTransport(peerId: string, transportId: string, dtlsParameters: Record<string, unknown>): Promise<void> {
    if (this.placed.has(peerId)) await this.remote(peerId, 'connectTransport', { transportId, dtlsParameters });
    else await this.local.connectTransport(peerId, transportId, dtlsParameters);
  }

  restartIce = (peerId: string, transportId: string): Promise<Record<string, unknown>> =>
    this.placed.has(peerId) ? this.remote(peerId, 'restartIce', { transportId }) : this.local.restartIce(peerId, transportId);

  produce(
    peerId: string,
    transportId: string,
    kind: 'audio' | 'video',
    rtpParameters: Record<string, unknown>,
    source: MediaSource,
  ): Promise<string> {
    if (!this.placed.has(peerId)) return this.local.produce(peerId, transportId, kind, rtpParameters, source);
    return this.remote(peerId, 'produce', { transportId, kind, rtpParameters, source });
  }

  async closeProducer(peerId: string, producerId: string): Promise<void> {
    if (this.placed.has(peerId)) await this.remote(peerId, 'closeProducer', { producerId });
    else await this.local.closeProducer(peerId, producerId);
  }

  async setProducerPaused(peerId: string, producerId: string, paused: boolean): Promise<void> {
    if (this.placed.has(peerId)) await this.remote(peerId, 'setProducerPaused', { producerId, paused });
    else await this.local.setProducerPaused(peerId, producerId, paused);
  }

  /** A district peer's producers as this server knows them (announced through the cascade). */
  producersOf(peerId: string, kind?: 'audio' | 'video'): { producerId: string; source: MediaSource; paused: boolean }[] {
    if (!this.placed.has(peerId)) return this.local.producersOf(peerId, kind);
    return this.local
      .announcements()
      .filter((a) => a.peerId === peerId && (!kind || a.kind === kind))
      .map((a) => ({ producerId: a.producerId, source: a.source, paused: a.paused }));
  }

  announcements = (exceptPeer?: string): ProducerAnnouncement[] => this.local.announcements(exceptPeer);
  producerKind = (producerId: string): 'audio' | 'video' | undefined => this.local.producerKind(producerId);

  async consume(peerId: string, producerId: string): Promise<ConsumerInfo> {
    const p = this.placed.get(peerId);
    if (!p) return this.local.consume(peerId, producerId);
    const info = await this.remote(peerId, 'consume', { producerId });
    p.consumers.set(info.consumerId, info.kind);
    return info;
  }

  consumersOf(peerId: string): { consumerId: string; kind: 'audio' | 'video' }[] {
    const p = this.placed.get(peerId);
    if (!p) return this.local.consumersOf(peerId);
    return [...p.consumers].map(([consumerId, kind]) => ({ consumerId, kind }));
  }

  async resumeConsumer(peerId: string, consumerId: string): Promise<void> {
    if (this.placed.has(peerId)) await this.remote(peerId, 'resumeConsumer', { consumerId });
    else await this.local.resumeConsumer(peerId, consumerId);
  }

  async setConsumerLayers(peerId: string, consumerId: string, spatialLayer: number, temporalLayer?: number): Promise<void> {
    if (!this.placed.has(peerId)) return this.local.setConsumerLayers(peerId, consumerId, spatialLayer, temporalLayer);
    await this.remote(peerId, 'setConsumerLayers', { consumerId, spatialLayer, ...(temporalLayer === undefined ? {} : { temporalLayer }) });
  }

  async closeConsumer(peerId: string, consumerId: string): Promise<void> {
    const p = this.placed.get(peerId);
    if (!p) return this.local.closeConsumer(peerId, consumerId);
    await this.remote(peerId, 'closeConsumer', { consumerId });
    p.consumers.delete(consumerId);
  }

  recvLink: RoomMedia['recvLink'] = async (peerId, streams) => {
    const p = this.placed.get(peerId);
    return p ? (p.reading?.recvLink ?? null) : this.local.recvLink(peerId, streams);
  };

  /** Sent only when the plan changes, and not waited for: the district applies it in order. */
  shedVideo: RoomMedia['shedVideo'] = async (peerId, actions) => {
    const p = this.placed.get(peerId);
    if (!p) return this.local.shedVideo(peerId, actions);
    const plan = JSON.stringify(actions);
    if (plan === p.shed) return;
    p.shed = plan;
    void this.remote(peerId, 'shedVideo', { actions: [...actions] }).catch(() => {
      if (p.shed === plan) p.shed = undefined;
    });
  };

  peerStats: RoomMedia['peerStats'] = async (peerId, recv) => {
    const p = this.placed.get(peerId);
    return p ? (p.reading?.stats ?? NO_STATS) : this.local.peerStats(peerId, recv);
  };

  producerPackets: RoomMedia['producerPackets'] = () => this.local.producerPackets();

  counts(): { producers: number; consumers: number } {
    const c = this.local.counts();
    for (const p of this.placed.values()) c.consumers += p.consumers.size;
    return c;
  }

  /** A room system of a site placed on a district: its call's media runs there, step by step in the peer's order. */
  remoteRoomCall(peerId: string, opening: RoomCallOpening): Promise<CallMedia> | null {
    const p = this.placed.get(peerId);
    if (!p) return null;
    const link = {
      request: (step: RoomCallStep) => this.queued(peerId, () => this.calls.roomCall(p.server, this.meetingId, peerId, step)),
      onEvent: (handler: (e: MediaEvent) => void) =>
        this.calls.onEvents(this.meetingId, (e) => {
          if (e.peerId === peerId && e.origin === p.server) handler(e);
        }),
    };
    return RemoteRoomCall.open(link, opening).then((call) => {
      if (this.placed.get(peerId) === p) p.roomCall = call;
      else call.lost = true;
      return call;
    });
  }

  openTap: RoomMedia['openTap'] = () => this.local.openTap();
  createPlainTransport: RoomMedia['createPlainTransport'] = (peerId, direction, opts) =>
    this.local.createPlainTransport(peerId, direction, opts);

  close(): void {
    clearInterval(this.reader);
    for (const peerId of [...this.placed.keys()]) this.removePeer(peerId);
    for (const off of this.offs) off();
    this.local.close();
  }

  /** One call for a placed peer, after its earlier ones. */
  private remote<O extends MediaOp>(peerId: string, op: O, args: CallOf<O>): Promise<ResultOf<O>> {
    const p = this.placed.get(peerId);
    return this.queued(peerId, () => this.calls.call(p!.server, this.meetingId, peerId, op, args));
  }

  private queued<T>(peerId: string, run: () => Promise<T>): Promise<T> {
    const p = this.placed.get(peerId);
    if (!p) return Promise.reject(new AppError('NOT_IN_ROOM', 'Join the room first', 409));
    const next = p.queue.then(run, run);
    p.queue = next.catch(() => undefined);
    return next;
  }

  private remoteEvent(e: MediaEvent): void {
    const p = this.placed.get(e.peerId);
    if (!p || p.server !== e.origin) return;
    if (e.event === 'consumerClosed' && e.consumerId) {
      p.consumers.delete(e.consumerId);
      this.emit('consumerClosed', e.peerId, e.consumerId);
    } else if (e.event === 'peerMediaReset') {
      this.placed.delete(e.peerId);
      if (p.roomCall) p.roomCall.lost = true;
      this.emit('peerMediaReset', e.peerId);
    }
  }

  /** A district server stopped answering: its peers rebuild their media (here, while it is down). */
  private serverLost(server: string): void {
    for (const [peerId, p] of [...this.placed]) {
      if (p.server !== server) continue;
      this.placed.delete(peerId);
      if (p.roomCall) p.roomCall.lost = true;
      this.emit('peerMediaReset', peerId);
    }
  }
}
