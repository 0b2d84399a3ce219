// SFU overhead: the whole product against a minimal mediasoup app (tests/bench/bare-sfu) under the
// same load, `npm run loadtest` (real HTTPS, socket.io, ICE/DTLS/SRTP, VP8 simulcast and Opus).
// Each side's every process (Node and workers, from /proc) is measured over the load tool's hold,
// divided by the RTP packets the sites received (what the server forwarded). Runs interleave
// (A B A B ...), medians with min-max. Results: docs/bench/sfu-overhead.json and .svg.
// Run: npm run bench -- sfu-overhead   (BENCH_ROUNDS=3 BENCH_SITES=8 BENCH_HOLD=30; BENCH_PROFILE_DIR=DIR: CPU profile of sfu-server)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { LoadTestReport } from '../../infra/loadtest/report';
import { startBare } from './support/bare-side';
import { commit } from './support/bench-meta';
import { holdMeasure, runLoadTool, startLienThong } from './support/lienthong-side';
import { type OverheadRun, writeOverheadReport } from './support/overhead-report';
import { watchTree } from './support/proc-tree';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
// 8 as janus-capacity: with a camera that costs the encoder what a person does, 10 sites took 1.5 of the 2 cores for the load tool.
const SITES = Number(process.env.BENCH_SITES ?? 8);
const HOLD = Number(process.env.BENCH_HOLD ?? 30);
const WORKERS = 2;
const root = resolve(import.meta.dirname, '../..');
const out = join(root, 'docs/bench/sfu-overhead.json');
/** The code measured is the code at the start (a commit during the run is not it). */
const measured = commit();

async function once(side: OverheadRun['side'], round: number): Promise<OverheadRun> {
  // BENCH_PROFILE_DIR: where to write a V8 CPU profile of sfu-server.
  const target = side === 'lienthong' ? await startLienThong(WORKERS, process.env.BENCH_PROFILE_DIR) : await startBare(WORKERS);
  const dir = mkdtempSync(join(tmpdir(), 'lt-overhead-'));
  const watch = watchTree(target.pid);
  try {
    console.log(`  round ${round} ${side}: ${SITES} sites, hold ${HOLD} s`);
    const code = await runLoadTool(target, { sites: SITES, hold: HOLD, json: join(dir, 'r.json') });
    const r = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as LoadTestReport;
    if (!r.hold) throw new Error(`${side}: the load test did not reach its hold (exit ${code})`);
    const { cpu, packets } = holdMeasure(watch.samples, r.hold, r.perSite);
    const node = cpu.byName.node ?? 0;
    return {
      side,
      round,
      failedSites: r.failed,
      seconds: cpu.seconds,
      cpuSeconds: cpu.total,
      nodeCpuSeconds: node,
      workerCpuSeconds: cpu.total - node,
      forwardedPackets: Math.round(packets),
      microsPerPacket: (cpu.total * 1e6) / packets,
      receiveKbps: r.receiveKbps?.p50 ?? 0,
      lossPercent: r.lossPercent?.p50 ?? 0,
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

const runs: OverheadRun[] = [];
for (let round = 1; round <= ROUNDS; round++)
  for (const side of ['lienthong', 'bare'] as const) {
    const r = await once(side, round);
    runs.push(r);
    console.log(
      `  ${side}: ${r.microsPerPacket.toFixed(1)} µs CPU per forwarded packet (node ${r.nodeCpuSeconds.toFixed(2)} s, workers ${r.workerCpuSeconds.toFixed(2)} s over ${r.seconds.toFixed(0)} s; ${r.forwardedPackets} packets; ${r.receiveKbps.toFixed(0)} kbit/s per site; tool ${r.toolCores.toFixed(2)} cores)`,
    );
  }
const summary = writeOverheadReport(out, { sites: SITES, holdSeconds: HOLD, workers: WORKERS, runs }, measured);
console.log(
  `\nSFU overhead, µs of CPU (every process) per forwarded packet, median [min-max] of ${ROUNDS} interleaved runs:\n` +
    `  LienThong ${summary.lienthong.median.toFixed(1)} [${summary.lienthong.min.toFixed(1)}-${summary.lienthong.max.toFixed(1)}]\n` +
    `  bare mediasoup ${summary.bare.median.toFixed(1)} [${summary.bare.min.toFixed(1)}-${summary.bare.max.toFixed(1)}]\n` +
    `  ratio ${summary.ratio.toFixed(2)}x (goal <= 1.10); written to ${out}`,
);
process.exit(0);
