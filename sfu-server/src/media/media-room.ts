// Media of one room (a meeting or a technical self-test) on top of mediasoup.
// Peers are spread over routers on different workers once a router is full
// (router-slots.ts); producers are piped to the router of each consumer that needs them.
import { EventEmitter } from 'node:events';
import { AppError, type Logger } from '@lienthong/kit';
import type { types } from 'mediasoup';
import type { ConsumerInfo, MediaSource, ProducerAnnouncement, TransportInfo } from '../protocol/media';
import { ActiveSpeaker } from './active-speaker';
import { applyShed, clientLayers, clientResume, initShaping, type RecvLink, recvLink, sentLayer, type VideoShed } from './consumer-shaping';
import { type PeerStats, type ProducerPackets, peerStats, producerPackets, type RecvSide } from './media-stats';
import { MediaTap } from './media-tap';
import {
  announcementsOf,
  consumerInfo,
  consumerOf,
  countsOf,
  type MediaRoomEvents,
  mediasoupCall,
  openWebRtcTransport,
  type PeerMedia,
  type ProducerEntry,
  type ProducerView,
  producersOfPeer,
  transportOf,
  webRtcTransportOf,
} from './peer-media';
import { openPlainTransport, type PlainTransportInfo, type PlainTransportOptions } from './plain-transport';
import { type RemoteChange, RemoteProducers, type RoomCascade, watchUntilDone } from './remote-producers';
import { RouterSlots } from './router-slots';
import type { MediaWorkerPool } from './worker-pool';

export type { MediaRoomEvents, ProducerCloseReason } from './peer-media';

const gone = () => new AppError('PRODUCER_NOT_FOUND', 'No such producer in this room', 404);
export interface MediaRoomOptions {
  pool: MediaWorkerPool;
  logger: Logger;
  /** Peers per router before another worker's router is used. */
  maxPeersPerRouter: number;
  /** Streams one peer may receive at once. */
  consumersPerPeer?: number;
  /** Resend audio a receiver asks for again (NACK); with media.adaptation (default on). */
  audioNack?: boolean;
}

const MAX_TRANSPORTS_PER_PEER = 4;
const ANNOUNCE_WAIT_MS = 3000; // a consume waits this long for another server's producer to be announced here
const SPEAKER_WATCHER = 'active-speaker';
const RECORDER_WATCHER = 'recorder';
const MAX_PRODUCERS_PER_PEER = 4;
const DEFAULT_CONSUMERS_PER_PEER = 400;

type Owner = { peerId: string; entry: ProducerEntry };

export class MediaRoom extends EventEmitter<MediaRoomEvents> {
  private readonly slots: RouterSlots;
  private readonly speaker: ActiveSpeaker;
  private readonly peers = new Map<string, PeerMedia>();
  /** Producers of other servers of a cascaded meeting (none unless a cascade is attached). */
  private readonly remote = new RemoteProducers({
    added: (a) => {
      if (a.kind === 'audio') void this.observeRemoteAudio(a.producerId);
      this.emit('producerAdded', a);
    },
    paused: (id, peerId, paused) => this.emit('producerPaused', id, peerId, paused),
    closed: (id, peerId) => this.emit('producerClosed', id, peerId, 'closed'),
  });
  private closed = false;
  private readonly onWorkerDied = (index: number) => this.handleWorkerDeath(index);

  constructor(
    readonly id: string,
    private readonly opts: MediaRoomOptions,
  ) {
    super();
    this.slots = new RouterSlots(id, opts.pool, opts.maxPeersPerRouter);
    this.speaker = new ActiveSpeaker(this.slots, opts.logger, (peerId) => this.emit('activeSpeaker', peerId));
    opts.pool.on('workerDied', this.onWorkerDied);
  }

  /** Join this room to a cascaded meeting: its producers are published, the others' offered here. */
  attachCascade(cascade: RoomCascade): void {
    this.remote.attach(cascade);
    for (const peer of this.peers.values())
      for (const p of peer.producers.values()) cascade.publish(p.producer, { peerId: peer.id, source: p.source });
  }

  remoteChange = (change: RemoteChange): void => this.remote.apply(change);
  remoteAvailable = (producerId: string): void => this.remote.available(producerId);

  /** The router where copies of remote producers arrive and the cascade links live. */
  cascadeRouter = async (): Promise<types.Router> => (await this.slots.firstOrNew()).router;

  get peerCount(): number {
    return this.peers.size;
  }
  routerCount = (): number => this.slots.count;

  async rtpCapabilities(): Promise<types.RtpCapabilities> {
    return (await this.slots.firstOrNew()).router.rtpCapabilities;
  }

