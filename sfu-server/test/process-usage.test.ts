// /proc parsing for the load-test usage route: CPU ticks and resident memory.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cpuSecondsFromStat, descendants, processUsage, rssBytesFromStatus, serverProcesses } from '../src/metrics/process-usage';

describe('process usage from /proc', () => {
  it('reads utime + stime even when the command name holds spaces and parentheses', () => {
    const stat = '4242 (mediasoup-worker (x) y) S 1 4242 4242 0 -1 4194560 900 0 0 0 1234 566 0 0 20 0 5 0 100 200000000 5000';
    expect(cpuSecondsFromStat(stat)).toBeCloseTo(18);
    expect(() => cpuSecondsFromStat('1 (x) S')).toThrow();
  });

  it('reads VmRSS in bytes', () => {
    expect(rssBytesFromStatus('Name:\tnode\nVmPeak:\t 999 kB\nVmRSS:\t   2048 kB\n')).toBe(2048 * 1024);
    expect(() => rssBytesFromStatus('Name:\tnode\n')).toThrow();
  });

  it('samples this process, and null for one that does not exist', () => {
    const u = processUsage(process.pid);
    expect(u?.cpuSeconds).toBeGreaterThan(0);
    expect(u?.rssBytes).toBeGreaterThan(10_000_000);
    expect(processUsage(2 ** 30)).toBeNull();
  });

  it('finds the processes started below a process (grandchildren too) and names the unnamed ones', async () => {
    // sh starts sleep: a child and a grandchild of this test process.
    const sh = spawn('sh', ['-c', 'sleep 30 & wait'], { stdio: 'ignore', detached: true });
    try {
      let found: { pid: number; comm: string }[] = [];
      for (let i = 0; i < 50 && !found.some((d) => d.comm === 'sleep'); i++) {
        await new Promise((r) => setTimeout(r, 20));
        found = descendants(process.pid);
      }
      expect(found.map((d) => d.comm)).toEqual(expect.arrayContaining(['sh', 'sleep']));
      const listed = serverProcesses([{ name: 'main', pid: sh.pid! }]);
      expect(listed[0]).toEqual({ name: 'main', pid: sh.pid });
      expect(listed.filter((p) => p.pid === sh.pid)).toHaveLength(1);
      expect(listed.some((p) => p.name === 'sleep')).toBe(true);
      expect(descendants(2 ** 30)).toEqual([]);
    } finally {
      process.kill(-sh.pid!, 'SIGKILL'); // the group: sleep too
    }
  });
});
