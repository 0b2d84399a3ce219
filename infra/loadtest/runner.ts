// Ramp, hold, measure: starts the sites at --ramp per second, prints one progress line a second
// (joined/failed, receive kbit/s, server CPU), holds, then builds the report and removes the fixture.
import { availableParallelism } from 'node:os';
import type { LoadTestUsageReply } from '@lienthong/sfu-server/protocol';
import type { LoadTestOptions } from './args';
import { createFixture, requireOptIn } from './fixture';
import { Api, login } from './http';
import { SyntheticMedia } from './media-source';
import {
  buildReport,
  consumerScores,
  type LoadTestReport,
  processLoads,
  type ReceiveCounters,
  receiveRate,
  type SiteResult,
  type UsagePoint,
  usagePoint,
} from './report';
import { SimulatedSite } from './site';

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });

class Progress {
  private prev = new Map<SimulatedSite, ReceiveCounters>();
  private prevUsage: LoadTestUsageReply | null = null;
  private readonly started = performance.now();

  /** Every usage sample the progress line took: the hold's server series is made of these. */
  onUsage: ((u: LoadTestUsageReply) => void) | null = null;

  constructor(
    private readonly sites: SimulatedSite[],
    private readonly usage: () => Promise<LoadTestUsageReply | null>,
    private readonly log: (line: string) => void,
  ) {}

  async line(phase: string): Promise<void> {
    let kbps = 0;
    for (const s of this.sites) {
      if (s.state !== 'joined') continue;
      const c = await s.counters();
      const p = this.prev.get(s);
      if (p) kbps += receiveRate(p, c).kbps;
      this.prev.set(s, c);
    }
    const u = await this.usage();
    if (u) this.onUsage?.(u);
    const cores = u && this.prevUsage ? processLoads(this.prevUsage, u).reduce((a, p) => a + p.cores, 0) : null;
    if (u) this.prevUsage = u;
    const joined = this.sites.filter((s) => s.joinMs !== null).length;
    const failed = this.sites.filter((s) => s.state === 'failed').length;
    const t = ((performance.now() - this.started) / 1000).toFixed(0).padStart(4);
    this.log(
      `${t} s  ${phase.padEnd(7)} joined ${joined}/${this.sites.length}  failed ${failed}  receiving ${(kbps / 1000).toFixed(2)} Mbit/s  server CPU ${cores === null ? '-' : `${cores.toFixed(2)} cores`}`,
    );
  }
}

/** What any simulated site (this tool's, or a bench's against another server) reports of itself. */
export interface SiteOutcome {
  index: number;
  username: string;
  joinMs: number | null;
  firstFrameMs: number | null;
  errors: readonly string[];
  sentLayers(): Promise<number>;
}

/** One site's line of the report: what it received between two samples of its counters. */
export async function siteResult(s: SiteOutcome, from: ReceiveCounters | undefined, to: ReceiveCounters): Promise<SiteResult> {
  const r = from ? receiveRate(from, to) : { kbps: 0, lossPercent: 0, videoFps: 0, packets: 0 };
  return {
    site: s.index,
    username: s.username,
    joined: s.joinMs !== null,
    joinMs: s.joinMs,
    firstFrameMs: s.firstFrameMs,
    receiveKbps: r.kbps,
    lossPercent: r.lossPercent,
    videoFps: r.videoFps,
    receivedPackets: r.packets,
    audioStreams: to.audioStreams,
    videoStreams: to.videoStreams,
    videoLayersSent: await s.sentLayers(),
    widestVideo: to.widest,
    narrowestVideo: to.narrowest,
    errors: [...s.errors],
  };
}

