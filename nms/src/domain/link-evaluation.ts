// Link evaluation: each link's health (status, utilisation held over time, flapping, loss,
// latency) from the runtime state of the devices at its ends, its recent series, and the
// site tree with the links on each site's path to the province (folding under a cut link).
import type { SiteState, TimeSeriesPoint } from '../protocol/health';
import type { Clock } from './clock';
import type { DeviceRuntime } from './device-intake';
import type { EventLog } from './events';
import type { TrackedInterface } from './interfaces';
import type { Device, Inventory, Link } from './inventory';
import { type HealthThresholds, LinkHealthTracker, type LinkObservation } from './link-health';
import { RingBuffer } from './ring-buffer';
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

export class LinkEvaluation {
  private readonly links = new Map<string, LinkRuntime>();
  private readonly sites = new Map<string, SiteInfo>();
  private topology!: Topology;

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
    this.rebuild();
  }

  siteList(): SiteInfo[] {
    return [...this.sites.values()];
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

  siteDepth(code: string): number {
    return this.topology.depth(code);
  }

  evaluateLinksOf(device: Device): void {
    const affected = this.inventory.links().filter((l) => l.downstream.device === device.name || l.upstream.device === device.name);
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
    const device = devices.find((d) => d.name === end.device);
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
      this.events.record({
        kind: 'link_state',
        severity: health.state === 'down' || health.state === 'flapping' ? 'critical' : health.state === 'degraded' ? 'warning' : 'info',
        source: 'system',
        linkId: l.id,
        siteCode: l.downstream.siteCode,
        message: `link ${l.name}: ${previous} -> ${health.state}${reasons}`,
        details: { from: previous, to: health.state, reasons: health.reasons },
      });
    }
    return changed;
  }
}
