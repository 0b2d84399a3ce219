// Processor load as a real percentage. hrProcessorLoad is already a percentage per processor;
// without it, the UCD ssCpuRaw* tick counters give one as busy / total ticks between two polls.
// The UCD load average (laLoadInt) is not a percentage and is never used for this.

/** UCD-SNMP-MIB ssCpuRaw* counters, ticks summed over all processors (absent ones read 0). */
export interface CpuTicks {
  user: bigint;
  nice: bigint;
  system: bigint;
  idle: bigint;
  wait: bigint;
  kernel: bigint;
  interrupt: bigint;
  softIrq: bigint;
  steal: bigint;
}

export interface CpuSample {
  /** hrProcessorLoad (or a vendor equivalent) per processor, percent. */
  processorLoads: number[];
  /** ssCpuRaw* counters when the agent has them. */
  ticks: CpuTicks | null;
}

export const noCpuSample: CpuSample = { processorLoads: [], ticks: null };

const TICK_FIELDS = ['user', 'nice', 'system', 'idle', 'wait', 'kernel', 'interrupt', 'softIrq', 'steal'] as const;

const clampPercent = (v: number) => Math.min(100, Math.max(0, v));

export function averageLoad(loads: number[]): number | null {
  return loads.length === 0 ? null : clampPercent(loads.reduce((a, b) => a + b, 0) / loads.length);
}

/**
 * Busy share of the ticks between two samples: (total - idle - wait) / total. Null when a
 * counter went back (reset, 32-bit wrap) or no tick passed: a new baseline, never a guess.
 */
export function busyPercent(prev: CpuTicks, cur: CpuTicks): number | null {
  let total = 0n;
  const d = {} as Record<(typeof TICK_FIELDS)[number], bigint>;
  for (const f of TICK_FIELDS) {
    const delta = cur[f] - prev[f];
    if (delta < 0n) return null;
    d[f] = delta;
    total += delta;
  }
  if (total === 0n) return null;
  return clampPercent((Number(total - d.idle - d.wait) / Number(total)) * 100);
}

/** One device's CPU across polls: keeps the previous tick sample for the delta. */
export class CpuLoad {
  private last: { ticks: CpuTicks; uptimeTicks: number } | null = null;

  /** Percent for this poll, or null (first poll, reboot, counter reset, no CPU data). */
  update(sample: CpuSample, uptimeTicks: number): number | null {
    const prev = this.last;
    this.last = sample.ticks ? { ticks: sample.ticks, uptimeTicks } : null;
    const hr = averageLoad(sample.processorLoads);
    if (hr !== null) return hr;
    if (!sample.ticks || !prev || uptimeTicks < prev.uptimeTicks) return null;
    return busyPercent(prev.ticks, sample.ticks);
  }
}
