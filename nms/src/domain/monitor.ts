// Live network state behind one facade for the API, metrics and wiring. The work is done by
// three parts: device intake (polls, traps, probes -> device runtime state), link evaluation
// (link health, flapping, the site tree and paths to the province) and views (what is shown).
import type { SiteNetwork } from '@lienthong/kit/contracts';
import type { LinkView, SiteHealthView, TimeSeriesPoint } from '../protocol/health';
import type { DeviceView } from '../protocol/inventory';
import { CascadeReports } from './cascade-health';
import type { Clock } from './clock';
import { DeviceIntake, type DeviceRuntime, type ProbeStats, type TrapInfo } from './device-intake';
import type { EventLog } from './events';
import type { PollSnapshot } from './interfaces';
import type { Device, Inventory, Link } from './inventory';
import { LinkEvaluation, type SiteInfo } from './link-evaluation';
import type { HealthThresholds } from './link-health';
import { LiveSites } from './live-sites';
import { MonitorViews } from './monitor-views';

export class Monitor {
  readonly intake: DeviceIntake;
  readonly links: LinkEvaluation;
  readonly views: MonitorViews;
  /** Sites in live meetings, as sfu-server reports them. */
  readonly live: LiveSites;
  /** The cascade links' health, as the media servers report it. */
  readonly cascade: CascadeReports;

  constructor(
    private readonly inventory: Inventory,
    events: EventLog,
    clock: Clock,
    sites: SiteInfo[],
    thresholds: HealthThresholds,
    seriesCapacity = 720,
  ) {
    this.intake = new DeviceIntake(inventory, events, clock, (d) => this.links.evaluateLinksOf(d));
    this.links = new LinkEvaluation(inventory, events, clock, (id) => this.intake.runtime(id), sites, thresholds, seriesCapacity);
    this.live = new LiveSites(clock);
    this.links.liveSites = this.live;
    this.cascade = new CascadeReports(clock);
    this.views = new MonitorViews(inventory, this.intake, this.links, clock, thresholds.lossRatio, this.cascade);
    inventory.onChange(() => {
      this.intake.prune();
      this.links.rebuild();
    });
  }

  runtime(deviceId: string): DeviceRuntime {
    return this.intake.runtime(deviceId);
  }
  onPoll(device: Device, snap: PollSnapshot): void {
    this.intake.onPoll(device, snap);
  }
  onPollError(device: Device, code: string, message: string): void {
    this.intake.onPollError(device, code, message);
  }
  onTrap(t: TrapInfo): void {
    this.intake.onTrap(t);
  }
  onProbe(address: string, stats: ProbeStats): void {
    this.intake.onProbe(address, stats);
  }

  setSites(sites: SiteInfo[]): void {
    this.links.setSites(sites);
  }
  siteList(): SiteInfo[] {
    return this.links.siteList();
  }
  siteDepth(code: string): number {
    return this.links.siteDepth(code);
  }
  evaluateAll(): void {
    this.links.evaluateAll();
  }

  deviceView(d: Device): DeviceView {
    return this.views.deviceView(d);
  }
  linkView(l: Link): LinkView {
    return this.views.linkView(l);
  }
  linkSeries(id: string, sinceMs: number): TimeSeriesPoint[] {
    return this.views.linkSeries(id, sinceMs);
  }
  siteHealth(): SiteHealthView[] {
    return this.views.siteHealth();
  }
  /** Each site's path to the province with its links' health (what sfu-server asks for live sites). */
  sitesNetwork(codes: readonly string[]): SiteNetwork[] {
    const health = new Map(this.siteHealth().map((s) => [s.code, s]));
    const byId = new Map(this.inventory.links().map((l) => [l.id, l]));
    return codes.map((code) => {
      const site = health.get(code);
      if (!site) return { code, known: false, state: 'unknown', cause: null, path: [] };
      const path = site.path.flatMap((id) => {
        const l = byId.get(id);
        if (!l) return [];
        const h = this.linkView(l).health;
        const reasons = h.reasons.map((r) => ({ code: r.code, value: r.value, minutes: r.minutes, text: r.text }));
        return [{ id, name: l.name, state: h.state, reasons, lossRatio: h.lossRatio, utilisation: h.utilisation, rttMs: h.rttMs }];
      });
      const cause = site.cause ? { linkId: site.cause.linkId, linkName: site.cause.linkName } : null;
      return { code, known: true, state: site.state, cause, path };
    });
  }
}

export type { DeviceRuntime, ProbeStats, SiteInfo, TrapInfo };
