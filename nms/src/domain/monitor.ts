// Live network state: device poll results, traps and probes come in; link health, site
// reachability (with the upstream cause), events and recent link series come out.

import type { LinkView, SiteHealthView, SiteState, TimeSeriesPoint } from '../protocol/health';
import type { DeviceView, InterfaceView } from '../protocol/inventory';
import type { Clock } from './clock';
import type { EventLog } from './events';
import { DeviceInterfaces, type PollSnapshot, type TrackedInterface } from './interfaces';
import type { Device, Inventory, Link } from './inventory';
import { type HealthThresholds, LinkHealthTracker, type LinkObservation } from './link-health';
import { RingBuffer } from './ring-buffer';
import { type SiteNode, Topology } from './topology';

export interface ProbeStats {
  rttMs: number | null;
  lossRatio: number;
  jitterMs: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  sent: number;
  received: number;
}

export interface DeviceRuntime {
  state: DeviceView['status']['state'];
  errorCode: string | null;
  errorMessage: string | null;
  lastPollAt: number | null;
  sysName: string | null;
  sysDescr: string | null;
  uptimeTicks: number | null;
  uptimeAt: number | null;
  cpuLoadPercent: number | null;
  memoryUsedRatio: number | null;
  reboots: number;
  polls: number;
  truncated: boolean;
  ifaces: DeviceInterfaces;
  probe: ProbeStats | null;
}

export interface TrapInfo {
  deviceId: string | null;
  source: string;
  kind: 'link_down' | 'link_up' | 'cold_start' | 'warm_start' | 'vendor_trap';
  trapOid: string;
  ifIndex?: number;
  adminUp?: boolean;
  operUp?: boolean;
  inform: boolean;
  varbinds: { oid: string; value: string }[];
}

export interface SiteInfo extends SiteNode {
  levelName?: string;
}

const LEVELS = ['province', 'district', 'commune'];
export const levelName = (depth: number) => LEVELS[depth] ?? `level${depth}`;

interface LinkRuntime {
  tracker: LinkHealthTracker;
  series: RingBuffer<TimeSeriesPoint>;
  obs: LinkObservation | null;
}

export class Monitor {
  private readonly devices = new Map<string, DeviceRuntime>();
  private readonly links = new Map<string, LinkRuntime>();
  private topology!: Topology;
  private readonly sites: Map<string, SiteInfo>;

  constructor(
    private readonly inventory: Inventory,
    private readonly events: EventLog,
    private readonly clock: Clock,
    sites: SiteInfo[],
    private readonly thresholds: HealthThresholds,
    private readonly seriesCapacity = 720,
  ) {
    this.sites = new Map(sites.map((s) => [s.code, s]));
    this.rebuildTopology();
    inventory.onChange(() => this.rebuildTopology());
  }

  /** The tree changed (sfu-server is its owner); link health and device state are kept. */
  setSites(sites: SiteInfo[]): void {
    this.sites.clear();
    for (const s of sites) this.sites.set(s.code, s);
    this.rebuildTopology();
  }

  siteList(): SiteInfo[] {
    return [...this.sites.values()];
  }

  runtime(deviceId: string): DeviceRuntime {
    let r = this.devices.get(deviceId);
    if (!r) {
      r = {
        state: 'unknown',
        errorCode: null,
        errorMessage: null,
        lastPollAt: null,
        sysName: null,
        sysDescr: null,
        uptimeTicks: null,
        uptimeAt: null,
        cpuLoadPercent: null,
        memoryUsedRatio: null,
        reboots: 0,
        polls: 0,
        truncated: false,
        ifaces: new DeviceInterfaces(),
        probe: null,
      };
      this.devices.set(deviceId, r);
    }
    return r;
  }

  private linkRuntime(id: string): LinkRuntime {
    let r = this.links.get(id);
    if (!r) {
      r = { tracker: new LinkHealthTracker(this.thresholds), series: new RingBuffer(this.seriesCapacity), obs: null };
      this.links.set(id, r);
    }
    return r;
  }

  private rebuildTopology(): void {
    const links = this.inventory.links();
    const ids = new Set(links.map((l) => l.id));
    for (const id of this.links.keys()) if (!ids.has(id)) this.links.delete(id);
    const devIds = new Set(this.inventory.devices().map((d) => d.id));
    for (const id of this.devices.keys()) if (!devIds.has(id)) this.devices.delete(id);
    this.topology = new Topology(
      [...this.sites.values()],
      links.map((l) => ({
        id: l.id,
        name: l.name,
        downstreamSite: l.downstream.siteCode,
        upstreamSite: l.upstream.siteCode,
        role: l.role,
        state: this.links.get(l.id)?.tracker.health.state ?? 'unknown',
      })),
    );
  }

