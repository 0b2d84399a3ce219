// CPU time and resident memory of one process from /proc, for the load-test usage route:
// the Node process and every mediasoup worker, so a remote load test sees the whole server.
import { readFileSync } from 'node:fs';

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
