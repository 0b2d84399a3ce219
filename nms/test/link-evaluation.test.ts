import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/domain/clock';
import { DeviceIntake, type ProbeStats } from '../src/domain/device-intake';
import { EventLog, type EventStore, type NewEvent } from '../src/domain/events';
import type { PolledInterface, PollSnapshot } from '../src/domain/interfaces';
import { type Device, Inventory, type InventoryStore, type Link } from '../src/domain/inventory';
import { LinkEvaluation } from '../src/domain/link-evaluation';
import { defaultThresholds } from '../src/domain/link-health';
import { LiveSites } from '../src/domain/live-sites';
import { MonitorViews } from '../src/domain/monitor-views';

class MemStore implements InventoryStore, EventStore {
  devices = new Map<string, Device>();
  links = new Map<string, Link>();
  events: (NewEvent & { at: number })[] = [];
  listDevices = () => [...this.devices.values()];
  listLinks = () => [...this.links.values()];
  saveDevice = (d: Device): void => void this.devices.set(d.id, d);
  deleteDevice = (id: string) => void this.devices.delete(id);
  saveLink = (l: Link): void => void this.links.set(l.id, l);
  deleteLink = (id: string) => void this.links.delete(id);
  transaction = <T>(fn: () => T) => fn();
  insert = (e: NewEvent & { at: number }) => this.events.push(e);
  bump = () => {};
  findRecent = () => undefined;
}

/** Hands out the same lists until something changes, as the SQLite store does. */
class CachingStore extends MemStore {
  private d: Device[] | null = null;
  private l: Link[] | null = null;
  override listDevices = () => (this.d ??= [...this.devices.values()]);
  override listLinks = () => (this.l ??= [...this.links.values()]);
  override saveDevice = (d: Device): void => {
    this.devices.set(d.id, d);
    this.d = null;
  };
  override saveLink = (l: Link): void => {
    this.links.set(l.id, l);
    this.l = null;
  };
}

const SITES = [
  { code: 'TN', name: 'Tỉnh', parentCode: null },
  { code: 'TN-DT', name: 'Đại Từ', parentCode: 'TN' },
  { code: 'TN-DT-CUVAN', name: 'Cù Vân', parentCode: 'TN-DT' },
];

function setup(probe = false, store = new MemStore()) {
  const clock = new ManualClock();
  let n = 0;
  const inventory = new Inventory(
    store,
    () => new Set(SITES.map((s) => s.code)),
    { pollIntervalSeconds: 60, timeoutMs: 1000, retries: 1 },
    () => `id${++n}`,
  );
  const snmp = { version: '2c' as const, community: 'c' };
  inventory.import({
    devices: [
      { name: 'core', siteCode: 'TN', role: 'router', address: '10.0.0.1', snmp, probe },
      { name: 'dt-r1', siteCode: 'TN-DT', role: 'router', address: '10.0.1.1', snmp, probe },
    ],
    links: [
      {
        name: 'dt-up',
        downstream: { siteCode: 'TN-DT', device: 'dt-r1', interface: 'wan0' },
        upstream: { siteCode: 'TN', device: 'core', interface: 'ge-0/0/1' },
        speedBps: 100e6,
        role: 'primary',
      },
    ],
  });
  const events = new EventLog(store, clock, 0);
  // The same composition as the Monitor facade, without it.
  const intake: DeviceIntake = new DeviceIntake(inventory, events, clock, (d) => links.evaluateLinksOf(d));
  const links: LinkEvaluation = new LinkEvaluation(inventory, events, clock, (id) => intake.runtime(id), SITES, defaultThresholds);
  const views = new MonitorViews(inventory, intake, links, clock, defaultThresholds.lossRatio);
  const dev = (name: string) => inventory.devices().find((d) => d.name === name)!;
  const link = inventory.links()[0]!;
  return { clock, store, inventory, intake, links, views, dev, link };
}

