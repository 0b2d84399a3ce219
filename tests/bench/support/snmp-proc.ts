// CPU of a process from /proc: utime + stime, plus cutime + cstime of its waited-for children.
import { readFileSync } from 'node:fs';

const TICKS = 100; // USER_HZ on Linux

export function processCpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // fields after "comm)": state is [0], utime [11], stime [12], cutime [13], cstime [14]
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / TICKS;
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
