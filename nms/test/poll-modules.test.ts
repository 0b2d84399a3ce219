import { describe, expect, it } from 'vitest';
import { CpuLoad } from '../src/domain/cpu';
import { readSnapshot } from '../src/snmp/client';
import { DEFAULT_MODULES, MODULES, modulesByName } from '../src/snmp/modules';
import { ciscoProcessModule } from '../src/snmp/modules/cisco-process';
import { decodeValue, planOf } from '../src/snmp/poll-engine';
import { loadWalk, recordedReader } from './fixtures/recorded';

const standard = planOf(modulesByName(DEFAULT_MODULES));

describe('poll modules on a recorded Debian snmpd response (no network)', () => {
  it('map system, IF-MIB, HOST-RESOURCES and UCD fields into the snapshot', async () => {
    const reader = recordedReader(loadWalk('debian-snmpd.walk'));
    const { snapshot, varbinds } = await readSnapshot(reader, standard);
    expect(snapshot).toMatchObject({
      uptimeTicks: 1955,
      sysName: 'vm',
      sysDescr: expect.stringMatching(/^Linux vm /),
      truncated: false,
    });
    expect(snapshot.interfaces.map((i) => [i.ifIndex, i.name, i.descr])).toEqual([
      [1, 'lo', 'lo'],
      [2, 'ifb0', 'ifb0'],
      [3, 'ifb1', 'ifb1'],
      [4, 'eth0', 'eth0'],
    ]);
    const eth0 = snapshot.interfaces[3]!;
    expect(eth0).toEqual({
      ifIndex: 4,
      descr: 'eth0',
      name: 'eth0',
      alias: '',
      adminStatus: 1,
      operStatus: 1,
      speedBps: 0,
      inOctets: 309_162_460n,
      outOctets: 620_550n,
      hc: true,
      inErrors: 0n,
      outErrors: 0n,
      inDiscards: 0n,
      outDiscards: 0n,
    });
    // ifHighSpeed 10 (Mbit/s) wins over ifSpeed; ifb0 is admin down.
    expect(snapshot.interfaces[0]!.speedBps).toBe(10e6);
    expect(snapshot.interfaces[1]).toMatchObject({ adminStatus: 2, operStatus: 2 });
    // hrStorageRam row: 1,926,076 used of 24,683,652 units.
    expect(snapshot.memoryUsedRatio).toBeCloseTo(1_926_076 / 24_683_652, 9);
    // No hrProcessorLoad on this agent yet: the UCD tick counters are there instead.
    expect(snapshot.cpu.processorLoads).toEqual([]);
    expect(snapshot.cpu.ticks).toEqual({
      user: 44_558n,
      nice: 0n,
      system: 7_485n,
      idle: 11_190n,
      wait: 332n,
      kernel: 0n,
      interrupt: 0n,
      softIrq: 56n,
      steal: 93n,
    });
    // One GET with every module's scalars, one walk with every column; laLoadInt never asked.
    expect(reader.asked.get).toHaveLength(14);
    expect(reader.asked.get.some((o) => o.startsWith('1.3.6.1.4.1.2021.10.'))).toBe(false);
    expect(reader.asked.walk).toHaveLength(19);
    expect(varbinds).toBe(14 + 4 * 15 + 11 * 3);
  });

  it('a real percentage from two recorded polls, not the load average', async () => {
    const cpu = new CpuLoad();
    const first = (await readSnapshot(recordedReader(loadWalk('debian-snmpd.walk')), standard)).snapshot;
    const later = [...loadWalk('debian-snmpd.walk'), ...loadWalk('debian-snmpd-step2.walk')];
    // step 2 overrides step 1's scalars (later entries win in the reader's map).
    const second = (await readSnapshot(recordedReader(later), standard)).snapshot;
    expect(cpu.update(first.cpu, first.uptimeTicks)).toBeNull();
    // user +2642, system +352, idle +1, softirq 0, steal +3 ticks: 2997 busy of 2998.
    expect(cpu.update(second.cpu, second.uptimeTicks)).toBeCloseTo((2997 / 2998) * 100, 6);
  });

  it('a missing sysUpTime is a bad response before any walk', async () => {
    const reader = recordedReader(loadWalk('debian-snmpd.walk').filter((vb) => vb.oid !== '1.3.6.1.2.1.1.3.0'));
    await expect(readSnapshot(reader, standard)).rejects.toMatchObject({ code: 'SNMP_BAD_RESPONSE' });
    expect(reader.asked.walk).toEqual([]);
  });
});

