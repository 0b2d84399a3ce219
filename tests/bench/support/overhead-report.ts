// Results of the SFU-overhead bench: this run in full plus one summary line per earlier run (so
// versions compare), and an SVG chart that the README links.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { machine, type Spread, spreadOf } from './bench-meta';

export interface OverheadRun {
  side: 'lienthong' | 'bare';
  round: number;
  failedSites: number;
  /** The measured window (the hold, less its first 5 s). */
  seconds: number;
  /** Every process of the side (Node and workers), from /proc. */
  cpuSeconds: number;
  nodeCpuSeconds: number;
  workerCpuSeconds: number;
  /** RTP packets the sites received in the window. */
  forwardedPackets: number;
  microsPerPacket: number;
  /** Median over the sites. */
  receiveKbps: number;
  lossPercent: number;
  /** Cores the load tool itself used (on the same machine). */
  toolCores: number;
  processes: Record<string, number>;
  changed: string[];
}

interface Summary {
  date: string;
  commit: string;
  sites: number;
  lienthongMicrosPerPacket: number;
  bareMicrosPerPacket: number;
  ratio: number;
}

export function writeOverheadReport(
  file: string,
  load: { sites: number; holdSeconds: number; workers: number; runs: OverheadRun[] },
  /** The commit measured, taken when the run began. */
  measured: string,
): { lienthong: Spread; bare: Spread; ratio: number } {
  const per = (side: OverheadRun['side']) => spreadOf(load.runs.filter((r) => r.side === side).map((r) => r.microsPerPacket));
  const lienthong = per('lienthong');
  const bare = per('bare');
  const ratio = lienthong.median / bare.median;
  const nodeShare = (side: OverheadRun['side']) =>
    spreadOf(load.runs.filter((r) => r.side === side).map((r) => r.nodeCpuSeconds / r.seconds));
  const meta = {
    date: new Date().toISOString(),
    commit: measured,
    machine: machine(),
    baseline: 'tests/bench/bare-sfu: mediasoup with just enough signalling for the load tool, same workers and codecs',
    load: `npm run loadtest: ${load.sites} sites, VP8 simulcast + Opus each, every site receiving every other; load tool on the same machine`,
  };
  const result = { lienthong, bare, ratio, nodeCores: { lienthong: nodeShare('lienthong'), bare: nodeShare('bare') } };
  mkdirSync(dirname(file), { recursive: true });
  const old = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { history?: Summary[] }) : {};
  const summary: Summary = {
    date: meta.date,
    commit: meta.commit,
    sites: load.sites,
    lienthongMicrosPerPacket: lienthong.median,
    bareMicrosPerPacket: bare.median,
    ratio,
  };
  const history = [...(old.history ?? []), summary].slice(-50);
  writeFileSync(file, `${JSON.stringify({ ...meta, ...load, result, history }, null, 1)}\n`);
  writeFileSync(file.replace(/\.json$/, '.svg'), chart(load.runs, result, load.sites, meta.date, meta.commit));
  return result;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** Left: µs per packet, median bar with min-max whisker per side; right: Node's share of a core. */
function chart(
  runs: OverheadRun[],
  r: { lienthong: Spread; bare: Spread; ratio: number; nodeCores: Record<string, Spread> },
  sites: number,
  date: string,
  rev: string,
): string {
  const out: string[] = [];
  const text = (x: number, y: number, s: string, extra = '') => out.push(`<text x="${x}" y="${y}" ${extra}>${esc(s)}</text>`);
  const bars = (x0: number, title: string, items: [string, Spread, string][], fmt: (v: number) => string) => {
    const top = Math.max(...items.map(([, s]) => s.max)) * 1.2 || 1;
    const y = (v: number) => 250 - (v / top) * 190;
    text(x0, 24, title, 'font-weight="bold"');
    items.forEach(([label, s, color], i) => {
      const x = x0 + 40 + i * 150;
      out.push(`<rect x="${x}" y="${y(s.median)}" width="90" height="${250 - y(s.median)}" fill="${color}"/>`);
      out.push(`<line x1="${x + 45}" x2="${x + 45}" y1="${y(s.max)}" y2="${y(s.min)}" stroke="#000"/>`);
      text(x + 45, y(s.max) - 6, fmt(s.median), 'text-anchor="middle"');
      text(x + 45, 270, label, 'text-anchor="middle"');
    });
  };
  bars(
    20,
    `CPU per forwarded packet, every process (${sites} sites)`,
    [
      ['LienThong', r.lienthong, '#2b6cb0'],
      ['bare mediasoup', r.bare, '#a0aec0'],
    ],
    (v) => `${v.toFixed(1)} µs`,
  );
  bars(
    420,
    'Node process: share of one core',
    [
      ['LienThong', r.nodeCores.lienthong!, '#2b6cb0'],
      ['bare mediasoup', r.nodeCores.bare!, '#a0aec0'],
    ],
    (v) => `${(v * 100).toFixed(1)} %`,
  );
  text(
    60,
    292,
    `ratio ${r.ratio.toFixed(2)}× (goal ≤ 1.10), median of ${runs.length / 2} interleaved runs each — ${date.slice(0, 10)} ${rev}`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="780" height="310" font-family="sans-serif" font-size="13">\n<title>LienThong against a bare mediasoup app: CPU per forwarded packet</title>\n<rect width="100%" height="100%" fill="#fff"/>\n${out.join('\n')}\n</svg>\n`;
}