  onPoll(device: Device, snap: PollSnapshot): void {
    const now = this.clock.now();
    const r = this.runtime(device.id);
    const wasDown = r.state === 'unreachable' || r.state === 'error';
    const res = r.ifaces.ingest(snap, now);
    Object.assign(r, {
      state: 'up',
      errorCode: snap.truncated ? 'SNMP_TABLE_TOO_LARGE' : null,
      errorMessage: snap.truncated ? 'interface table longer than the limit; the rest was not read' : null,
      lastPollAt: now,
      sysName: snap.sysName,
      sysDescr: snap.sysDescr,
      uptimeTicks: snap.uptimeTicks,
      uptimeAt: now,
      cpuLoadPercent: snap.cpuLoadPercent,
      memoryUsedRatio: snap.memoryUsedRatio,
      truncated: snap.truncated,
    });
    r.polls++;
    if (wasDown)
      this.events.record({
        kind: 'device_recovered',
        severity: 'info',
        source: 'poll',
        deviceId: device.id,
        siteCode: device.siteCode,
        message: `${device.name} answers SNMP again`,
      });
    if (res.rebooted) {
      r.reboots++;
      this.events.record({
        kind: 'reboot',
        severity: 'warning',
        source: 'poll',
        deviceId: device.id,
        siteCode: device.siteCode,
        message: `${device.name} rebooted (sysUpTime went back); counters re-baselined`,
      });
    }
    for (const c of res.statusChanges) {
      this.events.record({
        kind: c.operUp ? 'link_up' : 'link_down',
        severity: c.operUp ? 'info' : 'critical',
        source: 'poll',
        deviceId: device.id,
        siteCode: device.siteCode,
        interface: c.key,
        message: `${device.name} ${c.key} oper ${c.operUp ? 'up' : 'down'} (admin ${c.adminUp ? 'up' : 'down'})`,
        details: { operUp: c.operUp, adminUp: c.adminUp },
        linkId: this.linkFor(device.name, c.key)?.id ?? null,
      });
    }
    this.evaluateLinksOf(device);
  }

  onPollError(device: Device, code: string, message: string): void {
    const now = this.clock.now();
    const r = this.runtime(device.id);
    const prev = r.state;
    r.state = code === 'SNMP_TIMEOUT' ? 'unreachable' : 'error';
    r.errorCode = code;
    r.errorMessage = message;
    r.lastPollAt = now;
    if (prev !== r.state || (prev === 'error' && r.errorCode !== code)) {
      this.events.record({
        kind: r.state === 'unreachable' ? 'device_unreachable' : 'poll_error',
        severity: 'critical',
        source: 'poll',
        deviceId: device.id,
        siteCode: device.siteCode,
        message: `${device.name}: ${code}: ${message}`,
        details: { code },
      });
    }
    this.evaluateLinksOf(device);
  }

  onTrap(t: TrapInfo): void {
    const device = t.deviceId ? this.inventory.devices().find((d) => d.id === t.deviceId) : undefined;
    const now = this.clock.now();
    if (!device) {
      this.events.record({
        kind: 'unknown_source_trap',
        severity: 'warning',
        source: 'trap',
        message: `trap ${t.trapOid} from unknown source ${t.source}`,
        details: { trapOid: t.trapOid, source: t.source, varbinds: t.varbinds.slice(0, 20) },
      });
      return;
    }
    const base = { source: 'trap' as const, deviceId: device.id, siteCode: device.siteCode };
    if (t.kind === 'link_down' || t.kind === 'link_up') {
      const operUp = t.operUp ?? t.kind === 'link_up';
      const iface = t.ifIndex !== undefined ? this.runtime(device.id).ifaces.applyStatus(t.ifIndex, operUp, t.adminUp, now) : undefined;
      const name = iface?.key ?? (t.ifIndex !== undefined ? `ifIndex.${t.ifIndex}` : null);
      this.events.record({
        ...base,
        kind: t.kind,
        severity: t.kind === 'link_down' ? 'critical' : 'info',
        interface: name,
        linkId: name ? (this.linkFor(device.name, name)?.id ?? null) : null,
        message: `${device.name} ${name ?? '?'} ${t.kind === 'link_down' ? 'linkDown' : 'linkUp'} trap${t.inform ? ' (inform)' : ''}`,
        details: { trapOid: t.trapOid, inform: t.inform },
      });
      this.evaluateLinksOf(device);
    } else if (t.kind === 'cold_start' || t.kind === 'warm_start') {
      this.events.record({
        ...base,
        kind: t.kind,
        severity: 'warning',
        message: `${device.name} ${t.kind === 'cold_start' ? 'coldStart' : 'warmStart'} trap`,
        details: { trapOid: t.trapOid, inform: t.inform },
      });
    } else {
      this.events.record({
        ...base,
        kind: 'vendor_trap',
        severity: 'info',
        message: `${device.name} trap ${t.trapOid}`,
        details: { trapOid: t.trapOid, inform: t.inform, varbinds: t.varbinds.slice(0, 20) },
      });
    }
  }

