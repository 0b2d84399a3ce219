// Media of one room (a meeting or a technical self-test) on top of mediasoup.
// Peers are spread over routers on different workers once a router is full;
// producers are piped to the router of each consumer that needs them.
import { EventEmitter } from 'node:events';
import { AppError, type Logger } from '@lienthong/kit';
import type { types } from 'mediasoup';
import type { ConsumerInfo, MediaSource, ProducerAnnouncement, TransportInfo } from '../protocol/media';
import { ROUTER_CODECS } from './codecs';
import type { MediaWorkerPool, PooledWorker } from './worker-pool';

interface RouterSlot {
  workerIndex: number;
  router: types.Router;
  peers: Set<string>;
  /** producerId -> pipe producer on this router (for producers living elsewhere). */
  piped: Map<string, Promise<void>>;
}

interface PeerMedia {
  id: string;
  slot: RouterSlot;
  transports: Map<string, types.WebRtcTransport | types.PlainTransport>;
  producers: Map<string, { producer: types.Producer; source: MediaSource; slot: RouterSlot }>;
  consumers: Map<string, types.Consumer>;
  rtpCapabilities: types.RtpCapabilities | undefined;
}

export type ProducerCloseReason = 'closed' | 'media-lost';

export interface MediaRoomEvents {
  producerAdded: [ProducerAnnouncement];
  /** `media-lost`: its router went with a dead worker (the client rebuilds); `closed`: closed on purpose. */
  producerClosed: [producerId: string, peerId: string, reason: ProducerCloseReason];
  producerPaused: [producerId: string, peerId: string, paused: boolean];
  consumerClosed: [peerId: string, consumerId: string];
  activeSpeaker: [peerId: string | null];
  /** The peer's router was on a worker that died: it must reconnect its media. */
  peerMediaReset: [peerId: string];
}

export interface MediaRoomOptions {
  pool: MediaWorkerPool;
  logger: Logger;
  /** Peers per router before another worker's router is used. */
  maxPeersPerRouter: number;
}

const MAX_TRANSPORTS_PER_PEER = 4;
const MAX_PRODUCERS_PER_PEER = 4;
const MAX_CONSUMERS_PER_PEER = 400;

export class MediaRoom extends EventEmitter<MediaRoomEvents> {
  private readonly slots: RouterSlot[] = [];
  private readonly peers = new Map<string, PeerMedia>();
  private speakerObserver: types.ActiveSpeakerObserver | undefined;
  private speakerSlot: RouterSlot | undefined;
  private closed = false;
  private readonly onWorkerDied = (index: number) => this.handleWorkerDeath(index);

  constructor(
    readonly id: string,
    private readonly opts: MediaRoomOptions,
  ) {
    super();
    opts.pool.on('workerDied', this.onWorkerDied);
  }

  get peerCount(): number {
    return this.peers.size;
  }

  routerCount(): number {
    return this.slots.length;
  }

  async rtpCapabilities(): Promise<types.RtpCapabilities> {
    const slot = this.slots[0] ?? (await this.newSlot(new Set()));
    return slot.router.rtpCapabilities;
  }

  async addPeer(peerId: string): Promise<void> {
    if (this.closed) throw new AppError('ROOM_CLOSED', 'Room media is closed', 409);
    if (this.peers.has(peerId)) this.removePeer(peerId);
    const slot = await this.slotForNewPeer();
    slot.peers.add(peerId);
    this.peers.set(peerId, {
      id: peerId,
      slot,
      transports: new Map(),
      producers: new Map(),
      consumers: new Map(),
      rtpCapabilities: undefined,
    });
  }

  hasPeer(peerId: string): boolean {
    return this.peers.has(peerId);
  }

  removePeer(peerId: string): void {
    const peer = this.peers.get(peerId);
    if (!peer) return;
    this.peers.delete(peerId);
    peer.slot.peers.delete(peerId);
    for (const t of peer.transports.values()) t.close();
    for (const [producerId] of peer.producers) this.emit('producerClosed', producerId, peerId, 'closed');
  }

  setRtpCapabilities(peerId: string, caps: Record<string, unknown>): void {
    const peer = this.peer(peerId);
    if (!Array.isArray((caps as { codecs?: unknown }).codecs)) throw new AppError('BAD_REQUEST', 'rtpCapabilities.codecs must be an array');
    peer.rtpCapabilities = caps as types.RtpCapabilities;
  }

