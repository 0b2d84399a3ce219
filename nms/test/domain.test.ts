import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/domain/clock';
import { counterDelta } from '../src/domain/counters';
import { EventLog, type EventStore, RateLimiter } from '../src/domain/events';
import { DeviceInterfaces, type PolledInterface, type PollSnapshot } from '../src/domain/interfaces';
import { defaultThresholds, LinkHealthTracker, type LinkObservation } from '../src/domain/link-health';
import { percentile, RingBuffer } from '../src/domain/ring-buffer';
import { type TopoLink, Topology } from '../src/domain/topology';

const s = (value: bigint, bits: 32 | 64, uptimeTicks: number, at: number) => ({ value, bits, uptimeTicks, at });

describe('counterDelta', () => {
  it('first sample is a baseline, then a delta', () => {
    expect(counterDelta(undefined, s(5n, 64, 100, 0))).toEqual({ kind: 'baseline', reason: 'first' });
    expect(counterDelta(s(5n, 64, 100, 0), s(1005n, 64, 1100, 10_000))).toMatchObject({ kind: 'delta', delta: 1000n, seconds: 10 });
  });
  it('32-bit wrap is detected', () => {
    const r = counterDelta(s(4294967000n, 32, 100, 0), s(704n, 32, 1100, 10_000), 1e6);
    expect(r).toMatchObject({ kind: 'delta', delta: 1000n, wrapped: true });
  });
  it('a wrap implying more than the link speed is a discontinuity', () => {
    expect(counterDelta(s(4000000000n, 32, 100, 0), s(3000000000n, 32, 1100, 1000), 1000)).toMatchObject({
      kind: 'baseline',
      reason: 'implausible_wrap',
    });
  });
  it('sysUpTime going back is a reboot, never a wrap', () => {
    expect(counterDelta(s(4294967000n, 32, 900_000, 0), s(10n, 32, 500, 10_000))).toEqual({ kind: 'baseline', reason: 'reboot' });
  });
  it('a 64-bit counter going back is a new baseline, not a negative rate', () => {
    expect(counterDelta(s(1000n, 64, 100, 0), s(10n, 64, 200, 1000))).toEqual({ kind: 'baseline', reason: 'went_back' });
  });
});

const iface = (p: Partial<PolledInterface> & { ifIndex: number; name: string }): PolledInterface => ({
  descr: p.name,
  alias: '',
  adminStatus: 1,
  operStatus: 1,
  speedBps: 1e9,
  inOctets: 0n,
  outOctets: 0n,
  hc: true,
  inErrors: 0n,
  outErrors: 0n,
  inDiscards: 0n,
  outDiscards: 0n,
  ...p,
});
const snap = (uptimeTicks: number, interfaces: PolledInterface[]): PollSnapshot => ({
  uptimeTicks,
  sysName: 'r1',
  sysDescr: 'x',
  interfaces,
  cpu: { processorLoads: [], ticks: null },
  memoryUsedRatio: null,
  truncated: false,
});

describe('DeviceInterfaces', () => {
  it('computes bits/s and keeps totals monotonic through a reboot', () => {
    const d = new DeviceInterfaces();
    d.ingest(snap(1000, [iface({ ifIndex: 1, name: 'ge-0/0/0', inOctets: 1000n })]), 0);
    d.ingest(snap(7000, [iface({ ifIndex: 1, name: 'ge-0/0/0', inOctets: 126_000n })]), 60_000);
    expect(d.get('ge-0/0/0')!.inBps).toBeCloseTo((125_000 * 8) / 60);
    const r = d.ingest(snap(50, [iface({ ifIndex: 1, name: 'ge-0/0/0', inOctets: 10n })]), 120_000);
    expect(r.rebooted).toBe(true);
    expect(d.get('ge-0/0/0')!.inBps).toBeNull();
    expect(d.get('ge-0/0/0')!.totals.inOctets).toBe(125_000n);
  });
  it('keeps identity by name across ifIndex renumbering and re-baselines', () => {
    const d = new DeviceInterfaces();
    d.ingest(snap(1000, [iface({ ifIndex: 1, name: 'wan0', inOctets: 1000n }), iface({ ifIndex: 2, name: 'lan0', inOctets: 5n })]), 0);
    const r = d.ingest(
      snap(2000, [iface({ ifIndex: 7, name: 'wan0', inOctets: 50n }), iface({ ifIndex: 2, name: 'lan0', inOctets: 10n })]),
      10_000,
    );
    expect(r.renumbered).toEqual(['wan0']);
    expect(d.get('wan0')!.ifIndex).toBe(7);
    expect(d.get('wan0')!.inBps).toBeNull();
    expect(d.get('lan0')!.inBps).toBe(4);
    expect(d.all).toHaveLength(2);
  });
  it('reports status changes and applies trap status at once', () => {
    const d = new DeviceInterfaces();
    d.ingest(snap(1000, [iface({ ifIndex: 3, name: 'wan0' })]), 0);
    const r = d.ingest(snap(2000, [iface({ ifIndex: 3, name: 'wan0', operStatus: 2 })]), 10_000);
    expect(r.statusChanges).toEqual([{ key: 'wan0', operUp: false, adminUp: true }]);
    expect(d.applyStatus(3, true, true, 11_000)!.operUp).toBe(true);
    expect(d.get('wan0')!.changes).toHaveLength(2);
  });
});