  onProbe(address: string, stats: ProbeStats): void {
    for (const d of this.inventory.devices()) {
      if (d.address !== address || !d.probe) continue;
      this.runtime(d.id).probe = stats;
      this.evaluateLinksOf(d);
    }
  }

  private linkFor(deviceName: string, ifName: string): Link | undefined {
    return this.inventory
      .links()
      .find(
        (l) =>
          (l.downstream.device === deviceName && l.downstream.interface === ifName) ||
          (l.upstream.device === deviceName && l.upstream.interface === ifName),
      );
  }

  private evaluateLinksOf(device: Device): void {
    const affected = this.inventory.links().filter((l) => l.downstream.device === device.name || l.upstream.device === device.name);
    if (affected.length === 0) return;
    const devices = this.inventory.devices();
    let anyChange = false;
    for (const l of affected) if (this.evaluateLink(l, devices)) anyChange = true;
    if (anyChange) this.rebuildTopology();
  }

  /** Re-evaluates every link (time-based conditions such as 15 min of high utilisation). */
  evaluateAll(): void {
    const devices = this.inventory.devices();
    let anyChange = false;
    for (const l of this.inventory.links()) if (this.evaluateLink(l, devices)) anyChange = true;
    if (anyChange) this.rebuildTopology();
  }

  private endInterface(
    end: Link['upstream'],
    devices: Device[],
  ): { device: Device; rt: DeviceRuntime; iface: TrackedInterface | undefined } | undefined {
    if (!end.device) return undefined;
    const device = devices.find((d) => d.name === end.device);
    if (!device) return undefined;
    const rt = this.runtime(device.id);
    return { device, rt, iface: end.interface ? rt.ifaces.get(end.interface) : undefined };
  }

  private evaluateLink(l: Link, devices: Device[]): boolean {
    const now = this.clock.now();
    const up = this.endInterface(l.upstream, devices);
    const down = this.endInterface(l.downstream, devices);
    // The upstream end still answers when the link is cut; prefer it.
    const chosen = [up, down].find((e) => e?.iface && e.rt.state === 'up') ?? [up, down].find((e) => e?.iface);
    const probe = down?.rt.probe ?? null;
    const iface = chosen?.iface;
    const reachableUnknown = down?.rt.state === 'unreachable' && up?.rt.state !== 'up';
    const obs: LinkObservation = {
      adminUp: iface ? iface.adminUp : null,
      operUp: iface && chosen?.rt.state === 'up' ? iface.operUp : reachableUnknown ? null : iface ? iface.operUp : null,
      inBps: iface?.inBps ?? null,
      outBps: iface?.outBps ?? null,
      speedBps: l.speedBps,
      errorsPerSecond: iface?.errorsPerSecond ?? null,
      rttMs: probe?.rttMs ?? null,
      lossRatio: probe ? probe.lossRatio : reachableUnknown ? 1 : null,
      changes: iface?.changes ?? [],
    };
    const rt = this.linkRuntime(l.id);
    rt.obs = obs;
    const { health, changed, previous } = rt.tracker.evaluate(obs, now);
    rt.series.push({
      t: new Date(now).toISOString(),
      inBps: obs.inBps,
      outBps: obs.outBps,
      utilisation: health.utilisation,
      rttMs: obs.rttMs,
      rttP50Ms: probe?.p50 ?? null,
      rttP95Ms: probe?.p95 ?? null,
      jitterMs: probe?.jitterMs ?? null,
      lossRatio: obs.lossRatio,
    });
    if (changed) {
      this.events.record({
        kind: 'link_state',
        severity: health.state === 'down' || health.state === 'flapping' ? 'critical' : health.state === 'degraded' ? 'warning' : 'info',
        source: 'system',
        linkId: l.id,
        siteCode: l.downstream.siteCode,
        message: `link ${l.name}: ${previous} -> ${health.state}${health.reasons.length ? ` (${health.reasons.map((r) => r.text).join('; ')})` : ''}`,
        details: { from: previous, to: health.state, reasons: health.reasons },
      });
    }
    return changed;
  }

