// Prometheus exposition. Device and interface series are read from the live state at
// scrape time; interface counters are our monotonic totals (wrap- and reboot-corrected),
// so Prometheus' rate() never sees a spike.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Device, Inventory } from '../domain/inventory';
import type { Monitor } from '../domain/monitor';
import { levelName } from '../domain/monitor-views';
import { LabelSets, type TextFamilies } from './families';

export interface NmsMetrics {
  pollDuration: Histogram<'outcome'>;
  pollTimeouts: Counter<'device'>;
  pdusSent: Counter;
  varbinds: Counter;
  pollsSkipped: Counter;
  trapsReceived: Counter<'kind' | 'version'>;
  trapsDropped: Counter<'reason'>;
  trapsRejected: Counter<'reason'>;
  internalErrors: Counter<'where'>;
  probeRounds: Counter<'outcome'>;
}

const LINK_STATES = ['unknown', 'up', 'degraded', 'down', 'flapping'] as const;

type Runtime = ReturnType<Monitor['runtime']>;
type Iface = Runtime['ifaces']['all'][number];

/** What every group of series needs: the live state and collectors refilled at each scrape. */
interface Ctx {
  registry: Registry;
  families: TextFamilies;
  inventory: Inventory;
  monitor: Monitor;
  siteLabels(siteCode: string): { site: string; level: string };
  gauge(name: string, help: string, labelNames: string[], fill: (g: Gauge) => void): Gauge;
  counter(name: string, help: string, labelNames: string[], fill: (c: Counter) => void): Counter;
}

function context(registry: Registry, families: TextFamilies, inventory: Inventory, monitor: Monitor): Ctx {
  return {
    registry,
    families,
    inventory,
    monitor,
    siteLabels: (siteCode) => ({ site: siteCode, level: levelName(monitor.siteDepth(siteCode)) }),
    gauge: (name, help, labelNames, fill) =>
      new Gauge({
        name,
        help,
        labelNames,
        registers: [registry],
        collect() {
          this.reset();
          fill(this);
        },
      }),
    counter: (name, help, labelNames, fill) =>
      new Counter({
        name,
        help,
        labelNames,
        registers: [registry],
        collect() {
          this.reset();
          fill(this);
        },
      }),
  };
}

/** Registers nms's series: the per-device and per-interface ones in `families`, the rest in `registry`. */
export function registerNmsMetrics(registry: Registry, families: TextFamilies, inventory: Inventory, monitor: Monitor): NmsMetrics {
  const ctx = context(registry, families, inventory, monitor);
  deviceMetrics(ctx);
  interfaceMetrics(ctx);
  linkAndSiteMetrics(ctx);
  probeMetrics(ctx);
  return selfMetrics(registry);
}

function deviceMetrics({ families, inventory, monitor, siteLabels }: Ctx): void {
  const polled = () => inventory.devices().filter((d) => d.snmp);
  const sets = new LabelSets(['site', 'level', 'device']);
  const upSets = new LabelSets(['site', 'level', 'device', 'error']);
  const labels = (d: Device) => {
    const s = siteLabels(d.siteCode);
    return sets.render([s.site, s.level, d.name]);
  };
  const perDevice = (name: string, help: string, type: 'gauge' | 'counter', value: (d: Device) => number | null, first = false) =>
    families.add(name, help, type, (emit) => {
      if (first) sets.rotate();
      for (const d of polled()) {
        const v = value(d);
        if (v !== null) emit(labels(d), v);
      }
    });
  families.add('lienthong_device_up', '1 when the device answered its last SNMP poll', 'gauge', (emit) => {
    upSets.rotate();
    for (const d of polled()) {
      const r = monitor.runtime(d.id);
      if (r.state === 'unknown') continue;
      const s = siteLabels(d.siteCode);
      emit(upSets.render([s.site, s.level, d.name, r.errorCode ?? '']), r.state === 'up' ? 1 : 0);
    }
  });
  perDevice('lienthong_device_uptime_seconds', 'sysUpTime of the device', 'gauge', (d) => monitor.deviceView(d).status.uptimeSeconds, true);
  perDevice(
    'lienthong_device_reboots_total',
    'Reboots seen (sysUpTime went back) since nms started',
    'counter',
    (d) => monitor.runtime(d.id).reboots,
  );
  perDevice(
    'lienthong_device_cpu_load_ratio',
    'Processor busy share: hrProcessorLoad averaged, else UCD ssCpuRaw ticks between two polls',
    'gauge',
    (d) => {
      const v = monitor.runtime(d.id).cpuLoadPercent;
      return v === null ? null : v / 100;
    },
  );
  perDevice('lienthong_device_memory_used_ratio', 'Used share of physical memory', 'gauge', (d) => monitor.runtime(d.id).memoryUsedRatio);
}

