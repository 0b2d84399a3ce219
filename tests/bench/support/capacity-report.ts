// Results of the capacity bench (LienThong against Janus VideoRoom): every run, medians, the
// extrapolated sites per server at 90 % of the machine, one summary line per earlier run (so
// versions compare), and an SVG chart.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { machine, type Spread, spreadOf } from './bench-meta';
import { SvgChart } from './svg-chart';

/** bare: tests/bench/bare-sfu, the forwarding engine without the product (a reference). */
export type Side = 'lienthong' | 'bare' | 'janus';

export interface CapacityRun {
  side: Side;
  round: number;
  sites: number;
  joinedSites: number;
  failedSites: number;
  /** Sites that passed but, at the end, received fewer than sites-1 audio or video streams. */
  incompleteSites: number;
  /** The measured window (the hold, less its first 5 s). */
  seconds: number;
  /** Every process of the side (janus with its threads; sfu-server's Node and its children), from /proc. */
  cpuSeconds: number;
  cores: number;
  /** The same server with no sites, 5 s before the load started. */
  idleCores: number;
  /** RTP packets the sites received in the window (inbound-rtp packetsReceived). */
  forwardedPackets: number;
  packetsPerSecond: number;
  packetsPerCpuSecond: number;
  /** Packets per second per (receiver, sender) pair: packetsPerSecond / (sites·(sites-1)). */
  pairPacketsPerSecond: number;
  /** CPU above idle per forwarded packet. */
  marginalMicrosPerPacket: number;
  sitesAt90: number;
  /** Medians over the sites. */
  receiveKbps: number;
  lossPercent: number;
  /** Decoded video frames per second, all received streams together. */
  videoFps: number;
  /** Fewest simulcast layers any site sent at the end. */
  videoLayersSent: number;
  toolCores: number;
  processes: Record<string, number>;
  changed: string[];
}

/**
 * Extrapolated: in a full-mesh meeting of N sites the server forwards N(N-1)·p packets/s, so
 * cores(N) = idle + N(N-1)·p·c. The run gives idle and cores at the measured N; solve for N at
 * 0.9 × the machine's cores.
 */
export const SITES_AT_90_METHOD =
  'cores(N) = idle + N(N-1)·p·c (full mesh: each site receives N-1 streams; p = packets/s per receiver-sender pair, c = CPU-seconds per packet above idle), ' +
  'fitted per run through the idle server (no sites, 5 s before the load) and the hold at the measured N; N solved for cores(N) = 0.9 × machine cores. ' +
  'Conservative: receiving the N publishers (which grows with N, not N²) and other per-site work are charged to the forwarded packets, so N is underestimated, on both sides alike. ' +
  'Assumes the server spreads over every core and nothing else runs there.';

export function sitesAt(fraction: number, machineCores: number, sites: number, cores: number, idleCores: number): number {
  const perPair = (cores - idleCores) / (sites * (sites - 1));
  if (perPair <= 0) return Number.POSITIVE_INFINITY;
  const k = (fraction * machineCores - idleCores) / perPair; // N(N-1) = k
  return k <= 0 ? 0 : (1 + Math.sqrt(1 + 4 * k)) / 2;
}

interface SideResult {
  packetsPerCpuSecond: Spread;
  sitesAt90: Spread;
  marginalMicrosPerPacket: Spread;
  idleCores: Spread;
  pairPacketsPerSecond: Spread;
  failedSites: number;
  incompleteSites: number;
}

interface Summary {
  date: string;
  commit: string;
  sites: number;
  lienthongPacketsPerCpuSecond: number;
  janusPacketsPerCpuSecond: number;
  ratio: number;
  lienthongSitesAt90: number;
  janusSitesAt90: number;
  failedSites: { lienthong: number; janus: number };
  barePacketsPerCpuSecond?: number;
  bareRatio?: number;
}

export interface CapacityLoad {
  sites: number;
  holdSeconds: number;
  rounds: number;
  video: { width: number; height: number; fps: number };
  lienthong: Record<string, string | number | boolean>;
  janus: { version: string; config: Record<string, string | number | boolean> };
  notLikeForLike: string[];
  runs: CapacityRun[];
  /** `git status` at the start, and whether the uncommitted code changed before the end. */
  tree: { atStart: { files: string[]; diffHash: string }; changedDuringRun: boolean; atEnd?: { files: string[]; diffHash: string } };
}

