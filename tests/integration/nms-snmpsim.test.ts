// Recorded agent data served by snmpsim over real UDP: a 32-bit wrap, a reboot (sysUpTime
// going back) and an ifIndex renumbering. One .snmprec per step; the poll switches community.

import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSnmpsim } from '../../nms/src/demo/demo';
import { type SimInterface, snmprec } from '../../nms/src/demo/snmprec';
import { DeviceInterfaces } from '../../nms/src/domain/interfaces';
import { pollDevice } from '../../nms/src/snmp/client';
import { freeUdpPort, tempDir, waitFor } from './nms-support';

const wan = (ifIndex: number, inOctets: bigint, outOctets: bigint): SimInterface => ({
  ifIndex,
  name: 'wan0',
  speedBps: 100e6,
  inOctets,
  outOctets,
});
const old32 = (inOctets: bigint): SimInterface => ({ ifIndex: 9, name: 'old32', speedBps: 10e6, inOctets, outOctets: 0n, hc: false });
const lan = (ifIndex: number, v: bigint): SimInterface => ({ ifIndex, name: 'lan0', speedBps: 1e9, inOctets: v, outOctets: v });
const dev = (uptimeTicks: number, interfaces: SimInterface[]) =>
  snmprec({ sysName: 'rec-r1', sysDescr: 'recorded', uptimeTicks, interfaces });

// 60 s between steps (uptime 6000 ticks).
const steps: Record<string, string> = {
  step1: dev(100_000, [wan(1, 1_000_000n, 500_000n), lan(2, 10n), old32(4_294_000_000n)]),
  // +7.5 MB on wan0 in 60 s = 1 Mbit/s; old32 wraps past 2^32 (+967,296 + 32,704 = 1 MB)
  step2: dev(106_000, [wan(1, 8_500_000n, 1_250_000n), lan(2, 20n), old32(32_704n)]),
  // reboot: uptime and every counter back near zero
  step3: dev(3_000, [wan(1, 2_000n, 1_000n), lan(2, 5n), old32(100n)]),
  step4: dev(9_000, [wan(1, 7_502_000n, 751_000n), lan(2, 15n), old32(1_300_100n)]),
  // ifIndex renumbering after that: wan0 is now index 5 with other counters
  step5: dev(15_000, [wan(5, 123n, 456n), lan(2, 25n), old32(2_600_100n)]),
  step6: dev(21_000, [wan(5, 7_500_123n, 750_456n), lan(2, 35n), old32(3_900_100n)]),
};

let sim: ChildProcess;
let port: number;

beforeAll(async () => {
  port = await freeUdpPort();
  sim = startSnmpsim(tempDir('nms-snmpsim-'), port, steps);
  await waitFor('snmpsimd', () => poll('step1').then(() => true), 20_000, 300);
});
afterAll(() => {
  sim?.kill('SIGTERM');
});

const poll = (community: string) =>
  pollDevice(
    { address: '127.0.0.1', port, credentials: { version: '2c', community }, timeoutMs: 1000, retries: 1 },
    { maxVarbinds: 60, maxInterfaces: 100, maxPdus: 50 },
  );

describe('counter correctness on recorded data (snmpsim)', () => {
  it('wraps, reboots and renumbering give no spike, no negative rate, and keep identity by name', async () => {
    const d = new DeviceInterfaces();
    const rates: Record<string, { wan: number | null; old: number | null; lan: number | null }> = {};
    let t = 0;
    const results: Record<string, ReturnType<DeviceInterfaces['ingest']>> = {};
    for (const step of Object.keys(steps)) {
      const out = await poll(step);
      results[step] = d.ingest(out.snapshot, t);
      rates[step] = { wan: d.get('wan0')!.inBps, old: d.get('old32')!.inBps, lan: d.get('lan0')!.inBps };
      t += 60_000;
    }
    expect(rates.step1).toEqual({ wan: null, old: null, lan: null });
    expect(rates.step2!.wan).toBeCloseTo(1_000_000, 0);
    expect(results.step2!.wraps).toBe(1);
    expect(rates.step2!.old).toBeCloseTo((1_000_000 * 8) / 60, 0);
    expect(d.get('old32')!.counterBits).toBe(32);
    // reboot: baseline, no rate at all
    expect(results.step3!.rebooted).toBe(true);
    expect(rates.step3).toEqual({ wan: null, old: null, lan: null });
    expect(rates.step4!.wan).toBeCloseTo(1_000_000, 0);
    // renumbered: same interface (by name), new baseline, then normal again
    expect(results.step5!.renumbered).toEqual(['wan0']);
    expect(rates.step5!.wan).toBeNull();
    expect(rates.step5!.lan).not.toBeNull();
    expect(rates.step6!.wan).toBeCloseTo(1_000_000, 0);
    expect(d.all.map((i) => i.key).sort()).toEqual(['lan0', 'old32', 'wan0']);
    for (const r of Object.values(rates)) for (const v of Object.values(r)) if (v !== null) expect(v).toBeGreaterThanOrEqual(0);
    // the monotonic total counts only accepted deltas: 3 x 7.5 MB
    expect(d.get('wan0')!.totals.inOctets).toBe(22_500_000n);
  });

  it('small GETBULK windows still walk the whole table', async () => {
    const out = await pollDevice(
      { address: '127.0.0.1', port, credentials: { version: '2c', community: 'step1' }, timeoutMs: 1000, retries: 1 },
      { maxVarbinds: 10, maxInterfaces: 100, maxPdus: 50 },
    );
    expect(out.snapshot.interfaces.map((i) => i.name)).toEqual(['wan0', 'lan0', 'old32']);
    expect(out.pdus).toBeGreaterThan(3);
  });

  it('a table longer than the limit is truncated and says so; a walk budget gives SNMP_TABLE_TOO_LARGE', async () => {
    const out = await pollDevice(
      { address: '127.0.0.1', port, credentials: { version: '2c', community: 'step1' }, timeoutMs: 1000, retries: 1 },
      { maxVarbinds: 60, maxInterfaces: 2, maxPdus: 50 },
    );
    expect(out.snapshot.truncated).toBe(true);
    await expect(
      pollDevice(
        { address: '127.0.0.1', port, credentials: { version: '2c', community: 'step1' }, timeoutMs: 1000, retries: 1 },
        { maxVarbinds: 20, maxInterfaces: 100, maxPdus: 1 },
      ),
    ).rejects.toMatchObject({ code: 'SNMP_TABLE_TOO_LARGE' });
  });
});