const ifc = (ifIndex: number, name: string, operUp: boolean, inOctets = 0n): PolledInterface => ({
  ifIndex,
  descr: name,
  name,
  alias: '',
  adminStatus: 1,
  operStatus: operUp ? 1 : 2,
  speedBps: 100e6,
  inOctets,
  outOctets: 0n,
  hc: true,
  inErrors: 0n,
  outErrors: 0n,
  inDiscards: 0n,
  outDiscards: 0n,
});
const snap = (uptimeTicks: number, interfaces: PolledInterface[]): PollSnapshot => ({
  uptimeTicks,
  sysName: 'x',
  sysDescr: 'x',
  interfaces,
  cpu: { processorLoads: [], ticks: null },
  memoryUsedRatio: null,
  truncated: false,
});

describe('link evaluation over device intake', () => {
  it('a cut uplink: down from the upstream end, the site down and its communes folded under it', () => {
    const t = setup();
    t.intake.onPoll(t.dev('core'), snap(1000, [ifc(2, 'ge-0/0/1', true)]));
    t.intake.onPoll(t.dev('dt-r1'), snap(1000, [ifc(1, 'wan0', true)]));
    expect(t.views.linkView(t.link).health.state).toBe('up');
    expect(t.views.siteHealth().find((s) => s.code === 'TN-DT')).toMatchObject({ state: 'ok', path: [t.link.id] });

    t.clock.advance(60_000);
    t.intake.onPollError(t.dev('dt-r1'), 'SNMP_TIMEOUT', 'no response');
    t.intake.onPoll(t.dev('core'), snap(7000, [ifc(2, 'ge-0/0/1', false)]));
    const h = t.views.linkView(t.link).health;
    expect(h).toMatchObject({ state: 'down', operUp: false, adminUp: true });
    expect(h.reasons.map((r) => r.code)).toEqual(['oper_down']);
    const sites = Object.fromEntries(t.views.siteHealth().map((s) => [s.code, s]));
    expect(sites['TN-DT']).toMatchObject({ state: 'down', cause: { linkName: 'dt-up', siteCode: 'TN-DT' }, devicesDown: 1 });
    expect(sites['TN-DT-CUVAN']).toMatchObject({ state: 'unreachable', cause: { linkName: 'dt-up' }, level: 'commune' });
    expect(t.store.events.filter((e) => e.kind === 'link_state').map((e) => e.message)).toEqual([
      'link dt-up: unknown -> up',
      'link dt-up: up -> down (oper down while admin up)',
    ]);
  });

  it('a renamed device keeps its link: the name lookups follow the inventory lists, not the first ones', () => {
    const t = setup(false, new CachingStore());
    t.intake.onPoll(t.dev('core'), snap(1000, [ifc(2, 'ge-0/0/1', true)]));
    t.intake.onPoll(t.dev('dt-r1'), snap(1000, [ifc(1, 'wan0', true)]));
    expect(t.views.linkView(t.link).health.state).toBe('up');
    t.inventory.updateDevice(t.dev('core').id, { name: 'core-2' });
    t.clock.advance(60_000);
    t.intake.onPollError(t.dev('dt-r1'), 'SNMP_TIMEOUT', 'no response');
    t.intake.onPoll(t.dev('core-2'), snap(7000, [ifc(2, 'ge-0/0/1', false)]));
    const l = t.inventory.links()[0]!;
    expect(l.upstream.device).toBe('core-2');
    expect(t.views.linkView(l).health).toMatchObject({ state: 'down', operUp: false });
  });

  it('no SNMP from either end and no probe: down for lack of answers', () => {
    const t = setup();
    t.intake.onPoll(t.dev('dt-r1'), snap(1000, [ifc(1, 'wan0', true)]));
    t.intake.onPollError(t.dev('core'), 'SNMP_TIMEOUT', 'no response');
    t.intake.onPollError(t.dev('dt-r1'), 'SNMP_TIMEOUT', 'no response');
    expect(t.views.linkView(t.link).health).toMatchObject({ state: 'down', operUp: null, lossRatio: 1 });
  });

  it('four status changes in 15 minutes are flapping; a trap alone changes nothing', () => {
    const t = setup();
    t.intake.onPoll(t.dev('dt-r1'), snap(1000, [ifc(1, 'wan0', true)]));
    // Traps only ask for a confirming poll (wiring/traps.ts): the state stays the polled one.
    t.intake.onTrap({
      deviceId: t.dev('dt-r1').id,
      source: '10.0.1.1:162',
      kind: 'link_down',
      trapOid: 'x',
      ifIndex: 1,
      inform: false,
      varbinds: [],
    });
    expect(t.views.linkView(t.link).health).toMatchObject({ state: 'up', statusChanges15m: 0 });
    for (let i = 0; i < 4; i++) {
      t.clock.advance(60_000);
      t.intake.onPoll(t.dev('dt-r1'), snap(1000 + (i + 1) * 6000, [ifc(1, 'wan0', i % 2 === 1)]));
    }
    expect(t.views.linkView(t.link).health).toMatchObject({ state: 'flapping', statusChanges15m: 4 });
    t.clock.advance(16 * 60_000);
    t.links.evaluateAll();
    expect(t.views.linkView(t.link).health.state).toBe('up');
  });

  it('utilisation above 80 % turns degraded only after 15 minutes, on the evaluation loop', () => {
    const t = setup();
    const bytesPerMinute = BigInt((0.9 * 100e6 * 60) / 8);
    t.intake.onPoll(t.dev('dt-r1'), snap(1000, [ifc(1, 'wan0', true, 0n)]));
    t.clock.advance(60_000);
    t.intake.onPoll(t.dev('dt-r1'), snap(7000, [ifc(1, 'wan0', true, bytesPerMinute)]));
    expect(t.views.linkView(t.link).health).toMatchObject({ state: 'up', utilisation: expect.closeTo(0.9, 6) });
    t.clock.advance(15 * 60_000);
    t.links.evaluateAll();
    const h = t.views.linkView(t.link).health;
    expect(h.state).toBe('degraded');
    expect(h.reasons[0]).toMatchObject({ code: 'high_utilisation', minutes: 15 });
    expect(t.views.linkSeries(t.link.id, 0).length).toBe(3);
  });

  it('a degraded link under a site in a live meeting is raised to critical, naming the sites; not once the meeting is over', () => {
    const t = setup();
    const live = new LiveSites(t.clock);
    t.links.liveSites = live;
    live.report(['TN-DT-CUVAN']);
    expect(t.links.liveSitesBehind(t.link.id)).toEqual(['TN-DT-CUVAN']);
    const minute = BigInt((0.9 * 100e6 * 60) / 8);
    t.intake.onPoll(t.dev('dt-r1'), snap(1000, [ifc(1, 'wan0', true, 0n)]));
    t.clock.advance(60_000);
    t.intake.onPoll(t.dev('dt-r1'), snap(7000, [ifc(1, 'wan0', true, minute)]));
    t.clock.advance(15 * 60_000);
    live.report(['TN-DT-CUVAN']);
    t.links.evaluateAll();
    const raised = t.store.events.filter((e) => e.kind === 'link_state').at(-1)!;
    expect(raised).toMatchObject({ severity: 'critical', details: { to: 'degraded', liveSites: ['TN-DT-CUVAN'] } });
    expect(raised.message).toContain('carries 1 site(s) in a live meeting');

    // The same fault with nobody in a meeting over it is a warning, as before.
    const quiet = setup();
    quiet.links.liveSites = new LiveSites(quiet.clock);
    quiet.links.liveSites.report(['TN']);
    quiet.intake.onPoll(quiet.dev('dt-r1'), snap(1000, [ifc(1, 'wan0', true, 0n)]));
    quiet.clock.advance(60_000);
    quiet.intake.onPoll(quiet.dev('dt-r1'), snap(7000, [ifc(1, 'wan0', true, minute)]));
    quiet.clock.advance(15 * 60_000);
    quiet.links.evaluateAll();
    expect(quiet.store.events.filter((e) => e.kind === 'link_state').at(-1)).toMatchObject({
      severity: 'warning',
      details: { to: 'degraded' },
    });

    // A list sfu-server stopped refreshing goes stale: the sites are no longer live.
    t.clock.advance(61_000);
    expect(live.codes()).toEqual([]);
    expect(t.links.liveSitesBehind(t.link.id)).toEqual([]);
  });

  const pings = (received: number): ProbeStats => ({
    rttMs: received ? 1 : null,
    lossRatio: 1 - received / 3,
    jitterMs: null,
    p50: null,
    p95: null,
    p99: null,
    sent: 3,
    received,
  });

  it('SNMP silent but ping answering: monitoring is blind, the network is not down', () => {
    const t = setup(true);
    for (const [name, address] of [
      ['core', '10.0.0.1'],
      ['dt-r1', '10.0.1.1'],
    ] as const) {
      t.intake.onProbe(address, pings(3));
      t.intake.onPollError(t.dev(name), 'SNMP_TIMEOUT', 'no response');
    }
    expect(t.views.deviceView(t.dev('dt-r1')).status).toMatchObject({ state: 'snmp_unreachable', errorCode: 'SNMP_TIMEOUT' });
    // Not silently "up": its status and load are unknown, and it says why.
    const h = t.views.linkView(t.link).health;
    expect(h).toMatchObject({ state: 'unknown', operUp: null, utilisation: null, lossRatio: 0 });
    expect(h.reasons.map((r) => r.code)).toEqual(['no_snmp']);
    const sites = Object.fromEntries(t.views.siteHealth().map((s) => [s.code, s]));
    expect(sites['TN-DT']).toMatchObject({ state: 'unmonitored', cause: null, devicesDown: 0, devicesUnmonitored: 1 });
    expect(sites.TN).toMatchObject({ state: 'unmonitored', devicesDown: 0, devicesUnmonitored: 1 });
    // Below it nothing is cut: its communes are not "unreachable".
    expect(sites['TN-DT-CUVAN']?.state).not.toBe('unreachable');
  });

  it('SNMP and ping both silent: the device is unreachable and the site down', () => {
    const t = setup(true);
    t.intake.onPoll(t.dev('core'), snap(1000, [ifc(2, 'ge-0/0/1', true)]));
    t.intake.onProbe('10.0.1.1', pings(0));
    t.intake.onPollError(t.dev('dt-r1'), 'SNMP_TIMEOUT', 'no response');
    expect(t.views.deviceView(t.dev('dt-r1')).status.state).toBe('unreachable');
    const dt = t.views.siteHealth().find((s) => s.code === 'TN-DT');
    expect(dt).toMatchObject({ state: 'down', devicesDown: 1, devicesUnmonitored: 0 });
    // Ping comes back, SNMP does not: from outage to a monitoring problem.
    t.intake.onProbe('10.0.1.1', pings(3));
    expect(t.views.deviceView(t.dev('dt-r1')).status.state).toBe('snmp_unreachable');
    expect(t.views.siteHealth().find((s) => s.code === 'TN-DT')).toMatchObject({ state: 'unmonitored', devicesDown: 0 });
  });

  it('one device answering SNMP keeps the site ok beside one only answering ping', () => {
    const t = setup(true);
    t.inventory.import({
      devices: [
        { name: 'dt-sw1', siteCode: 'TN-DT', role: 'switch', address: '10.0.1.2', snmp: { version: '2c', community: 'c' }, probe: true },
      ],
    });
    t.intake.onPoll(t.dev('dt-r1'), snap(1000, [ifc(1, 'wan0', true)]));
    t.intake.onProbe('10.0.1.2', pings(3));
    t.intake.onPollError(t.dev('dt-sw1'), 'SNMP_TIMEOUT', 'no response');
    expect(t.views.siteHealth().find((s) => s.code === 'TN-DT')).toMatchObject({ state: 'ok', devicesDown: 0, devicesUnmonitored: 1 });
  });
});
