// The poller wakes only when a poll is due (no timer while nothing is), keeps each device's
// interval, and a device added later is polled within the first-poll spread.
import { createLogger } from '@lienthong/kit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Device } from '../src/domain/inventory';
import { Poller } from '../src/snmp/poller';

const base: Device = {
  id: 'd1',
  name: 'r1',
  siteCode: 'TN',
  role: 'router',
  address: '10.0.0.1',
  snmpPort: 161,
  snmp: { version: '2c', community: 'c' },
  pollIntervalSeconds: 10,
  timeoutMs: 100,
  retries: 0,
  probe: false,
  demo: false,
};
const snapshot = {
  uptimeTicks: 1,
  sysName: 'r',
  sysDescr: '',
  interfaces: [],
  cpu: { processorLoads: [], ticks: null },
  memoryUsedRatio: null,
  truncated: false,
};

afterEach(() => vi.useRealTimers());

function poller(polled: string[]) {
  return new Poller({
    concurrency: 8,
    limits: { maxVarbinds: 10, maxInterfaces: 10, maxPdus: 10 },
    logger: createLogger({ service: 'nms-test', level: 'silent' }),
    pollFn: async (t) => {
      polled.push(t.address);
      return { snapshot, pdus: 1, varbinds: 1 };
    },
    hooks: { onResult: () => {}, onError: () => {} },
  });
}

describe('poller schedule', () => {
  it('sets no timer without devices, polls each device once per interval, and takes a device added later', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const polled: string[] = [];
    const p = poller(polled);
    p.start();
    expect(vi.getTimerCount()).toBe(0);
    p.setDevices([base, { ...base, id: 'd2', address: '10.0.0.2', pollIntervalSeconds: 30 }]);
    expect(vi.getTimerCount()).toBe(1);
    // First polls spread over at most 5 s; two due within one tick (200 ms) of each other share
    // the later pass, so the last may come up to a tick after the spread (it failed once in CI so).
    await vi.advanceTimersByTimeAsync(5_200);
    expect(polled.sort()).toEqual(['10.0.0.1', '10.0.0.2']);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(polled.filter((a) => a === '10.0.0.1')).toHaveLength(7);
    expect(polled.filter((a) => a === '10.0.0.2')).toHaveLength(3);
    p.setDevices([base, { ...base, id: 'd3', address: '10.0.0.3', pollIntervalSeconds: 3600 }]);
    await vi.advanceTimersByTimeAsync(5_200);
    expect(polled).toContain('10.0.0.3');
    p.setDevices([]);
    p.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('polls two devices due within one tick of each other at the end of the spread by a tick after it', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const random = vi.spyOn(Math, 'random').mockReturnValueOnce(0.98).mockReturnValueOnce(0.99);
    try {
      const polled: string[] = [];
      const p = poller(polled);
      p.start();
      p.setDevices([base, { ...base, id: 'd2', address: '10.0.0.2' }]); // due at 4.90 s and 4.95 s
      await vi.advanceTimersByTimeAsync(5_000);
      expect(polled).toEqual(['10.0.0.1']);
      await vi.advanceTimersByTimeAsync(100); // the next pass, a tick after the first
      expect(polled).toEqual(['10.0.0.1', '10.0.0.2']);
      p.stop();
    } finally {
      random.mockRestore();
    }
  });

  it('schedules nothing before start() and after stop()', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const polled: string[] = [];
    const p = poller(polled);
    p.setDevices([base]);
    expect(vi.getTimerCount()).toBe(0);
    p.start();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(polled).toEqual(['10.0.0.1']);
    p.stop();
    p.setDevices([base, { ...base, id: 'd2', address: '10.0.0.2' }]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(polled).toEqual(['10.0.0.1']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('polls a device due at the very end of the first-poll spread within that spread', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.99995);
    try {
      const polled: string[] = [];
      const p = poller(polled);
      p.start();
      p.setDevices([{ ...base, pollIntervalSeconds: 3600 }]);
      await vi.advanceTimersByTimeAsync(4_990);
      expect(polled).toHaveLength(0);
      await vi.advanceTimersByTimeAsync(10);
      expect(polled).toHaveLength(1);
      p.stop();
    } finally {
      random.mockRestore();
    }
  });

  it('a device whose interval changes is polled at once', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const polled: string[] = [];
    const p = poller(polled);
    p.start();
    p.setDevices([{ ...base, pollIntervalSeconds: 3600 }]);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(polled).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(polled).toHaveLength(1);
    p.setDevices([{ ...base, pollIntervalSeconds: 60 }]);
    await vi.advanceTimersByTimeAsync(300);
    expect(polled).toHaveLength(2);
    p.stop();
  });
});
