// Interfaces of one device across polls. Identity is the interface name (ifName, else
// ifDescr), never the ifIndex, which may renumber after a reboot. Totals are the sums of
// accepted deltas, so they stay monotonic through wraps, reboots and renumbering.
import { type CounterSample, counterDelta, ratePerSecond } from './counters';
import type { CpuSample } from './cpu';

export interface PolledInterface {
  ifIndex: number;
  descr: string;
  name: string | null;
  alias: string;
  adminStatus: number;
  operStatus: number;
  /** Bits per second (ifHighSpeed * 1e6 when present, else ifSpeed). */
  speedBps: number;
  /** ifHCInOctets when the device has it, else ifInOctets (then `hc` is false). */
  inOctets: bigint | null;
  outOctets: bigint | null;
  hc: boolean;
  inErrors: bigint | null;
  outErrors: bigint | null;
  inDiscards: bigint | null;
  outDiscards: bigint | null;
}

export interface PollSnapshot {
  uptimeTicks: number;
  sysName: string | null;
  sysDescr: string | null;
  interfaces: PolledInterface[];
  /** Raw processor data; the percentage needs the previous poll too (see cpu.ts). */
  cpu: CpuSample;
  memoryUsedRatio: number | null;
  /** The interface table was longer than the configured limit. */
  truncated: boolean;
}

export const COUNTERS = ['inOctets', 'outOctets', 'inErrors', 'outErrors', 'inDiscards', 'outDiscards'] as const;
export type CounterName = (typeof COUNTERS)[number];

export interface TrackedInterface {
  key: string;
  ifIndex: number;
  alias: string;
  adminUp: boolean;
  operUp: boolean;
  speedBps: number;
  counterBits: 32 | 64;
  last: Partial<Record<CounterName, CounterSample>>;
  /** Monotonic totals of accepted deltas. */
  totals: Record<CounterName, bigint>;
  inBps: number | null;
  outBps: number | null;
  errorsPerSecond: number | null;
  /** Oper status change times (ms), for flap detection. */
  changes: number[];
}

export interface IngestResult {
  rebooted: boolean;
  statusChanges: { key: string; operUp: boolean; adminUp: boolean }[];
  renumbered: string[];
  baselines: number;
  wraps: number;
}

const interfaceKey = (p: PolledInterface) => p.name?.trim() || p.descr.trim() || `ifIndex.${p.ifIndex}`;
const FLAP_MEMORY_MS = 60 * 60_000;

export class DeviceInterfaces {
  private readonly byKey = new Map<string, TrackedInterface>();
  private uptimeTicks: number | undefined;

  get all(): TrackedInterface[] {
    return [...this.byKey.values()];
  }

  get(key: string): TrackedInterface | undefined {
    return this.byKey.get(key);
  }

  byIndex(ifIndex: number): TrackedInterface | undefined {
    for (const t of this.byKey.values()) if (t.ifIndex === ifIndex) return t;
    return undefined;
  }

  ingest(snap: PollSnapshot, at: number): IngestResult {
    const rebooted = this.uptimeTicks !== undefined && snap.uptimeTicks < this.uptimeTicks;
    this.uptimeTicks = snap.uptimeTicks;
    const res: IngestResult = { rebooted, statusChanges: [], renumbered: [], baselines: 0, wraps: 0 };
    const seen = new Set<string>();
    for (const p of snap.interfaces) {
      const key = interfaceKey(p);
      if (seen.has(key)) continue; // duplicate names: first wins, keeps identity stable
      seen.add(key);
      const t = this.track(key, p, at, res);
      this.updateRates(t, p, snap.uptimeTicks, at, res);
      t.changes = t.changes.filter((c) => at - c < FLAP_MEMORY_MS);
    }
    return res;
  }

  /** The interface by name: new, or updated (status changes; renumbering starts a new baseline). */
  private track(key: string, p: PolledInterface, at: number, res: IngestResult): TrackedInterface {
    const adminUp = p.adminStatus === 1;
    const operUp = p.operStatus === 1;
    let t = this.byKey.get(key);
    if (!t) {
      t = {
        key,
        ifIndex: p.ifIndex,
        alias: p.alias,
        adminUp,
        operUp,
        speedBps: p.speedBps,
        counterBits: p.hc ? 64 : 32,
        last: {},
        totals: { inOctets: 0n, outOctets: 0n, inErrors: 0n, outErrors: 0n, inDiscards: 0n, outDiscards: 0n },
        inBps: null,
        outBps: null,
        errorsPerSecond: null,
        changes: [],
      };
      this.byKey.set(key, t);
    } else {
      if (t.ifIndex !== p.ifIndex) {
        res.renumbered.push(key);
        t.last = {}; // another index's counters: a new baseline
        t.ifIndex = p.ifIndex;
      }
      if (t.operUp !== operUp || t.adminUp !== adminUp) {
        if (t.operUp !== operUp) t.changes.push(at);
        res.statusChanges.push({ key, operUp, adminUp });
      }
      t.adminUp = adminUp;
      t.operUp = operUp;
      t.alias = p.alias;
      t.speedBps = p.speedBps;
    }
    t.counterBits = p.hc ? 64 : 32;
    return t;
  }

  /** Each counter's delta since the last sample (counters.ts): totals, bits/s and errors/s. */
  private updateRates(t: TrackedInterface, p: PolledInterface, uptimeTicks: number, at: number, res: IngestResult): void {
    const maxBytesPerSecond = p.speedBps > 0 ? p.speedBps / 8 : undefined;
    let errRate: number | null = null;
    for (const name of COUNTERS) {
      const v = p[name];
      if (v === null) continue;
      const bits: 32 | 64 = name === 'inOctets' || name === 'outOctets' ? t.counterBits : 32;
      const sample: CounterSample = { value: v, bits, uptimeTicks, at };
      const d = counterDelta(t.last[name], sample, name.endsWith('Octets') ? maxBytesPerSecond : undefined);
      t.last[name] = sample;
      if (d.kind === 'baseline') {
        if (d.reason !== 'first') res.baselines++;
        if (name === 'inOctets') t.inBps = null;
        if (name === 'outOctets') t.outBps = null;
        continue;
      }
      if (d.wrapped) res.wraps++;
      t.totals[name] += d.delta;
      const r = ratePerSecond(d);
      if (name === 'inOctets') t.inBps = r === null ? null : r * 8;
      else if (name === 'outOctets') t.outBps = r === null ? null : r * 8;
      else if (name === 'inErrors' || name === 'outErrors') errRate = (errRate ?? 0) + (r ?? 0);
    }
    t.errorsPerSecond = errRate;
  }

  /** A trap said so: change the state now, without waiting for the next poll. */
  applyStatus(ifIndex: number, operUp: boolean, adminUp: boolean | undefined, at: number): TrackedInterface | undefined {
    const t = this.byIndex(ifIndex);
    if (!t) return undefined;
    if (t.operUp !== operUp) t.changes.push(at);
    t.operUp = operUp;
    if (adminUp !== undefined) t.adminUp = adminUp;
    return t;
  }
}
