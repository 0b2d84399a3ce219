import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { processDying, statusSaysDying } from '../src/media/worker-liveness';

const status = (state: string, shd = '0000000000000000', sig = '0000000000000000') =>
  `Name:\tmediasoup-worker\nUmask:\t0022\nState:\t${state}\nTgid:\t4242\nSigQ:\t0/63439\nSigPnd:\t${sig}\nShdPnd:\t${shd}\nSigBlk:\t0000000000000000\n`;

describe('worker liveness from /proc', () => {
  it('a running or sleeping worker is alive', () => {
    expect(statusSaysDying(status('R (running)'))).toBe(false);
    expect(statusSaysDying(status('S (sleeping)'))).toBe(false);
    // Other signals pending (SIGTERM is bit 14, SIGUSR1 bit 9) do not mean it dies.
    expect(statusSaysDying(status('S (sleeping)', '0000000000004000'))).toBe(false);
    expect(statusSaysDying(status('S (sleeping)', '0000000000000200'))).toBe(false);
  });

  it('a zombie, or a worker with SIGKILL pending, is dying', () => {
    expect(statusSaysDying(status('Z (zombie)'))).toBe(true);
    expect(statusSaysDying(status('X (dead)'))).toBe(true);
    expect(statusSaysDying(status('R (running)', '0000000000000100'))).toBe(true);
    expect(statusSaysDying(status('D (disk sleep)', '0000000000000000', '0000000000004100'))).toBe(true);
  });

  it('nothing known is not a death: no /proc, a reaped process, no pid', () => {
    const gone = () => {
      throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    };
    expect(processDying(4242, gone)).toBe(false);
    expect(processDying(undefined)).toBe(false);
    expect(statusSaysDying('garbage')).toBe(false);
  });

  it('sees a real child killed with SIGKILL before Node has reaped it', () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    const pid = child.pid!;
    expect(processDying(pid)).toBe(false);
    process.kill(pid, 'SIGKILL');
    // Node cannot reap it while this runs: it is pending-kill, then a zombie, and stays one.
    const until = Date.now() + 2000;
    while (!readFileSync(`/proc/${pid}/status`, 'utf8').includes('State:\tZ') && Date.now() < until) {
      expect(processDying(pid)).toBe(true);
    }
    expect(processDying(pid)).toBe(true);
    expect(readFileSync(`/proc/${pid}/status`, 'utf8')).toMatch(/^State:\s+Z/m);
  });
});
