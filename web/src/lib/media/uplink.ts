// The sending side on a thin uplink: the browser's own estimate (candidate-pair
// availableOutgoingBitrate) already makes it drop the upper simulcast layers; when it stays
// below what even the lowest layer needs, the camera pauses (audio goes on, the others see a
// still picture) and the server is told why. It tries the camera again after a wait that
// doubles each time the uplink proves still too thin.
import type { types } from 'mediasoup-client';
import type { SignallingClient } from '../signalling/client';
import { selectedPair } from './ice-path';

export interface UplinkTuning {
  /** Below this (kbit/s) the lowest layer and the audio do not fit. */
  minVideoKbps: number;
  /** Samples in a row below it before pausing. */
  lowSamples: number;
  /** First wait before trying the camera again, ms. */
  retryMs: number;
  maxRetryMs: number;
  /** A pause within this time of a retry counts as a failed retry. */
  failWindowMs: number;
}

export const UPLINK_TUNING: UplinkTuning = { minVideoKbps: 150, lowSamples: 3, retryMs: 20_000, maxRetryMs: 160_000, failWindowMs: 15_000 };

export type UplinkAction = 'pause' | 'resume' | null;

/** Pure decisions from successive estimates. */
export class UplinkPolicy {
  paused = false;
  private low = 0;
  private pausedAt = 0;
  private resumedAt: number | null = null;
  private retryMs: number;

  constructor(private readonly t: UplinkTuning = UPLINK_TUNING) {
    this.retryMs = t.retryMs;
  }

  feed(at: number, kbps: number | null): UplinkAction {
    if (kbps === null) return null;
    if (!this.paused) {
      this.low = kbps < this.t.minVideoKbps ? this.low + 1 : 0;
      if (this.low < this.t.lowSamples) return null;
      const failed = this.resumedAt !== null && at - this.resumedAt < this.t.failWindowMs;
      this.retryMs = failed ? Math.min(this.retryMs * 2, this.t.maxRetryMs) : this.t.retryMs;
      this.paused = true;
      this.pausedAt = at;
      this.low = 0;
      return 'pause';
    }
    // With the camera paused the estimate barely moves: a clearly higher one, or the wait, lets it try again.
    if (kbps >= 2 * this.t.minVideoKbps || at - this.pausedAt >= this.retryMs) {
      this.paused = false;
      this.resumedAt = at;
      return 'resume';
    }
    return null;
  }
}

/** The send transport's estimate, kbit/s, from its selected candidate pair. */
async function estimateKbps(t: types.Transport): Promise<number | null> {
  const bps = selectedPair((await t.getStats()).values())?.availableOutgoingBitrate;
  return typeof bps === 'number' ? Math.round(bps / 1000) : null;
}

/** Runs the policy on a camera producer every 2 s; pauses and resumes only what it paused itself. */
export class UplinkGuard {
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly sig: SignallingClient) {}

  watch(transport: types.Transport, camera: types.Producer): void {
    this.stop();
    const policy = new UplinkPolicy();
    // What the server was last told; told again until it answers (a request can be lost on such a link).
    let told = false;
    let decidedKbps: number | null = null;
    let busy = false; // a tick waiting on a slow link is not overlapped
    this.timer = setInterval(async () => {
      if (transport.closed || camera.closed) return this.stop();
      if (busy) return;
      busy = true;
      try {
        await tick();
      } finally {
        busy = false;
      }
    }, 2000);
    const tick = async () => {
      // A cut link is not a thin one: judge only while media and signalling are up.
      const up = transport.connectionState === 'connected' && this.sig.socket.connected;
      const kbps = up ? await estimateKbps(transport).catch(() => null) : null;
      const action = policy.feed(Date.now(), kbps);
      if (action) decidedKbps = kbps;
      if (action === 'pause' && !camera.paused) {
        camera.pause();
        await this.sig.request('media:pauseProducer', { producerId: camera.id }).catch(() => undefined);
      } else if (action === 'resume' && camera.paused) {
        camera.resume();
        await this.sig.request('media:resumeProducer', { producerId: camera.id }).catch(() => undefined);
      } else if (action === 'pause') policy.paused = false; // paused by the user: nothing of ours to undo
      if (told !== policy.paused) {
        const videoPaused = policy.paused;
        await this.sig
          .request('media:uplink', { videoPaused, uplinkKbps: decidedKbps })
          .then(() => {
            told = videoPaused;
          })
          .catch(() => undefined);
      }
    };
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