function interfaceMetrics({ families, inventory, monitor, siteLabels }: Ctx): void {
  const polled = () => inventory.devices().filter((d) => d.snmp);
  const linkIndex = () => {
    const m = new Map<string, string>();
    for (const l of inventory.links()) {
      for (const e of [l.downstream, l.upstream]) if (e.device && e.interface) m.set(`${e.device}\u0000${e.interface}`, l.name);
    }
    return m;
  };
  const sets = new LabelSets(['site', 'level', 'device', 'interface', 'link']);
  // The label text of every interface is found once per scrape (by the first family) and reused by the other nine.
  let rows: { labels: string; iface: Iface }[] = [];
  const collect = () => {
    sets.rotate();
    rows = [];
    const links = linkIndex();
    for (const d of polled()) {
      const r = monitor.runtime(d.id);
      // Stale interface state of an unreachable device must not keep alerts alive; Prometheus marks it stale.
      if (r.state !== 'up') continue;
      const s = siteLabels(d.siteCode);
      for (const i of r.ifaces.all)
        rows.push({ labels: sets.render([s.site, s.level, d.name, i.key, links.get(`${d.name}\u0000${i.key}`) ?? '']), iface: i });
    }
  };
  let first = true;
  const family = (name: string, help: string, type: 'gauge' | 'counter', value: (i: Iface) => number) => {
    const collects = first;
    first = false;
    families.add(name, help, type, (emit) => {
      if (collects) collect();
      for (const row of rows) emit(row.labels, value(row.iface));
    });
  };
  const ifCounter = (name: string, help: string, key: keyof Iface['totals']) => family(name, help, 'counter', (i) => Number(i.totals[key]));
  ifCounter('lienthong_interface_receive_bytes_total', 'Octets received (ifHCInOctets, wrap and reboot corrected)', 'inOctets');
  ifCounter('lienthong_interface_transmit_bytes_total', 'Octets sent (ifHCOutOctets, wrap and reboot corrected)', 'outOctets');
  ifCounter('lienthong_interface_receive_errors_total', 'ifInErrors', 'inErrors');
  ifCounter('lienthong_interface_transmit_errors_total', 'ifOutErrors', 'outErrors');
  ifCounter('lienthong_interface_receive_discards_total', 'ifInDiscards', 'inDiscards');
  ifCounter('lienthong_interface_transmit_discards_total', 'ifOutDiscards', 'outDiscards');
  family('lienthong_interface_speed_bits_per_second', 'ifHighSpeed (or ifSpeed) in bits/s', 'gauge', (i) => i.speedBps);
  family('lienthong_interface_admin_up', '1 when ifAdminStatus is up', 'gauge', (i) => (i.adminUp ? 1 : 0));
  family('lienthong_interface_oper_up', '1 when ifOperStatus is up', 'gauge', (i) => (i.operUp ? 1 : 0));
  // A count over a sliding hour goes down as changes age out: a gauge, not a counter.
  family(
    'lienthong_interface_status_changes_last_hour',
    'Oper status changes in the last hour (polls and traps)',
    'gauge',
    (i) => i.changes.length,
  );
}

function linkAndSiteMetrics({ inventory, monitor, siteLabels, gauge }: Ctx): void {
  gauge(
    'lienthong_link_state',
    'Link health: 1 for the current state',
    ['site', 'level', 'link', 'role', 'upstream_site', 'state'],
    (g) => {
      for (const l of inventory.links()) {
        const s = monitor.linkView(l).health.state;
        for (const st of LINK_STATES)
          g.set(
            { ...siteLabels(l.downstream.siteCode), link: l.name, role: l.role, upstream_site: l.upstream.siteCode, state: st },
            s === st ? 1 : 0,
          );
      }
    },
  );
  gauge('lienthong_link_utilisation_ratio', 'max(in, out) rate over link speed', ['site', 'level', 'link', 'role'], (g) => {
    for (const l of inventory.links()) {
      const u = monitor.linkView(l).health.utilisation;
      if (u !== null) g.set({ ...siteLabels(l.downstream.siteCode), link: l.name, role: l.role }, u);
    }
  });
  gauge('lienthong_link_admin_up', '1 when the monitored interface of the link is administratively up', ['site', 'level', 'link'], (g) => {
    for (const l of inventory.links()) {
      const a = monitor.linkView(l).health.adminUp;
      if (a !== null) g.set({ ...siteLabels(l.downstream.siteCode), link: l.name }, a ? 1 : 0);
    }
  });
  gauge(
    'lienthong_site_state',
    'Site health: 1 for the current state (unreachable = cut off by a link above its own uplink)',
    ['site', 'level', 'state'],
    (g) => {
      for (const s of monitor.siteHealth()) {
        for (const st of ['unknown', 'ok', 'degraded', 'down', 'unreachable', 'unmonitored'])
          g.set({ site: s.code, level: s.level, state: st }, s.state === st ? 1 : 0);
      }
    },
  );
  gauge(
    'lienthong_site_unreachable',
    '1 when a down link above the site cuts it off (cause in the label)',
    ['site', 'level', 'cause_link', 'cause_site'],
    (g) => {
      for (const s of monitor.siteHealth()) {
        g.set({ site: s.code, level: s.level, cause_link: s.cause?.linkName ?? '', cause_site: s.cause?.siteCode ?? '' }, s.cause ? 1 : 0);
      }
    },
  );
}