const obs = (o: Partial<LinkObservation> = {}): LinkObservation => ({
  adminUp: true,
  operUp: true,
  inBps: 1e6,
  outBps: 1e6,
  speedBps: 1e8,
  errorsPerSecond: 0,
  rttMs: 10,
  lossRatio: 0,
  changes: [],
  ...o,
});

describe('LinkHealthTracker', () => {
  it('up, down while admin up, administratively down', () => {
    const t = new LinkHealthTracker();
    expect(t.evaluate(obs(), 0).health.state).toBe('up');
    const r = t.evaluate(obs({ operUp: false }), 1000);
    expect(r).toMatchObject({ changed: true, previous: 'up' });
    expect(r.health.reasons.map((x) => x.text)).toContain('oper down while admin up');
    expect(t.evaluate(obs({ adminUp: false, operUp: false }), 2000).health.reasons.map((x) => x.code)).toEqual(['admin_down']);
  });
  it('degraded only after 15 minutes above 80%', () => {
    const t = new LinkHealthTracker();
    const hot = obs({ inBps: 9e7 });
    expect(t.evaluate(hot, 0).health.state).toBe('up');
    expect(t.evaluate(hot, 14 * 60_000).health.state).toBe('up');
    expect(t.evaluate(hot, 15 * 60_000).health.state).toBe('degraded');
    expect(t.evaluate(obs(), 16 * 60_000).health.state).toBe('up');
    expect(t.evaluate(hot, 17 * 60_000).health.state).toBe('up'); // the 15 minutes start again
  });
  it('loss, latency and errors degrade', () => {
    const t = new LinkHealthTracker();
    expect(t.evaluate(obs({ lossRatio: 0.05 }), 0).health.reasons).toEqual([{ code: 'loss', value: 0.05, minutes: null, text: 'loss 5%' }]);
    expect(t.evaluate(obs({ rttMs: 400 }), 0).health.state).toBe('degraded');
    expect(t.evaluate(obs({ errorsPerSecond: 5 }), 0).health.state).toBe('degraded');
  });
  it('flapping beats down; old changes age out', () => {
    const t = new LinkHealthTracker();
    const changes = [0, 60_000, 120_000, 180_000];
    expect(t.evaluate(obs({ operUp: false, changes }), 200_000).health.state).toBe('flapping');
    expect(t.evaluate(obs({ changes }), 180_000 + defaultThresholds.flapWindowMs + 1).health.state).toBe('up');
  });
  it('no SNMP status while ping answers: unknown, saying why (never silently up)', () => {
    const h = new LinkHealthTracker().evaluate(obs({ adminUp: null, operUp: null, inBps: null, outBps: null, lossRatio: 0 }), 0).health;
    expect(h.state).toBe('unknown');
    expect(h.utilisation).toBeNull();
    expect(h.reasons.map((r) => r.code)).toEqual(['no_snmp']);
    expect(new LinkHealthTracker().evaluate(obs({ operUp: null, lossRatio: 1 }), 0).health.state).toBe('down');
  });
  it('unknown without any data', () => {
    expect(new LinkHealthTracker().evaluate(obs({ adminUp: null, operUp: null, rttMs: null, lossRatio: null }), 0).health.state).toBe(
      'unknown',
    );
  });
});

