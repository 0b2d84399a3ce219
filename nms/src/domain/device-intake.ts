// Device intake: poll results, poll errors, traps and probe rounds come in and become each
// device's runtime state (status, uptime, CPU, memory, interfaces with rates, probe stats),
// with the events they imply. Which links that touches is the caller's business (onTouched).
import type { DeviceView } from '../protocol/inventory';
import type { Clock } from './clock';
import { CpuLoad } from './cpu';
import type { EventLog } from './events';
import { DeviceInterfaces, type PollSnapshot } from './interfaces';
import type { Device, Inventory } from './inventory';

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
  cpu: CpuLoad;
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

/**
 * The state shown and counted: an SNMP timeout while ping answers is `snmp_unreachable`
 * (monitoring is blind, the network is up); without probe answers it stays `unreachable`.
 */
export function effectiveState(r: DeviceRuntime): DeviceRuntime['state'] {
  if (r.state === 'unreachable' && r.probe && r.probe.received > 0 && r.probe.lossRatio < 1) return 'snmp_unreachable';
  return r.state;
}

const newRuntime = (): DeviceRuntime => ({
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
  cpu: new CpuLoad(),
  probe: null,
});

export class DeviceIntake {
  private readonly devices = new Map<string, DeviceRuntime>();

  constructor(
    private readonly inventory: Inventory,
    private readonly events: EventLog,
    private readonly clock: Clock,
    /** The device's state changed: re-evaluate its links. */
    private readonly onTouched: (device: Device) => void,
  ) {}

  runtime(deviceId: string): DeviceRuntime {
    let r = this.devices.get(deviceId);
    if (!r) {
      r = newRuntime();
      this.devices.set(deviceId, r);
    }
    return r;
  }

  /** Drops the state of devices no longer in the inventory. */
  prune(): void {
    const ids = new Set(this.inventory.devices().map((d) => d.id));
    for (const id of this.devices.keys()) if (!ids.has(id)) this.devices.delete(id);
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
      cpuLoadPercent: r.cpu.update(snap.cpu, snap.uptimeTicks),
      memoryUsedRatio: snap.memoryUsedRatio,
      truncated: snap.truncated,
    });
    r.polls++;
    const base = { source: 'poll' as const, deviceId: device.id, siteCode: device.siteCode };
    if (wasDown) this.events.record({ ...base, kind: 'device_recovered', severity: 'info', message: `${device.name} answers SNMP again` });
    if (res.rebooted) {
      r.reboots++;
      this.events.record({
        ...base,
        kind: 'reboot',
        severity: 'warning',
        message: `${device.name} rebooted (sysUpTime went back); counters re-baselined`,
      });
    }
    for (const c of res.statusChanges) {
      this.events.record({
        ...base,
        kind: c.operUp ? 'link_up' : 'link_down',
        severity: c.operUp ? 'info' : 'critical',
        interface: c.key,
        message: `${device.name} ${c.key} oper ${c.operUp ? 'up' : 'down'} (admin ${c.adminUp ? 'up' : 'down'})`,
        details: { operUp: c.operUp, adminUp: c.adminUp },
        linkId: this.linkIdFor(device.name, c.key),
      });
    }
    this.onTouched(device);
  }

  onPollError(device: Device, code: string, message: string): void {
    const r = this.runtime(device.id);
    const prev = r.state;
    r.state = code === 'SNMP_TIMEOUT' ? 'unreachable' : 'error';
    r.errorCode = code;
    r.errorMessage = message;
    r.lastPollAt = this.clock.now();
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
    this.onTouched(device);
  }

  onTrap(t: TrapInfo): void {
    const device = t.deviceId ? this.inventory.devices().find((d) => d.id === t.deviceId) : undefined;
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
    if (t.kind === 'link_down' || t.kind === 'link_up') this.linkTrap(device, t);
    else this.otherTrap(device, t);
  }

  /** Noted, not applied: the poll the trap triggers (wiring/traps.ts) confirms the state. */
  private linkTrap(device: Device, t: TrapInfo): void {
    const iface = t.ifIndex !== undefined ? this.runtime(device.id).ifaces.byIndex(t.ifIndex) : undefined;
    const name = iface?.key ?? (t.ifIndex !== undefined ? `ifIndex.${t.ifIndex}` : null);
    this.events.record({
      source: 'trap',
      deviceId: device.id,
      siteCode: device.siteCode,
      kind: t.kind,
      severity: 'warning',
      interface: name,
      linkId: name ? this.linkIdFor(device.name, name) : null,
      message: `${device.name} ${name ?? '?'} ${t.kind === 'link_down' ? 'linkDown' : 'linkUp'} trap${t.inform ? ' (inform)' : ''}; confirming by poll`,
      details: { trapOid: t.trapOid, inform: t.inform, ...(t.operUp !== undefined ? { operUp: t.operUp } : {}) },
    });
  }

  private otherTrap(device: Device, t: TrapInfo): void {
    const base = { source: 'trap' as const, deviceId: device.id, siteCode: device.siteCode };
    if (t.kind === 'cold_start' || t.kind === 'warm_start') {
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
      this.onTouched(d);
    }
  }

  private linkIdFor(deviceName: string, ifName: string): string | null {
    const l = this.inventory
      .links()
      .find(
        (l) =>
          (l.downstream.device === deviceName && l.downstream.interface === ifName) ||
          (l.upstream.device === deviceName && l.upstream.interface === ifName),
      );
    return l?.id ?? null;
  }
}
