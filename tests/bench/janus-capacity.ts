// Capacity against Janus: LienThong and Debian's Janus 1.1.2 VideoRoom under the same load (N
// sites, each sending VP8 simulcast + Opus from the load tool's synthetic source and receiving
// every other site's audio and video, site 1's as the main picture at the top layer sent and the
// others at the lowest, as the room page asks; real ICE/DTLS/SRTP), each side's every
// process measured from /proc over the hold. Forwarded RTP packets per CPU-second, and sites per
// server at 90 % of the machine (extrapolated). The bare mediasoup app of the SFU-overhead bench runs
// the same load as a third side: what the forwarding engine alone does against Janus, the ceiling of
// LienThong's ratio. Runs interleave (L B J L B J ...), medians with min-max.
// Results: docs/bench/janus-capacity.json and .svg. Installs janus (apt) when it is missing.
// Run: npm run bench -- janus-capacity   (BENCH_ROUNDS=3 BENCH_SITES=8 BENCH_HOLD=30; BENCH_BARE=0: no bare side)
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseOptions } from '../../infra/loadtest/args';
import type { LoadTestReport } from '../../infra/loadtest/report';
import { ensureJanus, janusVersion, startJanus } from './janus/server';
import { startBare } from './support/bare-side';
import { commit, spreadOf } from './support/bench-meta';
import { type CapacityLoad, type CapacityRun, type Side, sitesAt, writeCapacityReport } from './support/capacity-report';
import { holdMeasure, relayLoadOutput, runLoadTool, startLienThong, type Target } from './support/lienthong-side';
import { cpuBetween, watchTree } from './support/proc-tree';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SITES = Number(process.env.BENCH_SITES ?? 8);
const HOLD = Number(process.env.BENCH_HOLD ?? 30);
/** LienThong's mediasoup workers, and as many Janus event loops (one per core of this machine). */
const WORKERS = 2;
const root = resolve(import.meta.dirname, '../..');
const out = join(root, 'docs/bench/janus-capacity.json');
/** The code measured is the code at the start (a commit during the run is not it). */
const measured = commit();
/** Uncommitted changes, and a hash of them: an edit during the run means the rounds measured different code. */
function tree(): { files: string[]; diffHash: string } {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
  // Code only: bench results written meanwhile (docs/) are not what is measured.
  const files = git('status', '--porcelain', '-uall', '--', '.', ':!docs').split('\n').filter(Boolean);
  const hash = createHash('sha1').update(git('diff', 'HEAD', '--', '.', ':!docs'));
  for (const f of files) if (f.startsWith('??')) hash.update(readFileSync(join(root, f.slice(3))));
  return { files, diffHash: hash.digest('hex').slice(0, 12) };
}
const treeAtStart = tree();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What the report says of Janus's configuration (the same every run). */
let janusConfig: Record<string, string | number | boolean> = {};

async function janusTarget(): Promise<Target> {
  const j = await startJanus({ eventLoops: WORKERS, publishers: SITES });
  janusConfig = j.config;
  return { url: j.url, caFile: '', pid: j.pid, stop: () => j.stop() };
}

/** tests/bench/janus/load.ts: the load tool's load on Janus, in a process of its own as `npm run loadtest` is. */
function runJanusLoad(url: string, json: string): Promise<number | null> {
  const args = ['--url', url, '--sites', String(SITES), '--ramp', '2', '--hold', String(HOLD), '--json', json];
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'janus/load.ts'), ...args], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  return relayLoadOutput(child);
}

