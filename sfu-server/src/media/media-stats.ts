// Real transport and RTP statistics of a room's peers, for connection-quality
// indicators, metrics and tests.
import type { PeerMedia } from './peer-media';

export interface PeerStats {
  rttMs: number | null;
  lossFraction: number;
  sendBps: number;
  recvBps: number;
  jitterMs: number | null;
  /** The spatial layer of the best picture the site receives now (null: no video flowing to it). */
  layer: number | null;
}

/** The link toward a site as last read (ms timestamp, round trip, bits/s the server sent it). */
export interface RecvSide {
  at: number;
  rttMs: number | null;
  sendBps: number;
}

export interface ProducerPackets {
  producerId: string;
  peerId: string;
  kind: 'audio' | 'video';
  packets: number;
  bytes: number;
}

/** With `recv` (a fresh reading of the link toward the site), its receive transport and consumers are not asked. */
export async function peerStats(peer: PeerMedia, recv?: RecvSide): Promise<PeerStats> {
  let sendBps = recv?.sendBps ?? 0;
  let recvBps = 0;
  let rtt: number | null = recv?.rttMs ?? null;
  let loss = 0;
  let lossN = 0;
  let jitter: number | null = null;
  for (const t of peer.transports.values()) {
    if (recv && t.appData.direction === 'recv') continue;
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
  // Round trip toward the site from two flowing consumers (audio first, it is never shed): asking
  // every consumer of every site each refresh was a stats request per stream to the worker.
  const flowing = recv ? [] : [...peer.consumers.values()].filter((c) => !c.closed && !c.paused && !c.producerPaused);
  const sampled = [...flowing.filter((c) => c.kind === 'audio'), ...flowing.filter((c) => c.kind === 'video')].slice(0, 2);
  for (const c of sampled) {
    for (const s of await c.getStats()) {
      if (s.type === 'outbound-rtp' && typeof s.roundTripTime === 'number' && s.roundTripTime > 0)
        rtt = Math.max(rtt ?? 0, s.roundTripTime);
    }
  }
  return { rttMs: rtt, lossFraction: lossN ? loss / lossN : 0, sendBps, recvBps, jitterMs: jitter, layer: bestLayer(peer) };
}

/** What the worker says each video consumer forwards now (no stats request): the best spatial layer. */
function bestLayer(peer: PeerMedia): number | null {
  let best: number | null = null;
  for (const c of peer.consumers.values()) {
    if (c.closed || c.paused || c.producerPaused || c.kind !== 'video') continue;
    const layer = c.currentLayers?.spatialLayer;
    if (layer !== undefined) best = Math.max(best ?? 0, layer);
  }
  return best;
}

/** Packets the server received per producer (inbound-rtp packetCount). */
export async function producerPackets(peers: Iterable<PeerMedia>): Promise<ProducerPackets[]> {
  const out: ProducerPackets[] = [];
  for (const peer of peers) {
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
