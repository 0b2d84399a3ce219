// CPU time and resident memory of processes from /proc, for the load-test usage route:
// the Node process and every mediasoup worker, so a remote load test sees the whole server.
import { readdirSync, readFileSync } from 'node:fs';

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;

/** utime + stime (fields 14 and 15 of /proc/<pid>/stat; the name in parentheses may hold spaces). */
export function cpuSecondsFromStat(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime is field 14, stime field 15.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error('unreadable /proc stat');
  return (utime + stime) / TICKS_PER_SECOND;
}

/** VmRSS of /proc/<pid>/status, bytes. */
export function rssBytesFromStatus(status: string): number {
  const m = status.match(/^VmRSS:\s+(\d+)\s+kB/m);
  if (!m) throw new Error('no VmRSS in /proc status');
  return Number(m[1]) * 1024;
}

export function processUsage(pid: number): { cpuSeconds: number; rssBytes: number } | null {
  try {
    return {
      cpuSeconds: cpuSecondsFromStat(readFileSync(`/proc/${pid}/stat`, 'utf8')),
      rssBytes: rssBytesFromStatus(readFileSync(`/proc/${pid}/status`, 'utf8')),
    };
  } catch {
    return null; // gone (a worker being replaced) or no /proc
  }
}

/** Every live process below `root` (children, grandchildren...), with its command name, from /proc. */
export function descendants(root: number): { pid: number; comm: string }[] {
  const parent = new Map<number, { ppid: number; comm: string }>();
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return []; // no /proc
  }
  for (const name of names) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      parent.set(pid, { ppid: Number(stat.slice(close + 2).split(' ')[1]), comm: stat.slice(stat.indexOf('(') + 1, close) });
    } catch {
      // gone meanwhile
    }
  }
  const below = (pid: number): boolean => {
    for (let p = parent.get(pid)?.ppid ?? 0, depth = 0; p > 1 && depth < 64; depth++) {
      if (p === root) return true;
      p = parent.get(p)?.ppid ?? 0;
    }
    return false;
  };
  return [...parent].filter(([pid]) => below(pid)).map(([pid, p]) => ({ pid, comm: p.comm }));
}

let tree: { root: number; at: number; list: { pid: number; comm: string }[] } | undefined;

const LABELS: [RegExp, string][] = [
  [/^mediasoup-work/, 'worker-spare'],
  [/^turnserver/, 'coturn'],
];

/**
 * The named processes and every other process the server started (a spare mediasoup worker,
 * coturn, the TypeScript loader's esbuild), so that a load test counts the whole server.
 */
export function serverProcesses(
  named: { name: string; pid: number }[],
  root = process.pid,
  now = Date.now(),
): { name: string; pid: number }[] {
  const known = new Set(named.map((p) => p.pid));
  // Walking /proc reads every process of the machine: at most every 10 s (the load tool asks each second).
  if (!tree || tree.root !== root || now - tree.at >= 10_000) tree = { root, at: now, list: descendants(root) };
  const others = tree.list
    .filter((d) => !known.has(d.pid))
    .map((d) => ({ pid: d.pid, name: LABELS.find(([re]) => re.test(d.comm))?.[1] ?? d.comm }));
  return [...named, ...others];
}
