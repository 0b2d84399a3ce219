// What the API and the metrics show: device, link and site views and link series, read
// from device intake and link evaluation without changing them.
import type { LinkView, SiteHealthView, SiteState, TimeSeriesPoint } from '../protocol/health';
import type { DeviceView, InterfaceView } from '../protocol/inventory';
import { CascadeReports } from './cascade-health';
import type { Clock } from './clock';
import { type DeviceIntake, effectiveState } from './device-intake';
import type { Device, Inventory, Link } from './inventory';
import type { LinkEvaluation } from './link-evaluation';

const LEVELS = ['province', 'district', 'commune'];
export const levelName = (depth: number) => LEVELS[depth] ?? `level${depth}`;

export class MonitorViews {
  constructor(
    private readonly inventory: Inventory,
    private readonly intake: DeviceIntake,
    private readonly links: LinkEvaluation,
    private readonly clock: Clock,
    /** Probe loss above this makes a site degraded. */
    private readonly lossRatio: number,
    private readonly cascadeReports = new CascadeReports(clock),
  ) {}

  deviceView(d: Device): DeviceView {
    const r = this.intake.runtime(d.id);
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
        state: d.snmp ? effectiveState(r) : 'not_polled',
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
    const rt = this.links.linkRuntime(l.id);
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
      cascade: this.cascadeView(l),
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

  /** The cascade a link carries, with its health as the servers last reported it. */
  private cascadeView(l: Link): LinkView['cascade'] {
    const c = this.links.cascadeOn(l);
    return c ? { ...c, health: this.cascadeReports.between(c.child.id, c.parent.id) } : null;
  }

  linkSeries(id: string, sinceMs: number): TimeSeriesPoint[] {
    return this.links
      .linkRuntime(id)
      .series.toArray()
      .filter((p) => Date.parse(p.t) >= sinceMs);
  }

  /**
   * A site's state from its own devices (before any cut above it). Devices that answer ping but
   * not SNMP are a monitoring problem: alone they make the site `unmonitored`, never `down`.
   */
  private ownSiteState(code: string, devices: Device[]): SiteState {
    const polled = devices.filter((d) => d.siteCode === code && d.snmp);
    const known = polled.map((d) => effectiveState(this.intake.runtime(d.id))).filter((s) => s !== 'unknown');
    if (known.length === 0) return 'unknown';
    const bad = known.filter((s) => s !== 'up' && s !== 'snmp_unreachable').length;
    if (bad === known.length) return 'down';
    if (!known.includes('up') && bad === 0) return 'unmonitored';
    const lossy = devices.some((d) => d.siteCode === code && (this.intake.runtime(d.id).probe?.lossRatio ?? 0) > this.lossRatio);
    return bad > 0 || lossy ? 'degraded' : 'ok';
  }

  siteHealth(): SiteHealthView[] {
    const devices = this.inventory.devices();
    return this.links.siteList().map((s) => {
      const reach = this.links.reach(s.code, (c) => this.ownSiteState(c, devices));
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
        devicesDown: mine.filter((d) => d.snmp && ['unreachable', 'error'].includes(effectiveState(this.intake.runtime(d.id)))).length,
        devicesUnmonitored: mine.filter((d) => d.snmp && effectiveState(this.intake.runtime(d.id)) === 'snmp_unreachable').length,
        inLiveMeeting: this.links.liveSites?.has(s.code) ?? false,
        server: this.links.serverOf(s.code),
      };
    });
  }
}