function probeMetrics({ inventory, monitor, siteLabels, gauge }: Ctx): void {
  const probeGauge = (name: string, help: string, pick: (p: NonNullable<Runtime['probe']>) => number | null) =>
    gauge(name, help, ['site', 'level', 'device'], (g) => {
      for (const d of inventory.devices()) {
        const p = monitor.runtime(d.id).probe;
        const v = p ? pick(p) : null;
        if (v !== null && d.probe) g.set({ ...siteLabels(d.siteCode), device: d.name }, v);
      }
    });
  probeGauge('lienthong_probe_rtt_seconds', 'Mean ICMP round trip of the last probe round', (p) =>
    p.rttMs === null ? null : p.rttMs / 1000,
  );
  probeGauge('lienthong_probe_rtt_p50_seconds', 'Median ICMP round trip over the probe window', (p) =>
    p.p50 === null ? null : p.p50 / 1000,
  );
  probeGauge('lienthong_probe_rtt_p95_seconds', '95th percentile ICMP round trip over the probe window', (p) =>
    p.p95 === null ? null : p.p95 / 1000,
  );
  probeGauge('lienthong_probe_rtt_p99_seconds', '99th percentile ICMP round trip over the probe window', (p) =>
    p.p99 === null ? null : p.p99 / 1000,
  );
  probeGauge('lienthong_probe_jitter_seconds', 'Mean difference of consecutive round trips', (p) =>
    p.jitterMs === null ? null : p.jitterMs / 1000,
  );
  probeGauge('lienthong_probe_loss_ratio', 'Share of pings lost in the last round', (p) => p.lossRatio);
}

/** The poller's, trap receiver's and prober's own counters, updated as things happen. */
function selfMetrics(registry: Registry): NmsMetrics {
  return {
    pollDuration: new Histogram({
      name: 'lienthong_snmp_poll_duration_seconds',
      help: 'Duration of one device poll',
      labelNames: ['outcome'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    pollTimeouts: new Counter({
      name: 'lienthong_snmp_poll_timeouts_total',
      help: 'Polls that timed out',
      labelNames: ['device'],
      registers: [registry],
    }),
    pdusSent: new Counter({ name: 'lienthong_snmp_pdus_sent_total', help: 'SNMP requests sent by the poller', registers: [registry] }),
    varbinds: new Counter({
      name: 'lienthong_snmp_varbinds_received_total',
      help: 'Variable bindings received by the poller',
      registers: [registry],
    }),
    pollsSkipped: new Counter({
      name: 'lienthong_snmp_polls_skipped_total',
      help: 'Polls skipped because the previous one had not finished',
      registers: [registry],
    }),
    trapsReceived: new Counter({
      name: 'lienthong_snmp_traps_received_total',
      help: 'Traps and informs accepted',
      labelNames: ['kind', 'version'],
      registers: [registry],
    }),
    trapsDropped: new Counter({
      name: 'lienthong_snmp_traps_dropped_total',
      help: 'Traps refused (rate limit, bad message, failed auth)',
      labelNames: ['reason'],
      registers: [registry],
    }),
    trapsRejected: new Counter({
      name: 'lienthong_nms_traps_rejected_total',
      help: "Authenticated traps ignored: no device at the source address, or not that device's own credentials",
      labelNames: ['reason'],
      registers: [registry],
    }),
    internalErrors: new Counter({
      name: 'lienthong_nms_internal_errors_total',
      help: 'Errors caught where they would have ended the process (a bug: see the log)',
      labelNames: ['where'],
      registers: [registry],
    }),
    probeRounds: new Counter({
      name: 'lienthong_probe_rounds_total',
      help: 'fping rounds',
      labelNames: ['outcome'],
      registers: [registry],
    }),
  };
}