  async addPeer(peerId: string): Promise<void> {
    if (this.closed) throw new AppError('ROOM_CLOSED', 'Room media is closed', 409);
    if (this.peers.has(peerId)) this.removePeer(peerId);
    const slot = await this.slots.forNewPeer();
    if (this.closed) throw new AppError('ROOM_CLOSED', 'Room media is closed', 409);
    slot.peers.add(peerId);
    this.peers.set(peerId, {
      id: peerId,
      slot,
      transports: new Map(),
      producers: new Map(),
      consumers: new Map(),
      consuming: new Map(),
      rtpCapabilities: undefined,
    });
  }

  hasPeer = (peerId: string): boolean => this.peers.has(peerId);

  peerIds = (): string[] => [...this.peers.keys()];

  removePeer(peerId: string): void {
    const peer = this.peers.get(peerId);
    if (!peer) return;
    this.peers.delete(peerId);
    peer.slot.peers.delete(peerId);
    for (const t of peer.transports.values()) t.close();
    this.remote.peerGone(peerId);
    for (const [producerId] of peer.producers) this.emit('producerClosed', producerId, peerId, 'closed');
  }

  setRtpCapabilities(peerId: string, caps: Record<string, unknown>): void {
    const peer = this.peer(peerId);
    if (!Array.isArray((caps as { codecs?: unknown }).codecs)) throw new AppError('BAD_REQUEST', 'rtpCapabilities.codecs must be an array');
    peer.rtpCapabilities = caps as types.RtpCapabilities;
  }

  createTransport = async (peerId: string, direction: 'send' | 'recv'): Promise<TransportInfo> =>
    openWebRtcTransport(this.peer(peerId), this.opts.pool, direction, MAX_TRANSPORTS_PER_PEER);

  /** Plain RTP for room systems (SIP/RTP hardware codecs) and synthetic senders. */
  async createPlainTransport(peerId: string, direction: 'send' | 'recv', opts: PlainTransportOptions): Promise<PlainTransportInfo> {
    const peer = this.peer(peerId);
    if (peer.transports.size >= MAX_TRANSPORTS_PER_PEER) throw new AppError('TOO_MANY_TRANSPORTS', 'Too many transports for one peer', 409);
    const { transport, info } = await openPlainTransport(peer.slot.router, opts, { direction, peerId });
    peer.transports.set(transport.id, transport);
    return info;
  }

  async connectPlainTransport(peerId: string, transportId: string, remote: { ip: string; port: number; rtcpPort?: number }): Promise<void> {
    const t = transportOf(this.peer(peerId), transportId);
    if (t.type !== 'plain') throw new AppError('BAD_TRANSPORT', 'Not a plain RTP transport');
    await mediasoupCall(() => (t as types.PlainTransport).connect(remote));
  }

  async connectTransport(peerId: string, transportId: string, dtlsParameters: Record<string, unknown>): Promise<void> {
    const transport = webRtcTransportOf(this.peer(peerId), transportId);
    await mediasoupCall(() => transport.connect({ dtlsParameters: dtlsParameters as unknown as types.DtlsParameters }));
  }

  async restartIce(peerId: string, transportId: string): Promise<Record<string, unknown>> {
    return (await webRtcTransportOf(this.peer(peerId), transportId).restartIce()) as unknown as Record<string, unknown>;
  }