  async createTransport(peerId: string, direction: 'send' | 'recv'): Promise<TransportInfo> {
    const peer = this.peer(peerId);
    if (peer.transports.size >= MAX_TRANSPORTS_PER_PEER) {
      // A reconnecting client replaces its transports: drop the oldest of the same direction.
      const old = [...peer.transports.values()].find((t) => t.appData.direction === direction);
      old?.close();
      if (old) peer.transports.delete(old.id);
    }
    const worker = this.opts.pool.get(peer.slot.workerIndex);
    if (!worker) throw new AppError('MEDIA_UNAVAILABLE', 'Media worker is restarting, retry shortly', 503);
    const transport = await peer.slot.router.createWebRtcTransport({
      webRtcServer: worker.webRtcServer,
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
      initialAvailableOutgoingBitrate: 600_000,
      appData: { direction, peerId },
    });
    peer.transports.set(transport.id, transport);
    transport.on('icestatechange', (s) => {
      if (s === 'disconnected') this.opts.logger.debug({ peerId, transportId: transport.id }, 'ICE disconnected');
    });
    return {
      id: transport.id,
      iceParameters: transport.iceParameters as unknown as Record<string, unknown>,
      iceCandidates: transport.iceCandidates as unknown as Record<string, unknown>[],
      dtlsParameters: transport.dtlsParameters as unknown as Record<string, unknown>,
    };
  }

