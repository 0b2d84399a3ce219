// Link evaluation: each link's health (status, utilisation held over time, flapping, loss,
// latency) from the runtime state of the devices at its ends, its recent series, and the
// site tree with the links on each site's path to the province (folding under a cut link).
import type { DirectoryServer } from '@lienthong/kit/contracts';
import type { SiteState, TimeSeriesPoint } from '../protocol/health';
import type { Clock } from './clock';
import type { DeviceRuntime } from './device-intake';
import type { EventLog } from './events';
import type { TrackedInterface } from './interfaces';
import type { Device, Inventory, Link } from './inventory';
import { type HealthThresholds, LinkHealthTracker, type LinkObservation } from './link-health';
import type { LiveSites } from './live-sites';
import { RingBuffer } from './ring-buffer';
import { type CarriedCascade, SiteServers } from './site-servers';
import { type SiteNode, type SiteReach, Topology } from './topology';

export interface SiteInfo extends SiteNode {
  levelName?: string;
}

export interface LinkRuntime {
  tracker: LinkHealthTracker;
  series: RingBuffer<TimeSeriesPoint>;
  obs: LinkObservation | null;
}

interface LinkEnd {
  device: Device;
  rt: DeviceRuntime;
  iface: TrackedInterface | undefined;
}

// Name lookups over the inventory's lists, built once per list the inventory hands out (a change gives a
// new list): a poll touches one device's links and the 30 s pass every link, so a scan of every device
// or link per end made both grow with the square of the network (10,000 devices, as many links).
const devicesByName = new WeakMap<readonly Device[], Map<string, Device>>();
const linksByDevice = new WeakMap<readonly Link[], Map<string, Link[]>>();

function deviceNamed(devices: readonly Device[], name: string): Device | undefined {
  let m = devicesByName.get(devices);
  if (!m) {
    m = new Map();
    // The first of a name wins, as a scan would have found it.
    for (const d of devices) if (!m.has(d.name)) m.set(d.name, d);
    devicesByName.set(devices, m);
  }
  return m.get(name);
}

function linksAt(links: readonly Link[], deviceName: string): Link[] {
  let m = linksByDevice.get(links);
  if (!m) {
    m = new Map();
    for (const l of links)
      for (const name of new Set([l.downstream.device, l.upstream.device])) {
        if (!name) continue;
        const at = m.get(name);
        if (at) at.push(l);
        else m.set(name, [l]);
      }
    linksByDevice.set(links, m);
  }
  return m.get(deviceName) ?? [];
}

export class LinkEvaluation {
  private readonly links = new Map<string, LinkRuntime>();
  private readonly sites = new Map<string, SiteInfo>();
  private topology!: Topology;
  private servers = new SiteServers([]);
  /** Sites in live meetings (sfu-server reports them): a change on their path is raised to critical. */
  liveSites: LiveSites | null = null;

  constructor(
    private readonly inventory: Inventory,
    private readonly events: EventLog,
    private readonly clock: Clock,
    private readonly runtime: (deviceId: string) => DeviceRuntime,
    sites: SiteInfo[],
    private readonly thresholds: HealthThresholds,
    private readonly seriesCapacity = 720,
  ) {
    this.setSites(sites);
  }

  /** The tree changed (sfu-server is its owner); link health is kept. */
  setSites(sites: SiteInfo[]): void {
    this.sites.clear();
    for (const s of sites) this.sites.set(s.code, s);
    this.servers = new SiteServers(sites);
    this.rebuild();
  }

  siteList(): SiteInfo[] {
    return [...this.sites.values()];
  }

  /** The media server serving a site (sfu-server's directory), null when unknown. */
  serverOf(code: string): DirectoryServer | null {
    return this.servers.of(code);
  }

  /** The cascade between two media servers the link carries (its ends are served by a server and its parent), else null. */
  cascadeOn(l: Link): CarriedCascade | null {
    return this.servers.cascadeBetween(l.downstream.siteCode, l.upstream.siteCode);
  }

