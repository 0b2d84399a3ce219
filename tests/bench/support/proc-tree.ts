// CPU of a whole process tree from /proc: a server and everything it started (mediasoup workers,
// coturn), sampled over time so a window can be cut out of it afterwards.
import { readdirSync, readFileSync } from 'node:fs';

const TICKS = 100; // USER_HZ on Linux

interface Stat {
  ppid: number;
  comm: string;
  /** utime + stime, seconds. */
  cpu: number;
}

function stat(pid: number): Stat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = text.lastIndexOf(')');
    const f = text.slice(close + 2).split(' ');
    // after "comm)": state [0], ppid [1], utime [11], stime [12]
    return { ppid: Number(f[1]), comm: text.slice(text.indexOf('(') + 1, close), cpu: (Number(f[11]) + Number(f[12])) / TICKS };
  } catch {
    return null; // gone meanwhile
  }
}

export interface TreeSample {
  /** Epoch ms. */
  at: number;
  /** CPU seconds so far per process of the tree: pid → { comm, cpu }. */
  processes: Map<number, { comm: string; cpu: number }>;
}

/** The tree under `root` (itself included), now. */
export function sampleTree(root: number): TreeSample {
  const all = new Map<number, Stat>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const s = stat(pid);
    if (s) all.set(pid, s);
  }
  const inTree = (pid: number): boolean => {
    for (let p = pid, depth = 0; p > 1 && depth < 50; depth++) {
      if (p === root) return true;
      p = all.get(p)?.ppid ?? 0;
    }
    return false;
  };
  const processes = new Map<number, { comm: string; cpu: number }>();
  for (const [pid, s] of all) if (inTree(pid)) processes.set(pid, { comm: s.comm, cpu: s.cpu });
  return { at: Date.now(), processes };
}

/** Samples the tree every `everyMs` until stopped. */
export function watchTree(root: number, everyMs = 500): { samples: TreeSample[]; stop(): void } {
  const samples: TreeSample[] = [sampleTree(root)];
  const timer = setInterval(() => samples.push(sampleTree(root)), everyMs);
  return { samples, stop: () => clearInterval(timer) };
}

/**
 * CPU seconds per process name between the samples nearest to `from` and `to` (epoch ms),
 * counting only processes alive at both ends (a process that came or went inside a steady
 * window is itself a finding: it is listed in `changed`).
 */
export function cpuBetween(samples: TreeSample[], from: number, to: number) {
  const nearest = (t: number) => samples.reduce((best, s) => (Math.abs(s.at - t) < Math.abs(best.at - t) ? s : best));
  const a = nearest(from);
  const b = nearest(to);
  const byName: Record<string, number> = {};
  const changed: string[] = [];
  for (const [pid, p] of b.processes) {
    const before = a.processes.get(pid);
    if (!before) {
      changed.push(`${p.comm} ${pid} started`);
      continue;
    }
    byName[p.comm] = (byName[p.comm] ?? 0) + (p.cpu - before.cpu);
  }
  for (const [pid, p] of a.processes) if (!b.processes.has(pid)) changed.push(`${p.comm} ${pid} ended`);
  const total = Object.values(byName).reduce((x, y) => x + y, 0);
  return { seconds: (b.at - a.at) / 1000, total, byName, changed };
}
