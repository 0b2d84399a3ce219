// The load tool's load on a Janus VideoRoom, as a process of its own like `npm run loadtest` is
// for LienThong (so both servers share the machine with a load process of the same make):
// N sites publish (ramped), then each subscribes to every other, hold, and the same report
// (infra/loadtest/report.ts LoadTestReport, written with --json).
//   node --import tsx tests/bench/janus/load.ts --url http://127.0.0.1:PORT/janus --sites N --hold S [--ramp R] --json FILE
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { parseOptions } from '../../../infra/loadtest/args';
import { SyntheticMedia } from '../../../infra/loadtest/media-source';
import { buildReport, type ReceiveCounters, type SiteResult } from '../../../infra/loadtest/report';
import { siteResult } from '../../../infra/loadtest/runner';
import { JanusSite } from './site';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    sites: { type: 'string' },
    ramp: { type: 'string' },
    hold: { type: 'string' },
    json: { type: 'string' },
  },
});
// The load tool's own defaults (camera size, fps, join timeout), so both sides send the same picture.
const defaults = parseOptions(['--password', 'unused'])!;
const url = values.url ?? 'http://127.0.0.1:8088/janus';
const sites = Number(values.sites ?? defaults.sites);
const ramp = Number(values.ramp ?? defaults.ramp);
const hold = Number(values.hold ?? defaults.hold);
const joinTimeout = defaults.joinTimeout * 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const media = new SyntheticMedia(defaults.width, defaults.height, defaults.fps);
const all = Array.from({ length: sites }, (_, i) => new JanusSite(i + 1, url, media));
const errors: string[] = [];
let exitCode = 1;
try {
  // Publish first, then subscribe to the publishers there are: one subscription offer per site,
  // no renegotiation. Both ramped as the load tool ramps its joins.
  const published: Promise<boolean>[] = [];
  for (const s of all) {
    published.push(s.publish(joinTimeout));
    await sleep(1000 / ramp);
  }
  await Promise.all(published);
  const feeds = all.filter((s) => s.feed && !s.errors.length).map((s) => s.feed);
  // Site 1 speaks (SyntheticMedia's default): its feed is the main picture, as the load tool's default.
  const mainFeed = all[0]?.feed ?? 0;
  const subscribed: Promise<boolean>[] = [];
  for (const s of all) {
    if (s.errors.length) continue;
    subscribed.push(
      s.subscribe(
        feeds.filter((f) => f !== s.feed),
        mainFeed,
        joinTimeout,
      ),
    );
    await sleep(1000 / ramp);
  }
  await Promise.all(subscribed);
  console.log(`hold: ${all.filter((s) => s.joinMs !== null).length}/${sites} sites publishing and subscribed`);
  const cpuFrom = { at: performance.now(), usage: process.cpuUsage() };
  const from = new Map<JanusSite, ReceiveCounters>();
  for (const s of all) from.set(s, await s.counters());
  const holdStartedAt = Date.now();
  await sleep(hold * 1000);
  const holdEndedAt = Date.now();
  const cpu = process.cpuUsage(cpuFrom.usage);
  const client = { cores: (cpu.user + cpu.system) / 1000 / (performance.now() - cpuFrom.at), machineCores: availableParallelism() };
  const perSite: SiteResult[] = [];
  for (const s of all) perSite.push(await siteResult(s, from.get(s), await s.counters()));
  const report = buildReport(
    {
      url,
      sites,
      holdSeconds: hold,
      hold: { startedAt: holdStartedAt, endedAt: holdEndedAt },
      video: { width: defaults.width, height: defaults.height, fps: defaults.fps },
      layers: defaults.layers,
      speakerEvery: 0,
      server: null,
      client,
      series: [],
    },
    perSite,
    errors,
  );
  if (values.json) writeFileSync(values.json, JSON.stringify(report, null, 1));
  const kbps = report.receiveKbps;
  console.log(
    `Load test of ${url}: ${sites} sites, ${report.joined} joined, ${report.failed} failed; receive p50 ${kbps?.p50.toFixed(0) ?? '-'} kbit/s; ` +
      `streams per site ${perSite.map((s) => `${s.audioStreams}a+${s.videoStreams}v`).join(' ')}; layers sent ${perSite.map((s) => s.videoLayersSent).join(' ')}`,
  );
  console.log(`this tool over the hold: ${client.cores.toFixed(2)} of ${client.machineCores} cores`);
  console.log(report.errors.length ? `errors (${report.errors.length}): ${report.errors.slice(0, 20).join('; ')}` : 'errors: none');
  exitCode = report.failed ? 1 : 0;
} catch (e) {
  console.error(`janus load: ${(e as Error).stack}`);
} finally {
  for (const s of all) await s.close().catch(() => undefined);
  media.stop();
}
// wrtc keeps native threads alive: leave explicitly.
process.exit(exitCode);