  async produce(
    peerId: string,
    transportId: string,
    kind: 'audio' | 'video',
    rtpParameters: Record<string, unknown>,
    source: MediaSource,
  ): Promise<string> {
    const peer = this.peer(peerId);
    const transport = transportOf(peer, transportId);
    if (transport.appData.direction !== 'send') throw new AppError('BAD_TRANSPORT', 'Not a send transport');
    if (peer.producers.size >= MAX_PRODUCERS_PER_PEER) throw new AppError('TOO_MANY_PRODUCERS', 'Too many producers for one peer', 409);
    for (const p of peer.producers.values()) {
      if (p.source === source) throw new AppError('SOURCE_ALREADY_PRODUCED', `Already producing ${source}`, 409);
    }
    const producer = await mediasoupCall(() =>
      transport.produce({ kind, rtpParameters: rtpParameters as unknown as types.RtpParameters, appData: { peerId, source } }),
    );
    peer.producers.set(producer.id, { producer, source, slot: peer.slot });
    producer.on('transportclose', () => {
      peer.producers.delete(producer.id);
      this.emit('producerClosed', producer.id, peerId, peer.slot.router.closed ? 'media-lost' : 'closed');
    });
    if (kind === 'audio') void this.speaker.observe(producer.id, peer.slot);
    this.emit('producerAdded', { producerId: producer.id, peerId, kind, source, paused: producer.paused });
    this.remote.attached?.publish(producer, { peerId, source });
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
  producersOf = (peerId: string, kind?: 'audio' | 'video'): ProducerView[] => producersOfPeer(this.peers.get(peerId), kind);

  /** Every producer in the room, for a newly joined peer. */
  announcements(exceptPeer?: string): ProducerAnnouncement[] {
    return [...this.remote.list().filter((a) => a.peerId !== exceptPeer), ...announcementsOf(this.peers.values(), exceptPeer)];
  }

  /** The kind of a producer in this room, if it exists. */
  producerKind(producerId: string): 'audio' | 'video' | undefined {
    return this.producerOwner(producerId)?.entry.producer.kind ?? this.remote.get(producerId)?.kind;
  }

  consumersOf = (peerId: string) =>
    [...(this.peers.get(peerId)?.consumers.values() ?? [])].map((c) => ({ consumerId: c.id, kind: c.kind }));

  /** One consumer per producer and peer: asking again (even at the same time) returns the same one. */
  async consume(peerId: string, producerId: string): Promise<ConsumerInfo> {
    const peer = this.peer(peerId);
    const owner = this.producerOwner(producerId) ?? (await this.remoteOwner(producerId, peerId));
    const existing = [...peer.consumers.values()].find((c) => c.producerId === producerId && !c.closed);
    if (existing) return consumerInfo(existing, owner);
    const pending = peer.consuming.get(producerId);
    if (pending) return pending;
    const cap = this.opts.consumersPerPeer ?? DEFAULT_CONSUMERS_PER_PEER;
    if (peer.consumers.size + peer.consuming.size >= cap) throw new AppError('TOO_MANY_CONSUMERS', 'Too many consumers', 409);
    // The producer closing meanwhile (a site reloading) is a clear 404, not a worker's internal error.
    const made = this.newConsumer(peer, producerId, owner).catch((e: unknown) =>
      Promise.reject(this.producerOwner(producerId) || this.remote.get(producerId) ? e : gone()),
    );
    peer.consuming.set(producerId, made);
    try {
      return await made;
    } finally {
      peer.consuming.delete(producerId);
    }
  }

  /** A remote producer's copy on this server, as the owner of what a local peer consumes. */
  private async remoteOwner(producerId: string, peerId: string, layer = 0): Promise<Owner> {
    const a = this.remote.get(producerId) ?? (await this.remote.whenKnown(producerId, ANNOUNCE_WAIT_MS));
    if (!a) throw gone();
    const producer = await this.remote.copyFor(producerId, peerId, layer);
    const slot = this.slots.first();
    if (!slot || producer.closed) throw gone();
    return { peerId: a.peerId, entry: { producer, source: a.source, slot } };
  }

  /** Another server's microphone takes part in choosing the main picture here too. */
  private async observeRemoteAudio(producerId: string): Promise<void> {
    const copy = await this.remote.newCopyFor(producerId, SPEAKER_WATCHER);
    const slot = this.slots.first();
    if (copy && slot && !copy.closed) await this.speaker.observe(copy.id, slot);
  }

  private async newConsumer(peer: PeerMedia, producerId: string, owner: Owner): Promise<ConsumerInfo> {
    const peerId = peer.id;
    if (!peer.rtpCapabilities) throw new AppError('NO_RTP_CAPABILITIES', 'Send rtpCapabilities before consuming', 409);
    const recv = [...peer.transports.values()].find((t) => t.appData.direction === 'recv' && !t.closed);
    if (!recv) throw new AppError('NO_RECV_TRANSPORT', 'Create a recv transport first', 409);
    await this.slots.ensurePiped(producerId, owner.entry.slot, peer.slot);
    if (!peer.slot.router.canConsume({ producerId, rtpCapabilities: peer.rtpCapabilities })) {
      throw new AppError('CANNOT_CONSUME', 'Your device cannot decode this stream', 409);
    }
    const consumer = await mediasoupCall(() =>
      recv.consume({
        producerId,
        rtpCapabilities: peer.rtpCapabilities!,
        paused: true,
        // Audio too: a lost Opus packet asked for again in time is not concealed (mediasoup keeps audio off by default).
        enableRtx: this.opts.audioNack !== false,
        // Start thumbnails and new tiles low; the client raises layers for the main picture.
        preferredLayers: { spatialLayer: 0, temporalLayer: 2 },
        appData: { peerId, producerPeerId: owner.peerId, source: owner.entry.source },
      }),
    );
    // The producer may close meanwhile (a room system hanging up at once): a clear 404, not a worker error.
    await initShaping(consumer, 0, 2).catch((e: unknown) => Promise.reject(consumer.closed ? gone() : e));
    peer.consumers.set(consumer.id, consumer);
    const drop = () => {
      if (peer.consumers.delete(consumer.id)) this.emit('consumerClosed', peerId, consumer.id);
    };
    consumer.on('producerclose', drop);
    consumer.on('transportclose', () => peer.consumers.delete(consumer.id));
    // A remote copy closing (a cut link) keeps the demand: the copy is pulled again and re-announced.
    if (this.remote.get(producerId)) watchUntilDone(consumer, () => this.remote.done(producerId, peerId));
    return consumerInfo(consumer, owner);
  }

  resumeConsumer = async (peerId: string, consumerId: string): Promise<void> => clientResume(consumerOf(this.peer(peerId), consumerId));

  async setConsumerLayers(peerId: string, consumerId: string, spatialLayer: number, temporalLayer?: number): Promise<void> {
    const consumer = consumerOf(this.peer(peerId), consumerId);
    if (consumer.kind !== 'video') throw new AppError('BAD_REQUEST', 'Layers apply to video consumers only');
    await clientLayers(consumer, spatialLayer, temporalLayer);
    this.remote.layer(consumer.producerId, peerId, sentLayer(consumer));
  }

  /** The measured link toward a receiver (null before its recv transport exists), for adaptation. */
  async recvLink(peerId: string, streams?: number): Promise<RecvLink | null> {
    const peer = this.peers.get(peerId);
    return peer ? recvLink(peer, streams) : null;
  }

  /** Adaptation's caps and pauses for a receiver's video (the client's choices stay underneath); a remote stream follows them over its link. */
  async shedVideo(peerId: string, actions: readonly VideoShed[]): Promise<void> {
    const peer = this.peers.get(peerId);
    if (peer) for (const l of await applyShed(peer, actions)) this.remote.layer(l.producerId, peerId, l.layer);
  }

  async closeConsumer(peerId: string, consumerId: string): Promise<void> {
    const consumer = consumerOf(this.peer(peerId), consumerId);
    consumer.close();
    this.peer(peerId).consumers.delete(consumerId);
  }

  /** Plain RTP outputs for the recorder, on one of the room's routers; producers living elsewhere are piped there. */
  async openTap(): Promise<MediaTap> {
    const slot = await this.slots.firstOrNew();
    const bring = async (producerId: string) => {
      // Another server's site is recorded here too, from its copy at the top layer.
      const owner =
        this.producerOwner(producerId) ??
        (this.remote.get(producerId) ? await this.remoteOwner(producerId, RECORDER_WATCHER, 2).catch(() => undefined) : undefined);
      if (!owner) return null;
      await this.slots.ensurePiped(producerId, owner.entry.slot, slot);
      return owner.entry.producer.rtpParameters.codecs[0] ?? null;
    };
    return new MediaTap({ router: slot.router, bring });
  }

  /** Real statistics for connection-quality indicators. */
  async peerStats(peerId: string, recv?: RecvSide): Promise<PeerStats> {
    return peerStats(this.peer(peerId), recv);
  }

  /** Packets the server received per producer (inbound-rtp packetCount), for tests and metrics. */
  producerPackets = (): Promise<ProducerPackets[]> => producerPackets(this.peers.values());

  counts = (): { producers: number; consumers: number } => countsOf(this.peers.values());

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.opts.pool.off('workerDied', this.onWorkerDied);
    this.slots.close();
    this.peers.clear();
    this.remote.clear();
    this.emit('closed');
  }

  // --- internals

  private peer(peerId: string): PeerMedia {
    const p = this.peers.get(peerId);
    if (!p) throw new AppError('NOT_IN_ROOM', 'Join the room first', 409);
    return p;
  }

  private producerOwner(producerId: string): Owner | undefined {
    for (const peer of this.peers.values()) {
      const entry = peer.producers.get(producerId);
      if (entry) return { peerId: peer.id, entry };
    }
    return undefined;
  }

  private handleWorkerDeath(index: number): void {
    const dead = this.slots.dropWorker(index);
    // None here: producers piped from the dead worker closed; nothing else to rebuild.
    if (dead.length === 0) return;
    this.speaker.routersLost(dead);
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
    this.slots.forgetPipes((producerId) => this.producerOwner(producerId) !== undefined);
    for (const peerId of reset) this.emit('peerMediaReset', peerId);
  }
}
