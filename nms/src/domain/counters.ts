// Counter-to-rate math. A rate is only produced between two samples of the same
// counter incarnation: a reboot (sysUpTime went back), a renumbered interface or a
// 64-bit counter going back start a new baseline instead of a spike or a negative rate.

export interface CounterSample {
  value: bigint;
  /** 64 for ifHC* counters, 32 for ifInOctets-style counters that wrap at 2^32. */
  bits: 32 | 64;
  /** Device sysUpTime in hundredths of a second when sampled. */
  uptimeTicks: number;
  /** Wall clock, ms. */
  at: number;
}

export type DeltaResult =
  | { kind: 'delta'; delta: bigint; seconds: number; wrapped: boolean }
  | { kind: 'baseline'; reason: 'first' | 'reboot' | 'width_changed' | 'went_back' | 'implausible_wrap' | 'no_time' };

const TWO_32 = 1n << 32n;

/**
 * `maxPerSecond` bounds a plausible 32-bit wrap (e.g. link speed in bytes/s): a "wrap" that
 * implies more than that is a discontinuity (e.g. counter reset without reboot).
 */
export function counterDelta(prev: CounterSample | undefined, cur: CounterSample, maxPerSecond?: number): DeltaResult {
  if (!prev) return { kind: 'baseline', reason: 'first' };
  if (prev.bits !== cur.bits) return { kind: 'baseline', reason: 'width_changed' };
  if (cur.uptimeTicks < prev.uptimeTicks) return { kind: 'baseline', reason: 'reboot' };
  const seconds = (cur.at - prev.at) / 1000;
  if (seconds <= 0) return { kind: 'baseline', reason: 'no_time' };
  if (cur.value >= prev.value) return { kind: 'delta', delta: cur.value - prev.value, seconds, wrapped: false };
  if (cur.bits === 64) return { kind: 'baseline', reason: 'went_back' };
  const delta = TWO_32 - prev.value + cur.value;
  if (maxPerSecond !== undefined && Number(delta) / seconds > maxPerSecond * 1.05) return { kind: 'baseline', reason: 'implausible_wrap' };
  return { kind: 'delta', delta, seconds, wrapped: true };
}

/** Per-second rate from a delta result, or null for a baseline. */
export function ratePerSecond(r: DeltaResult): number | null {
  return r.kind === 'delta' ? Number(r.delta) / r.seconds : null;
}