  // ---- views -------------------------------------------------------------

  deviceView(d: Device): DeviceView {
    const r = this.runtime(d.id);
    const uptimeSeconds =
      r.uptimeTicks === null || r.uptimeAt === null ? null : r.uptimeTicks / 100 + (this.clock.now() - r.uptimeAt) / 1000;
    const interfaces: InterfaceView[] = r.ifaces.all.map((i) => ({
      ifIndex: i.ifIndex,
      name: i.key,
      alias: i.alias,
      adminUp: i.adminUp,
      operUp: i.operUp,
      speedBps: i.speedBps,
      inBps: i.inBps,
      outBps: i.outBps,
      counterBits: i.counterBits,
    }));
    return {
      id: d.id,
      name: d.name,
      siteCode: d.siteCode,
      role: d.role,
      address: d.address,
      snmpPort: d.snmpPort,
      snmpVersion: d.snmp?.version ?? null,
      hasCredentials: d.snmp !== null,
      pollIntervalSeconds: d.pollIntervalSeconds,
      timeoutMs: d.timeoutMs,
      retries: d.retries,
      probe: d.probe,
      demo: d.demo,
      status: {
        state: d.snmp ? r.state : 'not_polled',
        errorCode: r.errorCode,
        errorMessage: r.errorMessage,
        lastPollAt: r.lastPollAt === null ? null : new Date(r.lastPollAt).toISOString(),
        sysName: r.sysName,
        sysDescr: r.sysDescr,
        uptimeSeconds,
        cpuLoadPercent: r.cpuLoadPercent,
        memoryUsedRatio: r.memoryUsedRatio,
        rttMs: r.probe?.rttMs ?? null,
        lossRatio: r.probe?.lossRatio ?? null,
      },
      interfaces,
    };
  }

  linkView(l: Link): LinkView {
    const rt = this.linkRuntime(l.id);
    const h = rt.tracker.health;
    const o = rt.obs;
    return {
      id: l.id,
      name: l.name,
      role: l.role,
      speedBps: l.speedBps,
      downstream: l.downstream,
      upstream: l.upstream,
      demo: l.demo,
      health: {
        state: h.state,
        reasons: h.reasons,
        since: h.since === null ? null : new Date(h.since).toISOString(),
        adminUp: o?.adminUp ?? null,
        operUp: o?.operUp ?? null,
        inBps: o?.inBps ?? null,
        outBps: o?.outBps ?? null,
        utilisation: h.utilisation,
        errorsPerSecond: o?.errorsPerSecond ?? null,
        rttMs: o?.rttMs ?? null,
        lossRatio: o?.lossRatio ?? null,
        statusChanges15m: h.statusChanges,
      },
    };
  }

  linkSeries(id: string, sinceMs: number): TimeSeriesPoint[] {
    return this.linkRuntime(id)
      .series.toArray()
      .filter((p) => Date.parse(p.t) >= sinceMs);
  }

  private ownSiteState(code: string, devices: Device[]): SiteState {
    const polled = devices.filter((d) => d.siteCode === code && d.snmp);
    const known = polled.map((d) => this.runtime(d.id)).filter((r) => r.state !== 'unknown');
    if (known.length === 0) return 'unknown';
    const bad = known.filter((r) => r.state !== 'up').length;
    if (bad === known.length) return 'down';
    const lossy = devices.some((d) => d.siteCode === code && (this.runtime(d.id).probe?.lossRatio ?? 0) > this.thresholds.lossRatio);
    return bad > 0 || lossy ? 'degraded' : 'ok';
  }

  siteHealth(): SiteHealthView[] {
    const devices = this.inventory.devices();
    return [...this.sites.values()].map((s) => {
      const reach = this.topology.reach(s.code, (c) => this.ownSiteState(c, devices));
      const mine = devices.filter((d) => d.siteCode === s.code);
      return {
        code: s.code,
        name: s.name,
        parentCode: s.parentCode,
        depth: reach.depth,
        level: levelName(reach.depth),
        state: reach.state,
        cause: reach.cause,
        path: reach.path,
        deviceCount: mine.length,
        devicesDown: mine.filter((d) => d.snmp && ['unreachable', 'error'].includes(this.runtime(d.id).state)).length,
      };
    });
  }

  siteDepth(code: string): number {
    return this.topology.depth(code);
  }
}