  linkRuntime(id: string): LinkRuntime {
    let r = this.links.get(id);
    if (!r) {
      r = { tracker: new LinkHealthTracker(this.thresholds), series: new RingBuffer(this.seriesCapacity), obs: null };
      this.links.set(id, r);
    }
    return r;
  }

  /** Drops links no longer in the inventory and rebuilds the tree with the links' states. */
  rebuild(): void {
    const links = this.inventory.links();
    const ids = new Set(links.map((l) => l.id));
    for (const id of this.links.keys()) if (!ids.has(id)) this.links.delete(id);
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

  reach(code: string, ownState: (code: string) => SiteState): SiteReach {
    return this.topology.reach(code, ownState);
  }

  /** Sites in a live meeting whose path to the province goes over the link. */
  liveSitesBehind(linkId: string): string[] {
    if (!this.liveSites) return [];
    return this.liveSites.codes().filter((code) => this.topology.reach(code, () => 'ok').path.includes(linkId));
  }

  /** The primary links from the site up to the province, nearest first. */
  pathOf(code: string): string[] {
    return this.topology.reach(code, () => 'ok').path;
  }

  siteDepth(code: string): number {
    return this.topology.depth(code);
  }

  evaluateLinksOf(device: Device): void {
    const affected = linksAt(this.inventory.links(), device.name);
    if (affected.length > 0) this.evaluate(affected);
  }

  /** Re-evaluates every link (time-based conditions such as 15 min of high utilisation). */
  evaluateAll(): void {
    this.evaluate(this.inventory.links());
  }

  private evaluate(links: Link[]): void {
    const devices = this.inventory.devices();
    let anyChange = false;
    for (const l of links) if (this.evaluateLink(l, devices)) anyChange = true;
    if (anyChange) this.rebuild();
  }

  private endOf(end: Link['upstream'], devices: Device[]): LinkEnd | undefined {
    if (!end.device) return undefined;
    const device = deviceNamed(devices, end.device);
    if (!device) return undefined;
    const rt = this.runtime(device.id);
    return { device, rt, iface: end.interface ? rt.ifaces.get(end.interface) : undefined };
  }

  /** What the link's ends say about it now. */
  observe(l: Link, devices: Device[]): LinkObservation {
    const up = this.endOf(l.upstream, devices);
    const down = this.endOf(l.downstream, devices);
    // The upstream end still answers when the link is cut; prefer it.
    const chosen = [up, down].find((e) => e?.iface && e.rt.state === 'up') ?? [up, down].find((e) => e?.iface);
    const probe = down?.rt.probe ?? null;
    const iface = chosen?.iface;
    const reachableUnknown = down?.rt.state === 'unreachable' && up?.rt.state !== 'up';
    return {
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
  }

  private evaluateLink(l: Link, devices: Device[]): boolean {
    const now = this.clock.now();
    const obs = this.observe(l, devices);
    const probe = this.endOf(l.downstream, devices)?.rt.probe ?? null;
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
      const reasons = health.reasons.length ? ` (${health.reasons.map((r) => r.text).join('; ')})` : '';
      const live = health.state === 'up' || health.state === 'unknown' ? [] : this.liveSitesBehind(l.id);
      const severity =
        health.state === 'down' || health.state === 'flapping' || live.length > 0
          ? 'critical'
          : health.state === 'degraded'
            ? 'warning'
            : 'info';
      this.events.record({
        kind: 'link_state',
        severity,
        source: 'system',
        linkId: l.id,
        siteCode: l.downstream.siteCode,
        message: `link ${l.name}: ${previous} -> ${health.state}${reasons}${live.length ? `; carries ${live.length} site(s) in a live meeting` : ''}`,
        details: { from: previous, to: health.state, reasons: health.reasons, ...(live.length ? { liveSites: live } : {}) },
      });
    }
    return changed;
  }
}