export async function runLoadTest(opts: LoadTestOptions, log: (line: string) => void, signal: AbortSignal): Promise<LoadTestReport> {
  const api = new Api(opts.url, opts.ca);
  const admin = api.withToken(await login(api, opts.admin, opts.password, Date.now() + 30_000));
  await requireOptIn(admin);
  const usage = () => admin.call<LoadTestUsageReply>('GET', '/api/loadtest/usage').catch(() => null);
  const fixture = await createFixture(admin, opts.sites, log);
  const media = new SyntheticMedia(opts.width, opts.height, opts.fps);
  const sites = fixture.accounts.map((a) => new SimulatedSite(a, api, opts.url, media, fixture.meetingId, opts.layers));
  const progress = new Progress(sites, usage, log);
  let phase = 'ramp';
  const ticker = setInterval(() => void progress.line(phase).catch(() => undefined), 1000);
  const errors: string[] = [];
  try {
    const starts: Promise<void>[] = [];
    for (const s of sites) {
      if (signal.aborted) break;
      starts.push(s.start(opts.joinTimeout * 1000));
      await sleep(1000 / opts.ramp, signal);
    }
    await Promise.all(starts);
    phase = 'hold';
    const fromUsage = await usage();
    const cpuFrom = { at: performance.now(), usage: process.cpuUsage() };
    const from = new Map<SimulatedSite, ReceiveCounters>();
    for (const s of sites) from.set(s, await s.counters());
    const holdStartedAt = Date.now();
    // The server through the hold: about 120 samples (at least a second apart), for its growth. They
    // come from the progress line's once-a-second request: the server is asked once a second, not twice.
    const series: UsagePoint[] = fromUsage ? [usagePoint(fromUsage.sampledAt, fromUsage)] : [];
    const every = Math.max(1000, (opts.hold * 1000) / 120);
    progress.onUsage = (u) => {
      const last = series[series.length - 1];
      if (fromUsage && (!last || (u.sampledAt - fromUsage.sampledAt) / 1000 - last.t >= (every - 100) / 1000))
        series.push(usagePoint(fromUsage.sampledAt, u));
    };
    // The next site speaks every --speaker-every seconds: main picture and layers switch as in a meeting.
    const rotate = opts.speakerEvery
      ? setInterval(() => media.setSpeaker((media.speakerSite % sites.length) + 1), opts.speakerEvery * 1000)
      : undefined;
    await sleep(opts.hold * 1000, signal);
    clearInterval(rotate);
    progress.onUsage = null;
    const holdEndedAt = Date.now();
    const toUsage = await usage();
    if (toUsage && fromUsage) series.push(usagePoint(fromUsage.sampledAt, toUsage));
    const cpu = process.cpuUsage(cpuFrom.usage);
    const client = { cores: (cpu.user + cpu.system) / 1000 / (performance.now() - cpuFrom.at), machineCores: availableParallelism() };
    const perSite: SiteResult[] = [];
    for (const s of sites) perSite.push(await siteResult(s, from.get(s), await s.counters()));
    if (signal.aborted) errors.push('interrupted (Ctrl-C): the hold was cut short');
    const loads = fromUsage && toUsage ? processLoads(fromUsage, toUsage) : null;
    const server =
      loads && fromUsage && toUsage
        ? {
            seconds: (toUsage.sampledAt - fromUsage.sampledAt) / 1000,
            cores: loads.reduce((a, p) => a + p.cores, 0),
            rssBytes: loads.reduce((a, p) => a + p.rssBytes, 0),
            processes: loads,
            consumerScores: consumerScores(toUsage.consumerScores),
          }
        : null;
    if (!server) errors.push('the server usage route did not answer');
    return buildReport(
      {
        url: opts.url,
        sites: opts.sites,
        holdSeconds: opts.hold,
        hold: { startedAt: holdStartedAt, endedAt: holdEndedAt },
        video: { width: opts.width, height: opts.height, fps: opts.fps },
        layers: opts.layers,
        speakerEvery: opts.speakerEvery,
        server,
        client,
        series,
      },
      perSite,
      errors,
    );
  } finally {
    clearInterval(ticker);
    for (const s of sites) await s.close();
    media.stop();
    const problems = await fixture.remove();
    for (const p of problems) log(`cleanup: ${p}`);
  }
}
