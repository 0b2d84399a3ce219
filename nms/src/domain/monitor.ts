// Live network state behind one facade for the API, metrics and wiring. The work is done by
// three parts: device intake (polls, traps, probes -> device runtime state), link evaluation
// (link health, flapping, the site tree and paths to the province) and views (what is shown).
import type { LinkView, SiteHealthView, TimeSeriesPoint } from '../protocol/health';
import type { DeviceView } from '../protocol/inventory';
import type { Clock } from './clock';
import { DeviceIntake, type DeviceRuntime, type ProbeStats, type TrapInfo } from './device-intake';
import type { EventLog } from './events';
import type { PollSnapshot } from './interfaces';
import type { Device, Inventory, Link } from './inventory';
import { LinkEvaluation, type SiteInfo } from './link-evaluation';
import type { HealthThresholds } from './link-health';
import { MonitorViews } from './monitor-views';

export class Monitor {
  readonly intake: DeviceIntake;
  readonly links: LinkEvaluation;
  readonly views: MonitorViews;

  constructor(inventory: Inventory, events: EventLog, clock: Clock, sites: SiteInfo[], thresholds: HealthThresholds, seriesCapacity = 720) {
    this.intake = new DeviceIntake(inventory, events, clock, (d) => this.links.evaluateLinksOf(d));
    this.links = new LinkEvaluation(inventory, events, clock, (id) => this.intake.runtime(id), sites, thresholds, seriesCapacity);
    this.views = new MonitorViews(inventory, this.intake, this.links, clock, thresholds.lossRatio);
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
}

export type { DeviceRuntime, ProbeStats, SiteInfo, TrapInfo };
