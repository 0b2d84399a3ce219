// Results of the SFU-overhead bench: this run in full plus one summary line per earlier run (so
// versions compare), and an SVG chart that the README links.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { machine, type Spread, spreadOf } from './bench-meta';
import { SvgChart } from './svg-chart';

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
    load: `npm run loadtest: ${load.sites} sites, VP8 simulcast + Opus each, every site receiving every other (the speaker's picture at the top layer sent, the others at the lowest, as the room page asks; both servers pick the main picture by the active speaker); load tool on the same machine`,
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

/** Left: µs per packet, median bar with min-max whisker per side; right: Node's share of a core. */
function chart(
  runs: OverheadRun[],
  r: { lienthong: Spread; bare: Spread; ratio: number; nodeCores: Record<string, Spread> },
  sites: number,
  date: string,
  rev: string,
): string {
  const c = new SvgChart();
  c.bars(
    20,
    `CPU per forwarded packet, every process (${sites} sites)`,
    [
      ['LienThong', r.lienthong, '#2b6cb0'],
      ['bare mediasoup', r.bare, '#a0aec0'],
    ],
    (v) => `${v.toFixed(1)} µs`,
  );
  c.bars(
    420,
    'Node process: share of one core',
    [
      ['LienThong', r.nodeCores.lienthong!, '#2b6cb0'],
      ['bare mediasoup', r.nodeCores.bare!, '#a0aec0'],
    ],
    (v) => `${(v * 100).toFixed(1)} %`,
  );
  c.text(
    60,
    292,
    `ratio ${r.ratio.toFixed(2)}× (goal ≤ 1.10), median of ${runs.length / 2} interleaved runs each — ${date.slice(0, 10)} ${rev}`,
  );
  return c.svg(780, 310, 'LienThong against a bare mediasoup app: CPU per forwarded packet');
}
