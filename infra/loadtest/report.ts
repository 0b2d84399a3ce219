// The load test's numbers as plain functions (unit-tested in test/report.test.ts): percentiles,
// per-site receive rates from cumulative counters, server CPU from /proc samples, the report.
import type { LoadTestUsageReply, MediaCounts, ScoreHistogram } from '@lienthong/sfu-server/protocol';

/** Cumulative receive counters of one site at one moment (its recv transport's inbound-rtp stats). */
export interface ReceiveCounters {
  /** performance.now() of the sample, ms. */
  at: number;
  bytes: number;
  packets: number;
  lost: number;
  videoFrames: number;
  audioStreams: number;
  videoStreams: number;
  /** Width of the widest video frame being received (px): the main picture's layer shows here. */
  widest: number;
  /** Width of the narrowest one (px; 0 while none decoded): the thumbnails' layer. */
  narrowest: number;
}

/** A receiving connection's counters from its stats (inbound-rtp), leaving out `skipSsrc` (mediasoup's probation stream). */
export function inboundCounters(stats: Iterable<{ type: string; [k: string]: unknown }>, skipSsrc?: number): ReceiveCounters {
  const c: ReceiveCounters = {
    at: performance.now(),
    bytes: 0,
    packets: 0,
    lost: 0,
    videoFrames: 0,
    audioStreams: 0,
    videoStreams: 0,
    widest: 0,
    narrowest: 0,
  };
  const n = (v: unknown) => (typeof v === 'number' ? v : 0);
  for (const s of stats) {
    if (s.type !== 'inbound-rtp' || s.ssrc === skipSsrc) continue;
    c.bytes += n(s.bytesReceived);
    c.packets += n(s.packetsReceived);
    c.lost += Math.max(0, n(s.packetsLost));
    if (s.kind === 'video') {
      c.videoFrames += n(s.framesDecoded);
      c.videoStreams++;
      c.widest = Math.max(c.widest, n(s.frameWidth));
      if (n(s.frameWidth) > 0) c.narrowest = c.narrowest === 0 ? n(s.frameWidth) : Math.min(c.narrowest, n(s.frameWidth));
    } else c.audioStreams++;
  }
  return c;
}

/** Video layers (simulcast encodings) a sending connection is sending now, from its stats. */
export function videoLayersSent(stats: Iterable<{ type: string; [k: string]: unknown }>): number {
  let n = 0;
  for (const s of stats) if (s.type === 'outbound-rtp' && s.kind === 'video' && Number(s.bytesSent ?? 0) > 0) n++;
  return n;
}

export interface Spread {
  count: number;
  p50: number;
  p95: number;
  max: number;
}

/** Nearest-rank percentile (p in 0..100) of a non-empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error('percentile of nothing');
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] as number;
}

export function spread(values: readonly number[]): Spread | null {
  if (values.length === 0) return null;
  return { count: values.length, p50: percentile(values, 50), p95: percentile(values, 95), max: Math.max(...values) };
}

export interface ReceiveRate {
  kbps: number;
  /** Lost / (received + lost) over the interval, percent. */
  lossPercent: number;
  /** Decoded video frames per second, all received streams together. */
  videoFps: number;
  /** RTP packets received (audio and video) over the interval. */
  packets: number;
}

/** What a site received between two samples of its counters. */
export function receiveRate(from: ReceiveCounters, to: ReceiveCounters): ReceiveRate {
  const seconds = (to.at - from.at) / 1000;
  if (seconds <= 0) return { kbps: 0, lossPercent: 0, videoFps: 0, packets: 0 };
  const packets = Math.max(0, to.packets - from.packets);
  const lost = Math.max(0, to.lost - from.lost);
  return {
    kbps: (Math.max(0, to.bytes - from.bytes) * 8) / 1000 / seconds,
    lossPercent: packets + lost > 0 ? (100 * lost) / (packets + lost) : 0,
    videoFps: Math.max(0, to.videoFrames - from.videoFrames) / seconds,
    packets,
  };
}