describe('Topology', () => {
  const sites = [
    { code: 'TN', name: 'Tỉnh', parentCode: null },
    { code: 'TN-DT', name: 'Đại Từ', parentCode: 'TN' },
    { code: 'TN-DT-CUVAN', name: 'Cù Vân', parentCode: 'TN-DT' },
    { code: 'TN-DT-HUNGSON', name: 'Hùng Sơn', parentCode: 'TN-DT' },
    { code: 'TN-PY', name: 'Phổ Yên', parentCode: 'TN' },
  ];
  const link = (id: string, down: string, up: string, state: TopoLink['state'], role: TopoLink['role'] = 'primary'): TopoLink => ({
    id,
    name: id,
    downstreamSite: down,
    upstreamSite: up,
    role,
    state,
  });
  const ok = () => 'ok' as const;
  it('sites below a down link are unreachable because of it; the link site itself is down', () => {
    const t = new Topology(sites, [
      link('dt-up', 'TN-DT', 'TN', 'down'),
      link('cv-up', 'TN-DT-CUVAN', 'TN-DT', 'up'),
      link('py-up', 'TN-PY', 'TN', 'up'),
    ]);
    expect(t.reach('TN-DT', ok)).toMatchObject({ state: 'down', cause: { linkId: 'dt-up', siteCode: 'TN-DT' } });
    expect(t.reach('TN-DT-CUVAN', ok)).toMatchObject({
      state: 'unreachable',
      cause: { linkId: 'dt-up' },
      path: ['cv-up', 'dt-up'],
      depth: 2,
    });
    expect(t.reach('TN-DT-HUNGSON', ok)).toMatchObject({ state: 'unreachable', cause: { linkId: 'dt-up' } });
    expect(t.reach('TN-PY', ok)).toMatchObject({ state: 'ok', cause: null });
  });
  it('the highest cut is the cause; a working backup keeps the hop up', () => {
    const t = new Topology(sites, [link('dt-up', 'TN-DT', 'TN', 'down'), link('cv-up', 'TN-DT-CUVAN', 'TN-DT', 'down')]);
    expect(t.reach('TN-DT-CUVAN', ok).cause?.linkId).toBe('dt-up');
    const b = new Topology(sites, [link('dt-up', 'TN-DT', 'TN', 'down'), link('dt-bk', 'TN-DT', 'TN', 'up', 'backup')]);
    expect(b.reach('TN-DT-CUVAN', ok)).toMatchObject({ state: 'ok', cause: null });
    expect(b.reach('TN-DT', ok).state).toBe('degraded');
  });
});

class MemEvents implements EventStore {
  rows: { id: number; key: string; at: number; count: number }[] = [];
  insert(e: { at: number; dedupKey: string }) {
    this.rows.push({ id: this.rows.length + 1, key: e.dedupKey, at: e.at, count: 1 });
    return this.rows.length;
  }
  bump(id: number, at: number) {
    const r = this.rows[id - 1]!;
    r.count++;
    r.at = at;
  }
  findRecent(key: string, since: number) {
    return [...this.rows].reverse().find((r) => r.key === key && r.at >= since);
  }
}

describe('events', () => {
  it('folds duplicates inside the window, not after it', () => {
    const clock = new ManualClock();
    const store = new MemEvents();
    const log = new EventLog(store, clock, 60_000);
    const e = {
      kind: 'link_down' as const,
      severity: 'critical' as const,
      source: 'trap' as const,
      deviceId: 'd1',
      interface: 'wan0',
      message: 'x',
    };
    expect(log.record(e).duplicate).toBe(false);
    clock.advance(30_000);
    expect(log.record(e)).toEqual({ id: 1, duplicate: true });
    expect(log.record({ ...e, interface: 'wan1' }).duplicate).toBe(false);
    clock.advance(61_000);
    expect(log.record(e).duplicate).toBe(false);
    expect(store.rows[0]!.count).toBe(2);
  });
  it('never folds a link going down into an earlier state change of the same link', () => {
    const clock = new ManualClock();
    const log = new EventLog(new MemEvents(), clock, 60_000);
    const change = (message: string, severity: 'info' | 'critical') =>
      log.record({ kind: 'link_state', severity, source: 'system', linkId: 'l1', message });
    expect(change('link up1: unknown -> up', 'info').duplicate).toBe(false);
    clock.advance(5_000);
    expect(change('link up1: up -> down (oper down while admin up)', 'critical').duplicate).toBe(false);
    clock.advance(5_000);
    expect(change('link up1: up -> down (oper down while admin up)', 'critical').duplicate).toBe(true);
  });
  it('rate limiter cuts a flood and refills', () => {
    const clock = new ManualClock();
    const rl = new RateLimiter(clock, 10, 5);
    const allowed = Array.from({ length: 20 }, () => rl.allow('10.0.0.1')).filter(Boolean).length;
    expect(allowed).toBe(5);
    expect(rl.allow('10.0.0.2')).toBe(true);
    clock.advance(1000);
    expect(rl.allow('10.0.0.1')).toBe(true);
  });
  it('ring buffer and percentiles', () => {
    const b = new RingBuffer<number>(3);
    for (const i of [1, 2, 3, 4, 5]) b.push(i);
    expect(b.toArray()).toEqual([3, 4, 5]);
    const v = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(v, 50), percentile(v, 95), percentile(v, 99), percentile([], 50)]).toEqual([50, 95, 99, null]);
  });
});
