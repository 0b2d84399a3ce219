// CPU of a process from /proc: utime + stime, plus cutime + cstime of its waited-for children.
import { readFileSync } from 'node:fs';

const TICKS = 100; // USER_HZ on Linux

/**
 * utime and stime apart, with minor page faults: where a side's CPU goes, so a
 * run where the kernel's part grows (syscalls, faults) can be told from one where the code got slower.
 */
export function processCpu(pid: number): { userSeconds: number; systemSeconds: number; minorFaults: number } {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // fields after "comm)": state is [0], minflt [7], utime [11], stime [12], cutime [13], cstime [14]
  return {
    userSeconds: (Number(f[11]) + Number(f[13])) / TICKS,
    systemSeconds: (Number(f[12]) + Number(f[14])) / TICKS,
    minorFaults: Number(f[7]),
  };
}

/** b - a, field by field. */
export function cpuSince(a: ReturnType<typeof processCpu>, b: ReturnType<typeof processCpu>) {
  return {
    userSeconds: b.userSeconds - a.userSeconds,
    systemSeconds: b.systemSeconds - a.systemSeconds,
    minorFaults: b.minorFaults - a.minorFaults,
  };
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