export interface ProcessLoad {
  name: string;
  pid: number;
  /** CPU cores busy on average over the interval (1 = one core). */
  cores: number;
  cpuSeconds: number;
  rssBytes: number;
}

/**
 * CPU each server process used between two usage samples, matched by name and pid (a worker
 * replaced in between is left out: its CPU time restarted). RSS is the later sample's.
 */
export function processLoads(from: LoadTestUsageReply, to: LoadTestUsageReply): ProcessLoad[] {
  const seconds = (to.sampledAt - from.sampledAt) / 1000;
  const out: ProcessLoad[] = [];
  for (const p of to.processes) {
    const before = from.processes.find((q) => q.name === p.name && q.pid === p.pid);
    if (!before || seconds <= 0) continue;
    const cpuSeconds = Math.max(0, p.cpuSeconds - before.cpuSeconds);
    out.push({ name: p.name, pid: p.pid, cores: cpuSeconds / seconds, cpuSeconds, rssBytes: p.rssBytes });
  }
  return out;
}

export interface ScoreSummary {
  consumers: number;
  /** Paused consumers (not scored): the site's own choice or the server shedding video on a thin link. */
  paused: number;
  mean: number | null;
  min: number | null;
  /** Consumers scoring below 7 (mediasoup: the stream reaches the site with trouble). */
  below7: number;
}

/** From the server's histogram (element i = consumers scoring i). */
export function scoreSummary(histogram: readonly number[], paused = 0): ScoreSummary {
  let consumers = 0;
  let sum = 0;
  let min: number | null = null;
  let below7 = 0;
  histogram.forEach((n, score) => {
    if (n <= 0) return;
    consumers += n;
    sum += n * score;
    min ??= score;
    if (score < 7) below7 += n;
  });
  return { consumers, paused, mean: consumers ? sum / consumers : null, min, below7 };
}

export function consumerScores(h: ScoreHistogram): { audio: ScoreSummary; video: ScoreSummary } {
  return { audio: scoreSummary(h.audio, h.paused.audio), video: scoreSummary(h.video, h.paused.video) };
}

/** One sample of the server during the hold: seconds since the hold began, memory, what is alive. */
export interface UsagePoint extends MediaCounts {
  t: number;
  rssMB: number;
}

export function usagePoint(holdStartedAt: number, u: LoadTestUsageReply): UsagePoint {
  const rss = u.processes.reduce((a, p) => a + p.rssBytes, 0);
  return { t: (u.sampledAt - holdStartedAt) / 1000, rssMB: rss / 1048576, ...u.live };
}

export interface Growth {
  first: number;
  last: number;
  /** Least-squares slope, per hour. */
  perHour: number;
}

/** Least-squares slope of y over t (seconds), per hour; 0 with fewer than two distinct times. */
export function slopePerHour(points: readonly { t: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mt = points.reduce((a, p) => a + p.t, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.t - mt) * (p.y - my);
    den += (p.t - mt) ** 2;
  }
  return den === 0 ? 0 : (num / den) * 3600;
}

const GROWTH_KEYS = ['rssMB', 'sockets', 'routers', 'transports', 'producers', 'consumers', 'listeners', 'handles'] as const;
export type GrowthKey = (typeof GROWTH_KEYS)[number];

/** How each figure moved over the hold (first, last, slope per hour); null without two samples. */
export function growth(series: readonly UsagePoint[]): Record<GrowthKey, Growth> | null {
  if (series.length < 2) return null;
  const out = {} as Record<GrowthKey, Growth>;
  for (const k of GROWTH_KEYS)
    out[k] = { first: series[0]![k], last: series[series.length - 1]![k], perHour: slopePerHour(series.map((p) => ({ t: p.t, y: p[k] }))) };
  return out;
}