describe('a vendor module is data: CISCO-PROCESS-MIB', () => {
  it('feeds its per-CPU busy % into the processor loads, averaged', async () => {
    const plan = planOf(modulesByName([...DEFAULT_MODULES, 'cisco-process']));
    const { snapshot } = await readSnapshot(recordedReader(loadWalk('cisco-process.walk')), plan);
    expect(snapshot.sysName).toBe('pb-r1');
    expect(snapshot.cpu.processorLoads.sort()).toEqual([12, 40]);
    expect(new CpuLoad().update(snapshot.cpu, snapshot.uptimeTicks)).toBe(26);
    // Without the module the same agent has no CPU figure at all.
    const plain = (await readSnapshot(recordedReader(loadWalk('cisco-process.walk')), standard)).snapshot;
    expect(plain.cpu).toEqual({ processorLoads: [], ticks: null });
  });

  it('rows of two modules with the same index stay apart; ifIndex rows merge', async () => {
    const both = [
      ...loadWalk('cisco-process.walk'),
      { oid: '1.3.6.1.2.1.25.3.3.1.2.7', type: 2, value: 90 },
      { oid: '1.3.6.1.2.1.2.2.1.2.7', type: 4, value: Buffer.from('Gi0/0/0') },
      { oid: '1.3.6.1.2.1.31.1.1.1.1.7', type: 4, value: Buffer.from('Gi0/0/0') },
    ];
    const plan = planOf(modulesByName([...DEFAULT_MODULES, 'cisco-process']));
    const { snapshot } = await readSnapshot(recordedReader(both), plan);
    expect(snapshot.cpu.processorLoads.sort()).toEqual([12, 40, 90]);
    expect(snapshot.interfaces).toHaveLength(1);
    expect(snapshot.interfaces[0]).toMatchObject({ ifIndex: 7, descr: 'Gi0/0/0', name: 'Gi0/0/0' });
  });
});

describe('module data', () => {
  it('every OID is dotted numeric, scalars are instances, and no OID means two things', () => {
    const seen = new Map<string, string>();
    for (const m of Object.values(MODULES)) {
      for (const s of m.get) expect(s.oid, `${m.name} ${s.field}`).toMatch(/^1(\.\d+)+\.0$/);
      for (const t of m.walk) for (const c of t.columns) expect(c.oid, `${m.name} ${c.field}`).toMatch(/^1(\.\d+)+$/);
      for (const f of [...m.get, ...m.walk.flatMap((t) => t.columns)]) {
        expect(seen.get(f.oid) ?? f.field, f.oid).toBe(f.field);
        seen.set(f.oid, f.field);
      }
    }
    expect(ciscoProcessModule.get).toEqual([]);
  });

  it('field types decide the conversion', () => {
    const vb = (type: number, value: unknown) => ({ oid: '1.2', type, value });
    expect(decodeValue(vb(66, 100), { oid: '1.2', field: 'ifHighSpeed', type: 'gauge', scale: 1e6 })).toBe(1e8);
    expect(decodeValue(vb(70, Buffer.from('0100000000', 'hex')), { oid: '1.2', field: 'x', type: 'counter64' })).toBe(2n ** 32n);
    expect(decodeValue(vb(2, 9), { oid: '1.2', field: 'x', type: 'enum', values: { 1: 'up', 2: 'down' } })).toBeNull();
    expect(decodeValue(vb(2, 2), { oid: '1.2', field: 'x', type: 'enum', values: { 1: 'up', 2: 'down' } })).toBe(2);
    expect(decodeValue(vb(4, Buffer.from('wan0\0\0')), { oid: '1.2', field: 'x', type: 'string' })).toBe('wan0');
    expect(decodeValue(vb(129, null), { oid: '1.2', field: 'x', type: 'integer' })).toBeNull();
  });

  it('unknown module names are refused; system is always polled first', () => {
    expect(() => modulesByName(['if-mib', 'nope'])).toThrow(/nope/);
    expect(modulesByName(['if-mib']).map((m) => m.name)).toEqual(['system', 'if-mib']);
  });
});
