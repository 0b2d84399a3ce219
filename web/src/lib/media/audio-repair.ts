// Audio on a lossy link. A lost Opus packet is asked for again (NACK, negotiated by device.ts) and
// its copy arrives a round trip later; the browser's jitter buffer normally plays before that and
// conceals the gap instead. On a stream that loses packets the receiver is told to wait long enough
// for the copy. Only there: waiting adds delay, so a stream clean for a while goes back to the
// browser's own target.
import type { types } from 'mediasoup-client';
import { selectedPair } from './ice-path';

/** Chrome lists no NACK for Opus among its capabilities, yet honours it both ways when negotiated. */
export function withAudioNack(caps: types.RtpCapabilities): types.RtpCapabilities {
  return {
    ...caps,
    codecs: (caps.codecs ?? []).map((c) =>
      c.mimeType.toLowerCase() === 'audio/opus' && !(c.rtcpFeedback ?? []).some((f) => f.type === 'nack' && !f.parameter)
        ? { ...c, rtcpFeedback: [...(c.rtcpFeedback ?? []), { type: 'nack', parameter: '' }] }
        : c,
    ),
  };
}

export interface RepairTuning {
  /** Packets lost (or asked for again) per packet above this make a stream lossy. */
  lossyFraction: number;
  /** Jitter buffer target on a lossy stream: the round trip plus this margin, within min and max. */
  marginMs: number;
  minBufferMs: number;
  maxBufferMs: number;
  /** Lossy samples in a row before the buffer grows (one hiccup of a busy machine is not a lossy link). */
  lossySamples: number;
  /** A lossy stream must be clean this long before its buffer goes back to the browser's own. */
  cleanHoldMs: number;
  /** A new target must differ this much from the current one (each change stretches the audio). */
  stepMs: number;
}

export const REPAIR_TUNING: RepairTuning = {
  lossyFraction: 0.01,
  marginMs: 150,
  minBufferMs: 300,
  maxBufferMs: 500,
  lossySamples: 2,
  cleanHoldMs: 30_000,
  stepMs: 60,
};

/** Cumulative receive counters of one audio stream (inbound-rtp). */
export interface AudioCounters {
  received: number;
  lost: number;
  /** NACKs this receiver sent: loss seen before a repair hides it from `lost`. */
  nacks: number;
}

export interface StreamRepair {
  last: AudioCounters | null;
  /** When the stream was last seen lossy. */
  lossyAt: number | null;
  /** Lossy samples in a row. */
  lossyRun: number;
  /** Jitter buffer target in ms, null for the browser's own. */
  targetMs: number | null;
}

export const NO_REPAIR: StreamRepair = { last: null, lossyAt: null, lossyRun: 0, targetMs: null };

/** The next state of one stream after a sample. Pure. */
export function nextRepair(
  s: StreamRepair,
  at: number,
  c: AudioCounters,
  rttMs: number | null,
  t: RepairTuning = REPAIR_TUNING,
): StreamRepair {
  const next: StreamRepair = { ...s, last: c };
  if (!s.last) return next;
  const received = c.received - s.last.received;
  const lossEvents = Math.max(c.lost - s.last.lost, c.nacks - s.last.nacks, 0);
  // Nothing flowed (a muted site): no news about the link.
  if (received + lossEvents <= 0) return next;
  if (lossEvents / (received + lossEvents) > t.lossyFraction) {
    const lossyRun = s.lossyRun + 1;
    if (s.targetMs === null && lossyRun < t.lossySamples) return { ...next, lossyRun };
    const want = Math.min(t.maxBufferMs, Math.max(t.minBufferMs, Math.round((rttMs ?? 0) + t.marginMs)));
    const keep = s.targetMs !== null && Math.abs(want - s.targetMs) < t.stepMs;
    return { ...next, lossyAt: at, lossyRun, targetMs: keep ? s.targetMs : want };
  }
  next.lossyRun = 0;
  if (s.lossyAt !== null && at - s.lossyAt >= t.cleanHoldMs) return { ...next, lossyAt: null, targetMs: null };
  return next;
}

type Receiver = RTCRtpReceiver & { jitterBufferTarget: number | null };

/** Runs nextRepair on every audio consumer of a receive transport every 2 s. */
export class AudioRepair {
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly streams = new Map<string, StreamRepair>(); // by track id

  watch(transport: types.Transport, consumers: () => Iterable<types.Consumer>): void {
    this.stop();
    this.timer = setInterval(() => {
      if (transport.closed) return this.stop();
      void this.sample(transport, consumers).catch(() => undefined);
    }, 2000);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.streams.clear();
  }

  private async sample(transport: types.Transport, consumers: () => Iterable<types.Consumer>): Promise<void> {
    const stats = await transport.getStats();
    const rtt = selectedPair(stats.values())?.currentRoundTripTime;
    const rttMs = typeof rtt === 'number' ? rtt * 1000 : null;
    const counters = new Map<string, AudioCounters>();
    stats.forEach((st: Record<string, unknown>) => {
      if (st.type === 'inbound-rtp' && st.kind === 'audio' && typeof st.trackIdentifier === 'string')
        counters.set(st.trackIdentifier, {
          received: Number(st.packetsReceived ?? 0),
          lost: Number(st.packetsLost ?? 0),
          nacks: Number(st.nackCount ?? 0),
        });
    });
    const now = Date.now();
    const seen = new Set<string>();
    for (const c of consumers()) {
      const got = c.kind === 'audio' && !c.closed ? counters.get(c.track.id) : undefined;
      if (!got) continue;
      seen.add(c.track.id);
      const before = this.streams.get(c.track.id) ?? NO_REPAIR;
      const after = nextRepair(before, now, got, rttMs);
      this.streams.set(c.track.id, after);
      if (after.targetMs !== before.targetMs && c.rtpReceiver) (c.rtpReceiver as Receiver).jitterBufferTarget = after.targetMs;
    }
    for (const id of this.streams.keys()) if (!seen.has(id)) this.streams.delete(id);
  }
}