export interface SiteResult {
  site: number;
  username: string;
  joined: boolean;
  joinMs: number | null;
  firstFrameMs: number | null;
  /** Over the hold. */
  receiveKbps: number;
  lossPercent: number;
  videoFps: number;
  /** RTP packets received over the hold: what the server forwarded to this site. */
  receivedPackets: number;
  /** Streams received at the end (audio, video) and video layers sent. */
  audioStreams: number;
  videoStreams: number;
  videoLayersSent: number;
  /** Widest and narrowest video frames received at the end (px): main picture and thumbnails. */
  widestVideo: number;
  narrowestVideo: number;
  errors: string[];
}

export interface LoadTestReport {
  url: string;
  sites: number;
  joined: number;
  failed: number;
  holdSeconds: number;
  /** When the hold began and ended (epoch ms), to line other measurements up with it. */
  hold: { startedAt: number; endedAt: number } | null;
  video: { width: number; height: number; fps: number };
  /** Layers the sites asked for (--layers) and the speaker rotation (--speaker-every, 0 = none). */
  layers: 'main' | 'low';
  speakerEvery: number;
  joinMs: Spread | null;
  firstFrameMs: Spread | null;
  receiveKbps: Spread | null;
  lossPercent: Spread | null;
  perSite: SiteResult[];
  server: {
    seconds: number;
    cores: number;
    rssBytes: number;
    processes: ProcessLoad[];
    /** The server's consumers by score at the end of the hold. */
    consumerScores: { audio: ScoreSummary; video: ScoreSummary };
  } | null;
  /** CPU cores this tool (every simulated site) used over the hold, and the machine's cores. */
  client: { cores: number; machineCores: number };
  /** The server sampled through the hold (every few seconds), and how each figure moved. */
  series: UsagePoint[];
  growth: Record<GrowthKey, Growth> | null;
  errors: string[];
}

/** A site passes when it joined, saw a frame from another site, received media and hit no error. */
export function sitePassed(s: SiteResult, sites: number): boolean {
  return s.joined && s.errors.length === 0 && (sites < 2 || (s.firstFrameMs !== null && s.receiveKbps > 0));
}

export function buildReport(
  base: Pick<
    LoadTestReport,
    'url' | 'sites' | 'holdSeconds' | 'hold' | 'video' | 'layers' | 'speakerEvery' | 'server' | 'client' | 'series'
  >,
  perSite: SiteResult[],
  errors: string[],
): LoadTestReport {
  const joined = perSite.filter((s) => s.joined);
  const nums = (f: (s: SiteResult) => number | null) => joined.map(f).filter((v): v is number => v !== null);
  return {
    ...base,
    growth: growth(base.series),
    joined: joined.length,
    failed: perSite.filter((s) => !sitePassed(s, base.sites)).length,
    joinMs: spread(nums((s) => s.joinMs)),
    firstFrameMs: spread(nums((s) => s.firstFrameMs)),
    receiveKbps: spread(nums((s) => s.receiveKbps)),
    lossPercent: spread(nums((s) => s.lossPercent)),
    perSite,
    errors: [...errors, ...perSite.flatMap((s) => s.errors.map((e) => `site ${s.site}: ${e}`))],
  };
}

const n0 = (v: number) => v.toFixed(0);
const n1 = (v: number) => v.toFixed(1);
const mb = (b: number) => `${(b / 1048576).toFixed(0)} MB`;
const COLUMNS = [5, 8, 8, 8, 6, 8, 5, 5, 6, 6, 9];
const row = (cells: string[], widths: number[]) => cells.map((c, i) => c.padStart(widths[i] ?? 8)).join('  ');

function spreadLine(name: string, s: Spread | null, f: (v: number) => string, unit: string): string {
  return s
    ? `${name.padEnd(18)} p50 ${f(s.p50)} ${unit}, p95 ${f(s.p95)} ${unit}, max ${f(s.max)} ${unit} (${s.count} sites)`
    : `${name.padEnd(18)} none`;
}

