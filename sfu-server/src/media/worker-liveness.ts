// Whether a worker process is already gone, or going, before Node has seen it exit. Workers killed
// together (the OOM killer, `kill -9` of the group) die within moments of each other, but their exit
// events reach the pool one by one, up to a few hundred ms apart on a busy host (a SIGKILLed process
// must still be scheduled to exit). The pool asks here about the others when one dies, so rooms
// rebuild once, onto workers that live. Linux /proc; elsewhere nothing is known and deaths come one by one.
import { readFileSync } from 'node:fs';

const SIGKILL_BIT = 1n << 8n; // signal 9, bit 8 of the pending masks

/**
 * From /proc/<pid>/status: the process has exited (State Z or X: not reaped yet) or a SIGKILL is
 * pending for it (ShdPnd: sent to the process, SigPnd: to the thread), which nothing can stop.
 */
export function statusSaysDying(status: string): boolean {
  const field = (name: string) => new RegExp(`^${name}:\\s*(\\S+)`, 'm').exec(status)?.[1];
  const state = field('State');
  if (state === 'Z' || state === 'X') return true;
  for (const mask of [field('ShdPnd'), field('SigPnd')]) {
    if (mask && /^[0-9a-f]+$/i.test(mask) && (BigInt(`0x${mask}`) & SIGKILL_BIT) !== 0n) return true;
  }
  return false;
}

/**
 * True when the process has exited or is being killed. False while it runs, and when /proc cannot
 * tell (no /proc, or already reaped: then its exit event is on its way and is handled as usual).
 */
export function processDying(pid: number | undefined, read: (path: string) => string = (p) => readFileSync(p, 'utf8')): boolean {
  if (!pid) return false;
  try {
    return statusSaysDying(read(`/proc/${pid}/status`));
  } catch {
    return false;
  }
}
