// A consumer's state has two owners: the client (resume after setup, the layer it wants for
// its layout) and adaptation (a layer cap and a pause when the receiver's link is thin).
// What mediasoup gets is both combined: paused if either pauses, the lower of the layers.
// Also the measured link toward a receiver, which adaptation decides from.
import type { types } from 'mediasoup';
import type { MediaSource } from '../protocol/media';
import { watchFirstFrame } from './first-frame-watch';
import type { PeerMedia } from './peer-media';

interface Shaping {
  clientPaused: boolean;
  spatial: number;
  temporal: number | undefined;
  shed: boolean;
  cap: number | null;
  /** Packets sent at the last link sample: a stream that sent nothing since has a stale round trip. */
  lastPackets: number;
  /** Packets the receiver had asked for again (NACK) at the last sample. */
  lastNacked: number;
  /** The first resume started the first-frame watch. */
  watched: boolean;
}

const shapings = new WeakMap<types.Consumer, Shaping>();

function shapingOf(c: types.Consumer): Shaping {
  let s = shapings.get(c);
  if (!s) {
    s = { clientPaused: true, spatial: 0, temporal: 2, shed: false, cap: null, lastPackets: 0, lastNacked: 0, watched: false };
    shapings.set(c, s);
  }
  return s;
}

/** Audio first: the highest priority when the transport's bitrate is shared out. */
export async function initShaping(c: types.Consumer, spatial: number, temporal: number): Promise<void> {
  const s = shapingOf(c);
  s.spatial = spatial;
  s.temporal = temporal;
  await c.setPriority(c.kind === 'audio' ? 255 : 1);
}

async function applyPause(c: types.Consumer, s: Shaping): Promise<void> {
  const paused = s.clientPaused || s.shed;
  if (paused && !c.paused) await c.pause();
  else if (!paused && c.paused) await c.resume();
}

async function applyLayers(c: types.Consumer, s: Shaping): Promise<void> {
  if (c.kind !== 'video' || c.type === 'simple') return;
  const spatialLayer = s.cap === null ? s.spatial : Math.min(s.spatial, s.cap);
  await c.setPreferredLayers(s.temporal === undefined ? { spatialLayer } : { spatialLayer, temporalLayer: s.temporal });
}

export async function clientResume(c: types.Consumer): Promise<void> {
  const s = shapingOf(c);
  s.clientPaused = false;
  await applyPause(c, s);
  if (c.kind === 'video' && !s.watched) {
    s.watched = true;
    watchFirstFrame(c);
  }
}

export async function clientLayers(c: types.Consumer, spatial: number, temporal?: number): Promise<void> {
  const s = shapingOf(c);
  s.spatial = spatial;
  s.temporal = temporal;
  await applyLayers(c, s);
}

export interface VideoShed {
  consumerId: string;
  shed: boolean;
  maxSpatialLayer: number | null;
}

/** The spatial layer a video consumer is sent now: the client's, under adaptation's cap; 0 while shed. */
export function sentLayer(c: types.Consumer): number {
  const s = shapingOf(c);
  return s.shed ? 0 : s.cap === null ? s.spatial : Math.min(s.spatial, s.cap);
}

/**
 * Applies adaptation's decision to one receiver's video consumers (audio is never touched). Returns the
 * layer each consumer is now sent, which a stream from another server follows over its link.
 */
export async function applyShed(peer: PeerMedia, actions: readonly VideoShed[]): Promise<{ producerId: string; layer: number }[]> {
  const sent: { producerId: string; layer: number }[] = [];
  for (const a of actions) {
    const c = peer.consumers.get(a.consumerId);
    if (!c || c.closed || c.kind !== 'video') continue;
    const s = shapingOf(c);
    const layersChanged = s.cap !== a.maxSpatialLayer;
    s.cap = a.maxSpatialLayer;
    s.shed = a.shed;
    if (layersChanged) await applyLayers(c, s);
    await applyPause(c, s);
    sent.push({ producerId: c.producerId, layer: sentLayer(c) });
  }
  return sent;
}

export interface RecvLink {
  /** The recv transport's available outgoing bitrate (mediasoup's transport-cc estimate). */
  estimateBps: number | null;
  sendBps: number;
  /** Median round trip of the streams that sent packets since the last sample. */
  rttMs: number | null;
  /** Median share of packets lost toward the receiver (receiver reports, or asked for again), same streams. */
  lossFraction: number | null;
  audioStreams: number;
  video: { consumerId: string; producerPeerId: string; source: MediaSource }[];
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? null;
}

export async function recvLink(peer: PeerMedia, streams = 4): Promise<RecvLink | null> {
  const recv = [...peer.transports.values()].find((t) => t.appData.direction === 'recv' && !t.closed && t.type === 'webrtc');
  if (!recv) return null;
  const [ts] = await recv.getStats();
  const rtts: number[] = [];
  const losses: number[] = [];
  const video: RecvLink['video'] = [];
  const audio: types.Consumer[] = [];
  const videoConsumers: types.Consumer[] = [];
  for (const c of peer.consumers.values()) {
    if (c.closed) continue;
    if (c.kind === 'audio') audio.push(c);
    else {
      videoConsumers.push(c);
      const app = c.appData as { producerPeerId?: string; source?: MediaSource };
      video.push({ consumerId: c.id, producerPeerId: app.producerPeerId ?? '', source: app.source ?? 'camera' });
    }
  }
  // Round trip and loss from flowing audio (never shed), else video; at most `streams` stats requests per
  // receiver and sample, so that a meeting of 40 sites does not load the worker with them.
  const flowing = (cs: types.Consumer[]) => cs.filter((c) => !c.paused && !c.producerPaused);
  const sampled = flowing(audio).length > 0 ? flowing(audio) : flowing(videoConsumers);
  for (const c of sampled.slice(0, streams)) {
    const s = shapingOf(c);
    for (const st of await c.getStats()) {
      if (st.type !== 'outbound-rtp') continue;
      const sent = st.packetCount - s.lastPackets;
      if (sent > 0) {
        if (typeof st.roundTripTime === 'number' && st.roundTripTime > 0) rtts.push(st.roundTripTime);
        // Loss as the link does it: receiver reports count a packet repaired by a retransmission as received.
        losses.push(Math.max(st.fractionLost / 256, Math.min(1, (st.nackPacketCount - s.lastNacked) / sent)));
      }
      s.lastPackets = st.packetCount;
      s.lastNacked = st.nackPacketCount;
    }
  }
  const estimate = (ts as { availableOutgoingBitrate?: number } | undefined)?.availableOutgoingBitrate;
  return {
    estimateBps: typeof estimate === 'number' && estimate > 0 ? estimate : null,
    sendBps: ts?.sendBitrate ?? 0,
    rttMs: median(rtts),
    lossFraction: median(losses),
    audioStreams: audio.length,
    video,
  };
}
