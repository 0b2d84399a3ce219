// How much video one receiving site gets, decided from what its link measures.
// Audio is never shed: the steps only take video away (lower layers, then only the
// main picture, then none) and give it back. Down fast (one sample that does not fit),
// up slowly (the next step must fit for a while); a step up that fails doubles the wait.

export const SHED_STEPS = ['none', 'low', 'main-only', 'audio-only'] as const;
export type ShedStep = (typeof SHED_STEPS)[number];

/** Why video is shed: the estimate is below what the step needs, or the link queues (round trip grew). */
export type ShedReason = 'bandwidth' | 'delay';

/** One measurement of the link toward a receiving site. */
export interface LinkSample {
  at: number;
  /** Bits/s the server may send this site (its congestion controller's estimate); null before any estimate. */
  estimateBps: number | null;
  /** Bits/s actually sent to it now. */
  sendBps: number;
  /** Round trip reported by the site's receiver reports; null when none yet. */
  rttMs: number | null;
  /** Share of packets lost toward the site (receiver reports); null when none yet. */
  lossFraction?: number | null;
}

/** What the site would receive at each step. */
export interface Demand {
  audioStreams: number;
  /** Remote video streams (cameras and a presentation). */
  videoStreams: number;
  /** Video streams kept at step `main-only` (the main picture and a presentation). */
  keptStreams: number;
}

export interface AdaptationTuning {
  /** One audio stream with its packet overhead. */
  audioKbps: number;
  /** The lowest simulcast layer of one video stream. */
  lowKbps: number;
  /** The main picture above its lowest layer (its middle one). */
  topKbps: number;
  /** A step up needs this much more than its bare need (1.2 = 20 % spare). */
  headroom: number;
  /** How long the next step must fit before going up to it. */
  upHoldMs: number;
  /** The same on a lossy link: more video there brings freezes and bursts that cost audio, so try less often. */
  lossyUpHoldMs: number;
  /** Loss above this makes the link lossy. */
  lossyFraction: number;
  /** Longest wait after repeated failed steps up. */
  maxUpHoldMs: number;
  /** Pause after any change before stepping down again (the stats must show its effect first). */
  settleMs: number;
  /** Trouble must last this long before a step down (one dip of a busy machine's estimate is not a thin link). */
  confirmMs: number;
  /** Round trip above this means packets queue on the link. */
  congestedRttMs: number;
  /** A step up that falls back within this time counted as failed. */
  failWindowMs: number;
  /** A lossy link clean this long has recovered: the wait goes back to normal (failed trials under loss say nothing). */
  recoveredMs: number;
}

export const DEFAULT_TUNING: AdaptationTuning = {
  audioKbps: 45,
  lowKbps: 110,
  topKbps: 300,
  headroom: 1.2,
  upHoldMs: 4_000,
  lossyUpHoldMs: 30_000,
  lossyFraction: 0.02,
  maxUpHoldMs: 48_000,
  settleMs: 2_000,
  confirmMs: 1_500,
  congestedRttMs: 150,
  failWindowMs: 12_000,
  recoveredMs: 3_000,
};

export interface LinkState {
  /** Index in SHED_STEPS. */
  step: number;
  reason: ShedReason | null;
  changedAt: number;
  /** Since when the next step up has fitted (null: it does not now). */
  fitSince: number | null;
  /** Since when the current step has not fitted (null: it does). */
  troubleSince: number | null;
  /** Current wait before a step up. */
  upHoldMs: number;
  lastUpAt: number | null;
  /** Last estimate seen, kbit/s, for the user. */
  estimateKbps: number | null;
  /** When the link last lost more than `lossyFraction` (null: not lately). */
  lossyAt: number | null;
}

export function initialLinkState(now: number, tuning: AdaptationTuning = DEFAULT_TUNING): LinkState {
  return {
    step: 0,
    reason: null,
    changedAt: now,
    fitSince: null,
    troubleSince: null,
    upHoldMs: tuning.upHoldMs,
    lastUpAt: null,
    estimateKbps: null,
    lossyAt: null,
  };
}

/** Kbit/s the site needs at a step. */
export function needKbps(step: number, d: Demand, t: AdaptationTuning): number {
  const audio = d.audioStreams * t.audioKbps;
  const name = SHED_STEPS[step];
  if (name === 'audio-only' || d.videoStreams === 0) return audio;
  if (name === 'main-only') return audio + Math.min(d.keptStreams, d.videoStreams) * t.lowKbps;
  if (name === 'low') return audio + d.videoStreams * t.lowKbps;
  // none: room for the main picture above its lowest layer (mediasoup's own estimate picks the
  // layers within it), the others as thumbnails
  return audio + t.topKbps + Math.max(0, d.videoStreams - 1) * t.lowKbps;
}

const LAST = SHED_STEPS.length - 1;

/**
 * Nothing shed and nothing near it: no trouble pending, not lossy lately, no queueing, and the
 * estimate covers the full need with headroom. Such a link can be read less often.
 */