async function once(side: Side, round: number): Promise<CapacityRun> {
  const target = side === 'lienthong' ? await startLienThong(WORKERS) : side === 'bare' ? await startBare(WORKERS) : await janusTarget();
  const dir = mkdtempSync(join(tmpdir(), 'lt-capacity-'));
  const watch = watchTree(target.pid, 500, side === 'janus' ? 'janus' : 'node');
  try {
    // The server with no sites: what it costs to keep running (the fixed part of the extrapolation).
    await sleep(6000);
    const idle = cpuBetween(watch.samples, Date.now() - 5000, Date.now());
    console.log(`  round ${round} ${side}: ${SITES} sites, hold ${HOLD} s (idle ${(idle.total / idle.seconds).toFixed(3)} cores)`);
    const json = join(dir, 'r.json');
    const code = side === 'janus' ? await runJanusLoad(target.url, json) : await runLoadTool(target, { sites: SITES, hold: HOLD, json });
    const r = JSON.parse(readFileSync(json, 'utf8')) as LoadTestReport;
    if (!r.hold) throw new Error(`${side}: the load did not reach its hold (exit ${code})`);
    const { cpu, packets } = holdMeasure(watch.samples, r.hold, r.perSite);
    const idleCores = idle.total / idle.seconds;
    const cores = cpu.total / cpu.seconds;
    const pps = packets / cpu.seconds;
    const passed = r.perSite.filter((s) => s.joined && s.errors.length === 0);
    return {
      side,
      round,
      sites: SITES,
      joinedSites: r.joined,
      failedSites: r.failed,
      incompleteSites: passed.filter((s) => s.audioStreams < SITES - 1 || s.videoStreams < SITES - 1).length,
      seconds: cpu.seconds,
      cpuSeconds: cpu.total,
      cores,
      idleCores,
      forwardedPackets: Math.round(packets),
      packetsPerSecond: pps,
      packetsPerCpuSecond: packets / cpu.total,
      pairPacketsPerSecond: pps / (SITES * (SITES - 1)),
      marginalMicrosPerPacket: ((cores - idleCores) * 1e6) / pps,
      sitesAt90: sitesAt(0.9, availableParallelism(), SITES, cores, idleCores),
      receiveKbps: r.receiveKbps?.p50 ?? 0,
      lossPercent: r.lossPercent?.p50 ?? 0,
      videoFps: spreadOf(r.perSite.map((s) => s.videoFps)).median,
      videoLayersSent: Math.min(...r.perSite.map((s) => s.videoLayersSent)),
      toolCores: r.client.cores,
      processes: cpu.byName,
      changed: cpu.changed,
    };
  } finally {
    watch.stop();
    await target.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

ensureJanus();
const version = janusVersion();
const runs: CapacityRun[] = [];
const sides: Side[] = process.env.BENCH_BARE === '0' ? ['lienthong', 'janus'] : ['lienthong', 'bare', 'janus'];
for (let round = 1; round <= ROUNDS; round++)
  for (const side of sides) {
    const r = await once(side, round);
    runs.push(r);
    console.log(
      `  ${side}: ${r.packetsPerCpuSecond.toFixed(0)} forwarded packets per CPU-second (${r.cores.toFixed(2)} cores, idle ${r.idleCores.toFixed(3)}; ` +
        `${r.forwardedPackets} packets over ${r.seconds.toFixed(0)} s; ${r.receiveKbps.toFixed(0)} kbit/s and ${r.videoFps.toFixed(1)} video frames/s per site; layers sent ${r.videoLayersSent}; ` +
        `${r.sitesAt90.toFixed(1)} sites at 90 %; tool ${r.toolCores.toFixed(2)} cores)`,
    );
    if (r.failedSites || r.incompleteSites)
      console.log(`  !!! ${side} round ${round}: ${r.failedSites} of ${SITES} sites FAILED, ${r.incompleteSites} received too few streams`);
  }
const treeAtEnd = tree();
const treeChanged = treeAtEnd.diffHash !== treeAtStart.diffHash;
const video = parseOptions(['--password', 'unused'])!;
const load: CapacityLoad = {
  sites: SITES,
  holdSeconds: HOLD,
  rounds: ROUNDS,
  video: { width: video.width, height: video.height, fps: video.fps },
  lienthong: {
    workers: WORKERS,
    spareWorker: true,
    adaptation: 'default (on)',
    transport: 'socket.io over HTTPS',
    load: 'npm run loadtest --ramp 2',
  },
  janus: { version, config: janusConfig },
  notLikeForLike: [
    "Janus ICE is on this machine's own address, not 127.0.0.1: Janus 1.1.2 never gathers on loopback interfaces (packets to a local address still go through lo).",
    'Signalling differs by design: LienThong does HTTPS login + socket.io; the Janus client speaks the Janus JSON API over plain HTTP long-poll. Neither carries traffic during the hold beyond keep-alives and stats.',
    'On Janus every site publishes first and then subscribes once to all others (one offer, no renegotiation); on LienThong sites consume producers as they appear. Only the hold is measured.',
    'LienThong probes bandwidth toward receivers (mediasoup probation RTP, not counted) and runs its adaptation; Janus 1.1 does no sender-side bandwidth estimation toward subscribers.',
    'The bare side is tests/bench/bare-sfu (the SFU-overhead baseline: same workers, codecs and transport options, no product logic) under the same load tool; it is a reference, not a product.',
    'The LienThong load tool asks sfu-server for /api/loadtest/usage about once a second through the hold (its progress line and server series): that work is counted against LienThong; the Janus load process asks Janus nothing during the hold.',
    "Site 1 speaks throughout (the load tool's default): LienThong makes it the main picture through its active-speaker rule and the sites ask for its top layer, thumbnails at the lowest; on Janus (no such rule in VideoRoom) each subscriber takes site 1's feed at substream 2 and the others at substream 0 from the start.",
  ],
  runs,
  tree: { atStart: treeAtStart, changedDuringRun: treeChanged, ...(treeChanged ? { atEnd: treeAtEnd } : {}) },
};
const result = writeCapacityReport(out, load, measured);
const line = (name: string, s: (typeof result)['lienthong']) =>
  `  ${name} ${s.packetsPerCpuSecond.median.toFixed(0)} [${s.packetsPerCpuSecond.min.toFixed(0)}-${s.packetsPerCpuSecond.max.toFixed(0)}] packets per CPU-second; ` +
  `${s.sitesAt90.median.toFixed(1)} [${s.sitesAt90.min.toFixed(1)}-${s.sitesAt90.max.toFixed(1)}] sites at 90 % (extrapolated); failed sites ${s.failedSites}, incomplete ${s.incompleteSites}`;
console.log(
  `\nCapacity against Janus ${version}, ${SITES} sites, median [min-max] of ${ROUNDS} interleaved runs:\n` +
    `${line('LienThong', result.lienthong)}\n${result.bare ? `${line('bare mediasoup', result.bare)}\n` : ''}${line('Janus', result.janus)}\n` +
    `  ratio ${result.ratio.toFixed(2)}x (goal >= 1.5)${result.bareRatio ? `; bare mediasoup ${result.bareRatio.toFixed(2)}x Janus` : ''}; written to ${out}`,
);
if (result.lienthong.failedSites || result.janus.failedSites || result.lienthong.incompleteSites || result.janus.incompleteSites)
  console.log(
    `\n!!! NOT A CLEAN COMPARISON: failed sites LienThong ${result.lienthong.failedSites}, Janus ${result.janus.failedSites}; ` +
      `incomplete LienThong ${result.lienthong.incompleteSites}, Janus ${result.janus.incompleteSites}`,
  );
if (treeChanged)
  console.log('\n!!! THE SOURCE TREE CHANGED DURING THE RUN: the rounds may have measured different code (see tree in the JSON)');
process.exit(0);
