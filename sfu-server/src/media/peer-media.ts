// One peer's media state inside a MediaRoom, the room's events, and the lookups
// that turn a client's ids into mediasoup objects (coded errors when not its own).

import { AppError } from '@lienthong/kit';
import type { types } from 'mediasoup';
import type { ConsumerInfo, MediaSource, ProducerAnnouncement, TransportInfo } from '../protocol/media';
import type { RouterSlot } from './router-slots';
import type { MediaWorkerPool } from './worker-pool';

export interface ProducerEntry {
  producer: types.Producer;
  source: MediaSource;
  slot: RouterSlot;
}

export type MediaTransport = types.WebRtcTransport | types.PlainTransport;

export interface PeerMedia {
  id: string;
  slot: RouterSlot;
  transports: Map<string, MediaTransport>;
  producers: Map<string, ProducerEntry>;
  consumers: Map<string, types.Consumer>;
  /** Consumers being made, by producer id: a second request for the same producer waits for the first. */
  consuming: Map<string, Promise<ConsumerInfo>>;
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
  /** The room's media closed (its last peer left). */
  closed: [];
}

export function transportOf(peer: PeerMedia, transportId: string): MediaTransport {
  const t = peer.transports.get(transportId);
  if (!t || t.closed) throw new AppError('TRANSPORT_NOT_FOUND', 'No such transport of yours', 404);
  return t;
}

export function webRtcTransportOf(peer: PeerMedia, transportId: string): types.WebRtcTransport {
  const t = transportOf(peer, transportId);
  if (t.type !== 'webrtc') throw new AppError('BAD_TRANSPORT', 'Not a WebRTC transport');
  return t as types.WebRtcTransport;
}

export function consumerOf(peer: PeerMedia, consumerId: string): types.Consumer {
  const c = peer.consumers.get(consumerId);
  if (!c) throw new AppError('CONSUMER_NOT_FOUND', 'No such consumer of yours', 404);
  return c;
}

/** What a client needs to receive a consumer's stream. */
export function consumerInfo(consumer: types.Consumer, owner: { peerId: string; entry: ProducerEntry }): ConsumerInfo {
  return {
    consumerId: consumer.id,
    producerId: consumer.producerId,
    peerId: owner.peerId,
    kind: consumer.kind,
    source: owner.entry.source,
    rtpParameters: consumer.rtpParameters as unknown as Record<string, unknown>,
  };
}

/** mediasoup throws TypeError on malformed parameters: that is the client's fault. */
export async function mediasoupCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof TypeError || (e as Error).name === 'TypeError' || (e as Error).name === 'UnsupportedError') {
      throw new AppError('BAD_MEDIA_PARAMETERS', (e as Error).message);
    }
    throw e;
  }
}

/** Every producer of these peers but one peer's, as a newly joined peer is told of them. */
export function announcementsOf(peers: Iterable<PeerMedia>, exceptPeer?: string): ProducerAnnouncement[] {
  const out: ProducerAnnouncement[] = [];
  for (const peer of peers) {
    if (peer.id === exceptPeer) continue;
    for (const p of peer.producers.values()) {
      out.push({ producerId: p.producer.id, peerId: peer.id, kind: p.producer.kind, source: p.source, paused: p.producer.paused });
    }
  }
  return out;
}

/** How many producers and consumers these peers hold. */
export function countsOf(peers: Iterable<PeerMedia>): { producers: number; consumers: number } {
  let producers = 0;
  let consumers = 0;
  for (const p of peers) {
    producers += p.producers.size;
    consumers += p.consumers.size;
  }
  return { producers, consumers };
}

/** A WebRTC transport for a peer on its router's worker; a reconnecting client's oldest of the same direction makes room. */
export async function openWebRtcTransport(
  peer: PeerMedia,
  pool: MediaWorkerPool,
  direction: 'send' | 'recv',
  maxPerPeer: number,
): Promise<TransportInfo> {
  if (peer.transports.size >= maxPerPeer) {
    const old = [...peer.transports.values()].find((t) => t.appData.direction === direction);
    old?.close();
    if (old) peer.transports.delete(old.id);
  }
  const worker = pool.get(peer.slot.workerIndex);
  if (!worker) throw new AppError('MEDIA_UNAVAILABLE', 'Media worker is restarting, retry shortly', 503);
  const transport = await peer.slot.router.createWebRtcTransport({
    webRtcServer: worker.webRtcServer,
    enableUdp: true,
    enableTcp: true,
    preferUdp: true,
    initialAvailableOutgoingBitrate: 600_000,
    appData: { direction, peerId: peer.id },
  });
  peer.transports.set(transport.id, transport);
  return {
    id: transport.id,
    iceParameters: transport.iceParameters as unknown as Record<string, unknown>,
    iceCandidates: transport.iceCandidates as unknown as Record<string, unknown>[],
    dtlsParameters: transport.dtlsParameters as unknown as Record<string, unknown>,
  };
}

export interface ProducerView {
  producerId: string;
  source: MediaSource;
  paused: boolean;
}

/** A peer's producers, of one kind or all (none for an unknown peer). */
export function producersOfPeer(peer: PeerMedia | undefined, kind?: 'audio' | 'video'): ProducerView[] {
  return [...(peer?.producers.values() ?? [])]
    .filter((p) => !kind || p.producer.kind === kind)
    .map((p) => ({ producerId: p.producer.id, source: p.source, paused: p.producer.paused }));
}
