// CPU of a whole process tree from /proc: a server and everything it started (mediasoup workers,
// coturn), sampled over time so a window can be cut out of it afterwards.
import { readFileSync } from 'node:fs';
import { cpuSecondsFromStat, descendants } from '../../../sfu-server/src/metrics/process-usage';

export interface TreeSample {
  /** Epoch ms. */
  at: number;
  /** CPU seconds so far per process of the tree: pid → { comm, cpu }. */
  processes: Map<number, { comm: string; cpu: number }>;
}

/** The tree under `root` (itself included, named `rootName`), now. */
export function sampleTree(root: number, rootName = 'node'): TreeSample {
  const processes = new Map<number, { comm: string; cpu: number }>();
  for (const { pid, comm } of [{ pid: root, comm: rootName }, ...descendants(root)]) {
    try {
      processes.set(pid, { comm, cpu: cpuSecondsFromStat(readFileSync(`/proc/${pid}/stat`, 'utf8')) });
    } catch {
      // gone meanwhile
    }
  }
  return { at: Date.now(), processes };
}

/** Samples the tree every `everyMs` until stopped. */
export function watchTree(root: number, everyMs = 500, rootName = 'node'): { samples: TreeSample[]; stop(): void } {
  const samples: TreeSample[] = [sampleTree(root, rootName)];
  const timer = setInterval(() => samples.push(sampleTree(root, rootName)), everyMs);
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