  /**
   * Plain RTP for room systems (SIP/RTP hardware codecs) and synthetic senders.
   * comedia: learn the remote address from the first packet it sends.
   */
  async createPlainTransport(
    peerId: string,
    direction: 'send' | 'recv',
    opts: { listenIp: string; comedia: boolean; rtcpMux: boolean },
  ): Promise<{ id: string; ip: string; port: number; rtcpPort: number | undefined }> {
    const peer = this.peer(peerId);
    if (peer.transports.size >= MAX_TRANSPORTS_PER_PEER) throw new AppError('TOO_MANY_TRANSPORTS', 'Too many transports for one peer', 409);
    const transport = await peer.slot.router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: opts.listenIp },
      comedia: opts.comedia,
      rtcpMux: opts.rtcpMux,
      appData: { direction, peerId },
    });
    peer.transports.set(transport.id, transport);
    return {
      id: transport.id,
      ip: transport.tuple.localAddress,
      port: transport.tuple.localPort,
      rtcpPort: transport.rtcpTuple?.localPort,
    };
  }

  async connectPlainTransport(peerId: string, transportId: string, remote: { ip: string; port: number; rtcpPort?: number }): Promise<void> {
    const t = this.transport(peerId, transportId);
    if (t.type !== 'plain') throw new AppError('BAD_TRANSPORT', 'Not a plain RTP transport');
    await this.mediasoupCall(() => (t as types.PlainTransport).connect(remote));
  }

  async connectTransport(peerId: string, transportId: string, dtlsParameters: Record<string, unknown>): Promise<void> {
    const transport = this.webRtcTransport(peerId, transportId);
    await this.mediasoupCall(() => transport.connect({ dtlsParameters: dtlsParameters as unknown as types.DtlsParameters }));
  }

  async restartIce(peerId: string, transportId: string): Promise<Record<string, unknown>> {
    const transport = this.webRtcTransport(peerId, transportId);
    return (await transport.restartIce()) as unknown as Record<string, unknown>;
  }

  async produce(
    peerId: string,
    transportId: string,
    kind: 'audio' | 'video',
    rtpParameters: Record<string, unknown>,
    source: MediaSource,
  ): Promise<string> {
    const peer = this.peer(peerId);
    const transport = this.transport(peerId, transportId);
    if (transport.appData.direction !== 'send') throw new AppError('BAD_TRANSPORT', 'Not a send transport');
    if (peer.producers.size >= MAX_PRODUCERS_PER_PEER) throw new AppError('TOO_MANY_PRODUCERS', 'Too many producers for one peer', 409);
    for (const p of peer.producers.values()) {
      if (p.source === source) throw new AppError('SOURCE_ALREADY_PRODUCED', `Already producing ${source}`, 409);
    }
    const producer = await this.mediasoupCall(() =>
      transport.produce({ kind, rtpParameters: rtpParameters as unknown as types.RtpParameters, appData: { peerId, source } }),
    );
    peer.producers.set(producer.id, { producer, source, slot: peer.slot });
    producer.on('transportclose', () => {
      peer.producers.delete(producer.id);
      this.emit('producerClosed', producer.id, peerId, peer.slot.router.closed ? 'media-lost' : 'closed');
    });
    if (kind === 'audio') void this.observeSpeaker(producer.id, peer.slot);
    this.emit('producerAdded', { producerId: producer.id, peerId, kind, source, paused: producer.paused });
    return producer.id;
  }

  async closeProducer(peerId: string, producerId: string): Promise<void> {
    const peer = this.peer(peerId);
    const entry = peer.producers.get(producerId);
    if (!entry) throw new AppError('PRODUCER_NOT_FOUND', 'No such producer of yours', 404);
    entry.producer.close();
    peer.producers.delete(producerId);
    this.emit('producerClosed', producerId, peerId, 'closed');
  }

  /** Server-side pause: the producer's media is not forwarded to anyone (used for muting). */
  async setProducerPaused(peerId: string, producerId: string, paused: boolean): Promise<void> {
    const entry = this.peer(peerId).producers.get(producerId);
    if (!entry) throw new AppError('PRODUCER_NOT_FOUND', 'No such producer', 404);
    if (paused) await entry.producer.pause();
    else await entry.producer.resume();
    this.emit('producerPaused', producerId, peerId, paused);
  }

  /** All producers of a peer with a given kind (for server-side mute policies). */
  producersOf(peerId: string, kind?: 'audio' | 'video'): { producerId: string; source: MediaSource; paused: boolean }[] {
    const peer = this.peers.get(peerId);
    if (!peer) return [];
    return [...peer.producers.values()]
      .filter((p) => !kind || p.producer.kind === kind)
      .map((p) => ({ producerId: p.producer.id, source: p.source, paused: p.producer.paused }));
  }

  /** Every producer in the room, for a newly joined peer. */
  announcements(exceptPeer?: string): ProducerAnnouncement[] {
    const out: ProducerAnnouncement[] = [];
    for (const peer of this.peers.values()) {
      if (peer.id === exceptPeer) continue;
      for (const p of peer.producers.values()) {
        out.push({ producerId: p.producer.id, peerId: peer.id, kind: p.producer.kind, source: p.source, paused: p.producer.paused });
      }
    }
    return out;
  }

  async consume(peerId: string, producerId: string): Promise<ConsumerInfo> {
    const peer = this.peer(peerId);
    if (!peer.rtpCapabilities) throw new AppError('NO_RTP_CAPABILITIES', 'Send rtpCapabilities before consuming', 409);
    if (peer.consumers.size >= MAX_CONSUMERS_PER_PEER) throw new AppError('TOO_MANY_CONSUMERS', 'Too many consumers', 409);
    const owner = this.producerOwner(producerId);
    if (!owner) throw new AppError('PRODUCER_NOT_FOUND', 'No such producer in this room', 404);
    const recv = [...peer.transports.values()].find((t) => t.appData.direction === 'recv' && !t.closed);
    if (!recv) throw new AppError('NO_RECV_TRANSPORT', 'Create a recv transport first', 409);
    await this.ensurePiped(producerId, owner.entry.slot, peer.slot);
    if (!peer.slot.router.canConsume({ producerId, rtpCapabilities: peer.rtpCapabilities })) {
      throw new AppError('CANNOT_CONSUME', 'Your device cannot decode this stream', 409);
    }
    const consumer = await this.mediasoupCall(() =>
      recv.consume({
        producerId,
        rtpCapabilities: peer.rtpCapabilities!,
        paused: true,
        // Start thumbnails and new tiles low; the client raises layers for the main picture.
        preferredLayers: { spatialLayer: 0, temporalLayer: 2 },
        appData: { peerId, producerPeerId: owner.peer.id },
      }),
    );
    peer.consumers.set(consumer.id, consumer);
    const drop = () => {
      if (peer.consumers.delete(consumer.id)) this.emit('consumerClosed', peerId, consumer.id);
    };
    consumer.on('producerclose', drop);
    consumer.on('transportclose', () => peer.consumers.delete(consumer.id));
    return {
      consumerId: consumer.id,
      producerId,
      peerId: owner.peer.id,
      kind: consumer.kind,
      source: owner.entry.source,
      rtpParameters: consumer.rtpParameters as unknown as Record<string, unknown>,
    };
  }

  async resumeConsumer(peerId: string, consumerId: string): Promise<void> {
    await this.consumer(peerId, consumerId).resume();
  }

  async setConsumerLayers(peerId: string, consumerId: string, spatialLayer: number, temporalLayer?: number): Promise<void> {
    const consumer = this.consumer(peerId, consumerId);
    if (consumer.kind !== 'video') throw new AppError('BAD_REQUEST', 'Layers apply to video consumers only');
    await consumer.setPreferredLayers(temporalLayer === undefined ? { spatialLayer } : { spatialLayer, temporalLayer });
  }

  async closeConsumer(peerId: string, consumerId: string): Promise<void> {
    const consumer = this.consumer(peerId, consumerId);
    consumer.close();
    this.peer(peerId).consumers.delete(consumerId);
  }

  /** Real statistics for connection-quality indicators. */
  async peerStats(
    peerId: string,
  ): Promise<{ rttMs: number | null; lossFraction: number; sendBps: number; recvBps: number; jitterMs: number | null }> {
    const peer = this.peer(peerId);
    let sendBps = 0;
    let recvBps = 0;
    let rtt: number | null = null;
    let loss = 0;
    let lossN = 0;
    let jitter: number | null = null;
    for (const t of peer.transports.values()) {
      for (const s of await t.getStats()) {
        recvBps += s.recvBitrate ?? 0;
        sendBps += s.sendBitrate ?? 0;
      }
    }
    for (const { producer } of peer.producers.values()) {
      for (const s of await producer.getStats()) {
        if (typeof s.fractionLost === 'number') {
          loss += s.fractionLost / 256;
          lossN++;
        }
        if (typeof s.jitter === 'number') jitter = Math.max(jitter ?? 0, (s.jitter / 90000) * 1000);
        if (typeof s.roundTripTime === 'number' && s.roundTripTime > 0) rtt = Math.max(rtt ?? 0, s.roundTripTime);
      }
    }
    for (const c of peer.consumers.values()) {
      for (const s of await c.getStats()) {
        if (s.type === 'outbound-rtp' && typeof s.roundTripTime === 'number' && s.roundTripTime > 0)
          rtt = Math.max(rtt ?? 0, s.roundTripTime);
      }
    }
    return { rttMs: rtt, lossFraction: lossN ? loss / lossN : 0, sendBps, recvBps, jitterMs: jitter };
  }

  /** Packets the server received per producer (inbound-rtp packetCount), for tests and metrics. */
  async producerPackets(): Promise<{ producerId: string; peerId: string; kind: 'audio' | 'video'; packets: number; bytes: number }[]> {
    const out: { producerId: string; peerId: string; kind: 'audio' | 'video'; packets: number; bytes: number }[] = [];
    for (const peer of this.peers.values()) {
      for (const { producer } of peer.producers.values()) {
        let packets = 0;
        let bytes = 0;
        for (const s of await producer.getStats()) {
          packets += s.packetCount;
          bytes += s.byteCount;
        }
        out.push({ producerId: producer.id, peerId: peer.id, kind: producer.kind, packets, bytes });
      }
    }
    return out;
  }

  counts(): { producers: number; consumers: number } {
    let producers = 0;
    let consumers = 0;
    for (const p of this.peers.values()) {
      producers += p.producers.size;
      consumers += p.consumers.size;
    }
    return { producers, consumers };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.opts.pool.off('workerDied', this.onWorkerDied);
    for (const s of this.slots) {
      s.router.close();
      const w = this.opts.pool.get(s.workerIndex);
      if (w) w.routers--;
    }
    this.slots.length = 0;
    this.peers.clear();
  }

  // --- internals

  private peer(peerId: string): PeerMedia {
    const p = this.peers.get(peerId);
    if (!p) throw new AppError('NOT_IN_ROOM', 'Join the room first', 409);
    return p;
  }

  private transport(peerId: string, transportId: string): types.WebRtcTransport | types.PlainTransport {
    const t = this.peer(peerId).transports.get(transportId);
    if (!t || t.closed) throw new AppError('TRANSPORT_NOT_FOUND', 'No such transport of yours', 404);
    return t;
  }

  private webRtcTransport(peerId: string, transportId: string): types.WebRtcTransport {
    const t = this.transport(peerId, transportId);
    if (t.type !== 'webrtc') throw new AppError('BAD_TRANSPORT', 'Not a WebRTC transport');
    return t as types.WebRtcTransport;
  }

  private consumer(peerId: string, consumerId: string): types.Consumer {
    const c = this.peer(peerId).consumers.get(consumerId);
    if (!c) throw new AppError('CONSUMER_NOT_FOUND', 'No such consumer of yours', 404);
    return c;
  }

  private producerOwner(
    producerId: string,
  ): { peer: PeerMedia; entry: PeerMedia['producers'] extends Map<string, infer E> ? E : never } | undefined {
    for (const peer of this.peers.values()) {
      const entry = peer.producers.get(producerId);
      if (entry) return { peer, entry };
    }
    return undefined;
  }

  /** mediasoup throws TypeError on malformed parameters: that is the client's fault. */
  private async mediasoupCall<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof TypeError || (e as Error).name === 'TypeError' || (e as Error).name === 'UnsupportedError') {
        throw new AppError('BAD_MEDIA_PARAMETERS', (e as Error).message);
      }
      throw e;
    }
  }

  private async slotForNewPeer(): Promise<RouterSlot> {
    const open = this.slots.find((s) => s.peers.size < this.opts.maxPeersPerRouter);
    if (open) return open;
    // At most one router per worker and room: piping between routers of the same
    // worker would clash on producer ids and gains nothing.
    const used = new Set(this.slots.map((s) => s.workerIndex));
    if (this.opts.pool.all().some((w) => !used.has(w.index))) return this.newSlot(used);
    return this.slots.reduce((a, b) => (b.peers.size < a.peers.size ? b : a));
  }

  private async newSlot(avoidWorkers: ReadonlySet<number>): Promise<RouterSlot> {
    const worker: PooledWorker = this.opts.pool.leastLoaded(avoidWorkers);
    const router = await worker.worker.createRouter({ mediaCodecs: ROUTER_CODECS, appData: { roomId: this.id } });
    worker.routers++;
    const slot: RouterSlot = { workerIndex: worker.index, router, peers: new Set(), piped: new Map() };
    this.slots.push(slot);
    return slot;
  }

  private async ensurePiped(producerId: string, from: RouterSlot, to: RouterSlot): Promise<void> {
    if (from === to) return;
    let pending = to.piped.get(producerId);
    if (!pending) {
      pending = from.router.pipeToRouter({ producerId, router: to.router }).then(() => undefined);
      to.piped.set(producerId, pending);
      pending.catch(() => to.piped.delete(producerId));
    }
    await pending;
  }

  private async observeSpeaker(producerId: string, slot: RouterSlot): Promise<void> {
    try {
      if (!this.speakerObserver) {
        this.speakerSlot = this.slots[0];
        if (!this.speakerSlot) return;
        const obs = await this.speakerSlot.router.createActiveSpeakerObserver({ interval: 300 });
        this.speakerObserver = obs;
        obs.on('dominantspeaker', ({ producer }) => this.emit('activeSpeaker', (producer.appData.peerId as string) ?? null));
      }
      await this.ensurePiped(producerId, slot, this.speakerSlot!);
      await this.speakerObserver.addProducer({ producerId });
    } catch (e) {
      this.opts.logger.debug({ err: e, producerId }, 'active speaker observation not added');
    }
  }

  private handleWorkerDeath(index: number): void {
    const dead = this.slots.filter((s) => s.workerIndex === index);
    if (dead.length === 0) {
      // Producers piped from the dead worker closed; nothing else to rebuild here.
      return;
    }
    for (const slot of dead) this.slots.splice(this.slots.indexOf(slot), 1);
    if (this.speakerSlot && dead.includes(this.speakerSlot)) {
      this.speakerObserver = undefined;
      this.speakerSlot = undefined;
    }
    const reset: string[] = [];
    for (const slot of dead) {
      for (const peerId of slot.peers) {
        const peer = this.peers.get(peerId);
        if (!peer) continue;
        for (const [producerId] of peer.producers) this.emit('producerClosed', producerId, peerId, 'media-lost');
        // Forget the dead peer state; the client rebuilds its media after peerMediaReset.
        this.peers.delete(peerId);
        reset.push(peerId);
      }
    }
    // Pipes from the dead routers are gone too.
    for (const slot of this.slots) {
      for (const [producerId] of slot.piped) if (!this.producerOwner(producerId)) slot.piped.delete(producerId);
    }
    for (const peerId of reset) this.emit('peerMediaReset', peerId);
  }
}