export function isSteady(state: LinkState, sample: LinkSample, d: Demand, t: AdaptationTuning = DEFAULT_TUNING): boolean {
  if (state.step !== 0 || state.troubleSince !== null || state.lossyAt !== null) return false;
  if (sample.rttMs !== null && sample.rttMs > t.congestedRttMs) return false;
  if (sample.lossFraction != null && sample.lossFraction > t.lossyFraction / 2) return false;
  return sample.estimateBps !== null && sample.estimateBps / 1000 >= needKbps(0, d, t) * t.headroom;
}

/** The highest step (least shed) at or below `from` whose need fits `kbps`; the last step always fits. */
function fittingStep(from: number, kbps: number, d: Demand, t: AdaptationTuning): number {
  for (let s = from; s < LAST; s++) if (needKbps(s, d, t) <= kbps) return s;
  return LAST;
}

/** The next state after one sample. Pure: the caller applies the step when it changed. */
export function decide(state: LinkState, sample: LinkSample, d: Demand, t: AdaptationTuning = DEFAULT_TUNING): LinkState {
  const now = sample.at;
  const kbps = sample.estimateBps === null ? null : sample.estimateBps / 1000;
  const next: LinkState = { ...state, estimateKbps: kbps === null ? state.estimateKbps : Math.round(kbps) };
  if (sample.lossFraction != null && sample.lossFraction > t.lossyFraction) next.lossyAt = now;
  else if (sample.lossFraction != null && state.lossyAt !== null && now - state.lossyAt >= t.recoveredMs) {
    next.lossyAt = null;
    next.upHoldMs = t.upHoldMs;
  }
  // A long round trip holds any step up; it sheds only when the link is near its estimate: on a busy
  // machine receiver reports arrive late with the link far from full (recorded: 390 ms at 3.2 Mbit/s, 0.3 used).
  const queueing = sample.rttMs !== null && sample.rttMs > t.congestedRttMs;
  const congested = queueing && (kbps === null || kbps < (2 * sample.sendBps) / 1000);
  const settled = now - state.changedAt >= t.settleMs;
  // Down: the current step does not fit the estimate, or the link queues.
  const short = kbps !== null && needKbps(state.step, d, t) > kbps;
  if ((short || congested) && state.step < LAST) {
    const troubleSince = state.troubleSince ?? now;
    if (!settled || now - troubleSince < t.confirmMs) return { ...next, fitSince: null, troubleSince };
    const target = Math.max(state.step + 1, kbps === null ? 0 : fittingStep(state.step, kbps, d, t));
    const failed = state.lastUpAt !== null && now - state.lastUpAt < t.failWindowMs;
    return {
      ...next,
      step: Math.min(target, LAST),
      reason: short ? 'bandwidth' : 'delay',
      changedAt: now,
      fitSince: null,
      troubleSince: null,
      upHoldMs: failed ? Math.min(next.upHoldMs * 2, t.maxUpHoldMs) : next.upHoldMs,
      lastUpAt: null,
    };
  }
  next.troubleSince = null;
  // A step held long after a successful step up: the wait goes back to normal.
  if (state.lastUpAt !== null && now - state.lastUpAt >= t.failWindowMs) {
    next.lastUpAt = null;
    next.upHoldMs = t.upHoldMs;
  }
  if (state.step === 0 || queueing || kbps === null) return { ...next, fitSince: null };
  // The least shed step that fits with headroom (a recovered link comes back in one go), else a trial of the next.
  let upper = state.step;
  for (let s = state.step - 1; s >= 0; s--) if (kbps >= needKbps(s, d, t) * t.headroom) upper = s;
  if (upper === state.step && blindTrial(state, sample, d, t)) upper = state.step - 1;
  if (upper === state.step) return { ...next, fitSince: null };
  const fitSince = state.fitSince ?? now;
  const lossy = next.lossyAt !== null;
  if (now - fitSince < (lossy ? Math.max(next.upHoldMs, t.lossyUpHoldMs) : next.upHoldMs)) return { ...next, fitSince };
  return { ...next, step: upper, reason: upper === 0 ? null : state.reason, changedAt: now, fitSince: null, lastUpAt: now };
}

/**
 * With every video paused the estimate cannot grow past what audio uses (nothing probes the link),
 * so "the next step fits" is never seen: when the link is calm and the estimate well above what
 * is sent, try the next step; a failure doubles the wait.
 */
function blindTrial(state: LinkState, sample: LinkSample, d: Demand, t: AdaptationTuning): boolean {
  if (SHED_STEPS[state.step] !== 'audio-only' || sample.estimateBps === null) return false;
  const used = Math.max(sample.sendBps, d.audioStreams * t.audioKbps * 1000);
  return sample.estimateBps >= used * 1.5;
}

/** The user-facing summary: which step, why, the link estimate. */
export interface ShedSummary {
  step: ShedStep;
  reason: ShedReason | null;
  linkKbps: number | null;
}

export function summary(state: LinkState): ShedSummary {
  return { step: SHED_STEPS[state.step] ?? 'none', reason: state.reason, linkKbps: state.estimateKbps };
}
