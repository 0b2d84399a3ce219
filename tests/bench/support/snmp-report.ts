// Results of the SNMP bench: a JSON file (this run in full, plus one summary line per earlier run
// so figures compare across versions) and an SVG chart of it that the README links.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { commit, machine } from './bench-meta';

export interface RunResult {
  side: 'nms' | 'snmp_exporter';
  cpuSeconds: number;
  /** The kernel's part of cpuSeconds (system calls, page faults) and the minor page faults taken. */
  systemSeconds?: number;
  minorFaults?: number;
  wallSeconds: number;
  polls: number;
  /** Failed or skipped polls (ours), failed scrapes (theirs). */
  failed: number;
  /** Of `failed`, the polls ours skipped (a device still being polled when due again): not in `polls`. */
  skipped?: number;
  varbinds: number;
  /** SNMP requests sent (ours; the exporter does not count them). */
  requests: number | null;
}

export interface ScalePoint {
  devices: number;
  v3Devices: number;
  intervalSeconds: number;
  cpuSeconds: number;
  wallSeconds: number;
  /** Successful polls (the CPU of failed ones is charged to them). */
  polls: number;
  failed: number;
  varbinds: number;
}

interface Spread {
  median: number;
  min: number;
  max: number;
}

export interface BenchReport {
  comparison: {
    devices: number;
    v3Devices: number;
    interfaces: number;
    intervalSeconds: number;
    intervals: number;
    varbindsPerDevice: number;
    runs: RunResult[];
    nms: Spread;
    exporter: Spread;
    ratio: number;
  };
  scale: {
    points: ScalePoint[];
    fixedCoreShare: number;
    cpuSecondsPerPoll: number;
    coreShareFor10kAt60s: number;
    devicesPerCoreAt60s: number;
    extrapolated: true;
  };
}

interface Summary {
  date: string;
  commit: string;
  ratio: number;
  nmsVarbindsPerCpuSecond: number;
  exporterVarbindsPerCpuSecond: number;
  devicesPerCoreAt60s: number;
}

export function writeReport(file: string, report: BenchReport): void {
  mkdirSync(dirname(file), { recursive: true });
  const old = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { history?: Summary[] }) : {};
  const meta = {
    date: new Date().toISOString(),
    commit: commit(),
    // The load average at the end: other work on the machine slows the agents (failed polls) and skews CPU time.
    machine: machine(),
    baseline: 'prometheus-snmp-exporter 0.21 (Debian bookworm)',
    agents: 'snmpsimd 0.4.5, shared, not counted',
  };
  const summary: Summary = {
    date: meta.date,
    commit: meta.commit,
    ratio: report.comparison.ratio,
    nmsVarbindsPerCpuSecond: report.comparison.nms.median,
    exporterVarbindsPerCpuSecond: report.comparison.exporter.median,
    devicesPerCoreAt60s: report.scale.devicesPerCoreAt60s,
  };
  const history = [...(old.history ?? []), summary].slice(-50);
  writeFileSync(file, `${JSON.stringify({ ...meta, ...report, history }, null, 1)}\n`);
  writeFileSync(file.replace(/\.json$/, '.svg'), chart(report, meta.date, meta.commit));
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const k = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(n >= 10_000 ? 0 : 1)}k` : n.toFixed(0));

function chart(r: BenchReport, date: string, rev: string): string {
  const W = 760;
  const H = 300;
  const out: string[] = [];
  const text = (x: number, y: number, s: string, extra = '') => out.push(`<text x="${x}" y="${y}" ${extra}>${esc(s)}</text>`);
  // Left: varbinds per CPU-second, median bar with min–max whisker.
  const c = r.comparison;
  const top = Math.max(c.nms.max, c.exporter.max) * 1.15;
  const y = (v: number) => 250 - (v / top) * 190;
  text(
    20,
    24,
    `SNMP: varbinds per CPU-second (${c.devices} devices, ${c.v3Devices} v3, every ${c.intervalSeconds} s)`,
    'font-weight="bold"',
  );
  [
    ['nms', c.nms, '#2b6cb0'],
    ['snmp_exporter 0.21', c.exporter, '#a0aec0'],
  ].forEach(([label, s, color], i) => {
    const sp = s as Spread;
    const x = 60 + i * 150;
    out.push(`<rect x="${x}" y="${y(sp.median)}" width="90" height="${250 - y(sp.median)}" fill="${color}"/>`);
    out.push(`<line x1="${x + 45}" x2="${x + 45}" y1="${y(sp.max)}" y2="${y(sp.min)}" stroke="#000"/>`);
    text(x + 45, y(sp.max) - 6, k(sp.median), 'text-anchor="middle"');
    text(x + 45, 270, label as string, 'text-anchor="middle"');
  });
  text(60, 290, `ratio ${c.ratio.toFixed(2)}× (median of ${c.runs.length / 2} interleaved runs each)`);
  // Right: CPU per device-poll at each measured size, and the extrapolation to 60 s.
  const s = r.scale;
  const x0 = 420;
  text(x0, 24, 'nms alone: share of one core (measured interval)', 'font-weight="bold"');
  const maxD = Math.max(...s.points.map((p) => p.devices), 1);
  const maxY = Math.max(...s.points.map((p) => p.cpuSeconds / p.wallSeconds), 0.01) * 1.2;
  const px = (d: number) => x0 + 20 + (d / maxD) * 300;
  const py = (v: number) => 250 - (v / maxY) * 190;
  out.push(`<line x1="${x0 + 20}" y1="250" x2="${x0 + 330}" y2="250" stroke="#000"/>`);
  for (const p of s.points) {
    const share = p.cpuSeconds / p.wallSeconds;
    out.push(`<circle cx="${px(p.devices)}" cy="${py(share)}" r="4" fill="#2b6cb0"/>`);
    text(px(p.devices), py(share) - 8, `${(share * 100).toFixed(1)}%`, 'text-anchor="middle" font-size="11"');
    text(px(p.devices), 266, String(p.devices), 'text-anchor="middle" font-size="11"');
  }
  text(
    x0 + 20,
    284,
    `extrapolated: ${(s.cpuSecondsPerPoll * 1000).toFixed(2)} ms/device-poll; 10,000 devices at 60 s = ${(s.coreShareFor10kAt60s * 100).toFixed(0)}% of a core`,
    'font-size="11"',
  );
  text(x0 + 20, 298, `(about ${k(s.devicesPerCoreAt60s)} devices per core at 60 s) — ${date.slice(0, 10)} ${rev}`, 'font-size="11"');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H + 10}" font-family="sans-serif" font-size="13">\n<title>LienThong nms against snmp_exporter: SNMP varbinds per CPU-second</title>\n<rect width="100%" height="100%" fill="#fff"/>\n${out.join('\n')}\n</svg>\n`;
}