export function formatReport(r: LoadTestReport): string {
  const lines = [
    `Load test of ${r.url}: ${r.sites} sites, ${r.joined} joined, ${r.failed} failed; held ${r.holdSeconds} s; each sending ${r.video.width}x${r.video.height} at ${r.video.fps} fps`,
    r.layers === 'main'
      ? `layers: as the web app (main picture top layer, thumbnails lowest); ${r.speakerEvery ? `the speaker changes every ${r.speakerEvery} s` : 'site 1 speaks throughout'}`
      : 'layers: the lowest for every stream',
    spreadLine('join', r.joinMs, n0, 'ms'),
    spreadLine('first frame', r.firstFrameMs, n0, 'ms'),
    spreadLine('receive', r.receiveKbps, n0, 'kbit/s'),
    spreadLine('loss', r.lossPercent, n1, '%'),
    '',
    'per site: receive over the hold; frames/s = decoded video frames of all received streams; audio/video = streams',
    'received at the end; layers = simulcast layers it sent; widest/narrowest = pictures received at the end (px)',
    row(['site', 'join ms', 'frame ms', 'kbit/s', 'loss %', 'frames/s', 'audio', 'video', 'layers', 'widest', 'narrowest'], COLUMNS),
    ...r.perSite.map((s) =>
      row(
        [
          String(s.site),
          s.joinMs === null ? '-' : n0(s.joinMs),
          s.firstFrameMs === null ? '-' : n0(s.firstFrameMs),
          n0(s.receiveKbps),
          n1(s.lossPercent),
          n1(s.videoFps),
          String(s.audioStreams),
          String(s.videoStreams),
          String(s.videoLayersSent),
          String(s.widestVideo),
          String(s.narrowestVideo),
        ],
        COLUMNS,
      ),
    ),
    '',
  ];
  if (r.server) {
    lines.push(`server over the hold (${n0(r.server.seconds)} s): ${r.server.cores.toFixed(2)} cores, ${mb(r.server.rssBytes)} resident`);
    for (const p of r.server.processes)
      lines.push(`  ${p.name.padEnd(10)} pid ${String(p.pid).padEnd(8)} ${p.cores.toFixed(2)} cores  ${mb(p.rssBytes)}`);
    for (const [kind, s] of Object.entries(r.server.consumerScores)) {
      const mean = s.mean === null ? '-' : s.mean.toFixed(1);
      lines.push(
        `  consumer scores, ${kind}: ${s.consumers} streams, mean ${mean}, min ${s.min ?? '-'}, below 7: ${s.below7}; ${s.paused} paused`,
      );
    }
  } else lines.push('server: no usage sample over the hold');
  if (r.growth) {
    const g = r.growth;
    const fmt = (k: GrowthKey, unit = '') => {
      const x = g[k];
      const d = k === 'rssMB' ? 1 : 0;
      return `${k === 'rssMB' ? 'resident' : k} ${x.first.toFixed(d)} -> ${x.last.toFixed(d)}${unit} (${x.perHour >= 0 ? '+' : ''}${x.perHour.toFixed(1)}${unit}/h)`;
    };
    lines.push(
      `server through the hold (${r.series.length} samples): ${fmt('rssMB', ' MB')}`,
      `  ${(['sockets', 'transports', 'producers', 'consumers', 'listeners', 'handles'] as const).map((k) => fmt(k)).join(', ')}`,
    );
  }
  const { cores, machineCores } = r.client;
  lines.push(
    `this tool over the hold: ${cores.toFixed(2)} of ${machineCores} cores${cores > 0.8 * machineCores ? ' (saturated: its numbers show the tool, not the server)' : ''}`,
  );
  lines.push(r.errors.length ? `errors (${r.errors.length}):` : 'errors: none', ...r.errors.slice(0, 50).map((e) => `  ${e}`));
  return lines.join('\n');
}