export function writeCapacityReport(file: string, load: CapacityLoad, measured: string) {
  const of = (side: Side): SideResult => {
    const rs = load.runs.filter((r) => r.side === side);
    const s = (f: (r: CapacityRun) => number) => spreadOf(rs.map(f));
    return {
      packetsPerCpuSecond: s((r) => r.packetsPerCpuSecond),
      sitesAt90: s((r) => r.sitesAt90),
      marginalMicrosPerPacket: s((r) => r.marginalMicrosPerPacket),
      idleCores: s((r) => r.idleCores),
      pairPacketsPerSecond: s((r) => r.pairPacketsPerSecond),
      failedSites: rs.reduce((a, r) => a + r.failedSites, 0),
      incompleteSites: rs.reduce((a, r) => a + r.incompleteSites, 0),
    };
  };
  const lienthong = of('lienthong');
  const janus = of('janus');
  const ratio = lienthong.packetsPerCpuSecond.median / janus.packetsPerCpuSecond.median;
  const bare = load.runs.some((r) => r.side === 'bare') ? of('bare') : undefined;
  // What mediasoup alone does against Janus: LienThong's ratio cannot exceed it by product code.
  const bareRatio = bare ? bare.packetsPerCpuSecond.median / janus.packetsPerCpuSecond.median : undefined;
  const result = {
    lienthong,
    ...(bare ? { bare, bareRatio } : {}),
    janus,
    ratio,
    goal: 1.5,
    extrapolated: true as const,
    sitesAt90Method: SITES_AT_90_METHOD,
  };
  const meta = {
    date: new Date().toISOString(),
    commit: measured,
    machine: machine(),
    baseline: `Janus ${load.janus.version} VideoRoom (Debian bookworm), simulcast on, multistream subscribers`,
    load: `${load.sites} sites in one meeting/room, each sending VP8 simulcast (scale 4/2/1, 100k/450k/1.2M) + Opus from the load tool's synthetic source and receiving every other site's audio and video (site 1, the speaker, as the main picture at the top layer sent, the others at the lowest); load process on the same machine`,
  };
  mkdirSync(dirname(file), { recursive: true });
  const old = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { history?: Summary[] }) : {};
  const summary: Summary = {
    date: meta.date,
    commit: meta.commit,
    sites: load.sites,
    lienthongPacketsPerCpuSecond: lienthong.packetsPerCpuSecond.median,
    janusPacketsPerCpuSecond: janus.packetsPerCpuSecond.median,
    ratio,
    lienthongSitesAt90: lienthong.sitesAt90.median,
    janusSitesAt90: janus.sitesAt90.median,
    failedSites: { lienthong: lienthong.failedSites, janus: janus.failedSites },
    ...(bare ? { barePacketsPerCpuSecond: bare.packetsPerCpuSecond.median, bareRatio } : {}),
  };
  const history = [...(old.history ?? []), summary].slice(-50);
  writeFileSync(file, `${JSON.stringify({ ...meta, ...load, result, history }, null, 1)}\n`);
  writeFileSync(file.replace(/\.json$/, '.svg'), chart(load, result, meta.date, meta.commit));
  return result;
}

const k = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(1)}k` : n.toFixed(0));

interface ChartSides {
  lienthong: SideResult;
  bare?: SideResult;
  bareRatio?: number;
  janus: SideResult;
  ratio: number;
}

function chart(load: CapacityLoad, r: ChartSides, date: string, rev: string): string {
  const c = new SvgChart();
  const items = (f: (s: SideResult) => Spread): [string, Spread, string][] => [
    ['LienThong', f(r.lienthong), '#2b6cb0'],
    ...(r.bare ? [['bare mediasoup', f(r.bare), '#90cdf4'] as [string, Spread, string]] : []),
    [`Janus ${load.janus.version}`, f(r.janus), '#a0aec0'],
  ];
  c.bars(
    20,
    `Forwarded RTP packets per CPU-second (${load.sites} sites)`,
    items((s) => s.packetsPerCpuSecond),
    k,
  );
  c.bars(
    420,
    'Sites per server at 90 % of the machine*',
    items((s) => s.sitesAt90),
    (v) => v.toFixed(1),
  );
  const failed = r.lienthong.failedSites + r.janus.failedSites;
  c.text(
    40,
    292,
    `ratio ${r.ratio.toFixed(2)}× (goal ≥ 1.5${r.bareRatio ? `; bare mediasoup ${r.bareRatio.toFixed(2)}×` : ''}), median of ${load.rounds} interleaved runs each${failed ? `; FAILED SITES: LienThong ${r.lienthong.failedSites}, Janus ${r.janus.failedSites}` : ''} — ${date.slice(0, 10)} ${rev}`,
  );
  c.text(40, 308, `* extrapolated from the measured ${load.sites}-site mesh and the idle server (method in the JSON)`, 'font-size="11"');
  return c.svg(780, 320, 'LienThong against Janus VideoRoom: forwarded packets per CPU-second');
}
