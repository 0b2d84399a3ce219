// Benchmark (not part of the suite): nms against Debian's prometheus-snmp-exporter 0.21, the same
// work on both sides. Same snmpsimd agents (v2c and SNMPv3 authPriv devices), same OIDs (our poll
// plan: every scalar by GET, every column walked), paced the same way: each device read once per
// interval, and a Prometheus-style scrape of the results once per interval.
//   ours   = the nms process (poll + device intake into store and series + /metrics exposition),
//   theirs = the snmp_exporter process (its /snmp scrape per device, which polls and exposes).
// CPU from /proc of each side's process only (agents are shared and not counted). Varbinds are
// counted the same way on both sides: values under the requested OIDs that the side decoded and
// kept (ours: the poller's count; theirs: samples in its output), checked against the agents' data.
// Runs interleave A B A B ...; medians with min–max. Then a scale run of ours alone.
//   npx tsx tests/bench/nms-poll.ts [--devices 40] [--v3-share 0.5] [--interfaces 16] [--interval 10]
//     [--intervals 3] [--reps 3] [--warmup 60] [--scale 50,150,300] [--scale-interval 40] [--out docs/bench/nms-poll.json]
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pollDevice } from '../../nms/src/snmp/client';
import { DEFAULT_MODULES, modulesByName } from '../../nms/src/snmp/modules';
import { planOf } from '../../nms/src/snmp/poll-engine';
import { seededSites } from '../support/nms-sites';
import { type Agents, type BenchDevice, startAgents } from './support/snmp-agents';
import { startExporter } from './support/snmp-exporter';
import { cpuSince, median, processCpu, sleep } from './support/snmp-proc';
import { type BenchReport, type RunResult, type ScalePoint, writeReport } from './support/snmp-report';

const { values: opt } = parseArgs({
  options: {
    devices: { type: 'string', default: '40' },
    'v3-share': { type: 'string', default: '0.5' },
    interfaces: { type: 'string', default: '16' },
    interval: { type: 'string', default: '10' },
    intervals: { type: 'string', default: '3' },
    reps: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '60' },
    scale: { type: 'string', default: '50,150,300' },
    'scale-interval': { type: 'string', default: '40' },
    out: { type: 'string', default: resolve(import.meta.dirname, '../../docs/bench/nms-poll.json') },
  },
});
const N = Number(opt.devices);
const V3_SHARE = Number(opt['v3-share']);
const IFS = Number(opt.interfaces);
const INTERVAL = Number(opt.interval);
const K = Number(opt.intervals);
const REPS = Number(opt.reps);
const WARMUP = Number(opt.warmup);
const plan = planOf(modulesByName(DEFAULT_MODULES));
const sites = seededSites().map((s) => s.code);

async function agentsFor(n: number, maxEngines: number): Promise<Agents> {
  const v3 = Math.round(n * V3_SHARE);
  const engines = Math.min(v3, maxEngines);
  const agents = await startAgents(
    { v2c: n - v3, v3Engines: engines, usersPerEngine: engines ? Math.ceil(v3 / engines) : 0, interfaces: IFS },
    plan,
  );
  agents.devices = [
    ...agents.devices.filter((d) => d.credentials.version === '2c'),
    ...agents.devices.filter((d) => d.credentials.version === '3').slice(0, v3),
  ];
  // snmpsimd indexes its data and localises its users' keys first: wait until every endpoint,
  // and every user of the first SNMPv3 endpoint, answers.
  const firstV3 = agents.devices.find((d) => d.credentials.version === '3')?.port;
  const probes = [...new Map(agents.devices.map((d) => [d.port === firstV3 ? `${d.port}|${d.name}` : String(d.port), d])).values()];
  for (const d of probes)
    for (let i = 0; ; i++) {
      try {
        await pollDevice(
          { address: '127.0.0.1', port: d.port, credentials: d.credentials, timeoutMs: 2000, retries: 0 },
          { maxVarbinds: 120, maxInterfaces: 4096, maxPdus: 400 },
          plan,
        );
        break;
      } catch (e) {
        if (i > 120) throw new Error(`agents did not answer on ${d.port}: ${(e as Error).message}`);
        await sleep(500);
      }
    }
  return agents;
}

/** Our side's counters, from the same /metrics text a Prometheus scrape gets. */
function counters(text: string) {
  const num = (re: RegExp) => Number(re.exec(text)?.[1] ?? 0);
  let polls = 0;
  let failed = 0;
  for (const m of text.matchAll(/^lienthong_snmp_poll_duration_seconds_count\{outcome="([^"]+)"\} (\d+)/gm)) {
    polls += Number(m[2]);
    if (m[1] !== 'ok') failed += Number(m[2]);
  }
  return {
    varbinds: num(/^lienthong_snmp_varbinds_received_total (\d+)/m),
    pdus: num(/^lienthong_snmp_pdus_sent_total (\d+)/m),
    skipped: num(/^lienthong_snmp_polls_skipped_total (\d+)/m),
    polls,
    failed,
  };
}

function startOurs(devices: BenchDevice[], interval: number): Promise<{ child: ChildProcess; port: number }> {
  const file = join(mkdtempSync(join(tmpdir(), 'nms-bench-inv-')), 'devices.json');
  const inputs = devices.map((d, i) => ({
    name: d.name,
    siteCode: sites[i % sites.length]!,
    role: 'router' as const,
    address: '127.0.0.1',
    snmpPort: d.port,
    snmp: d.credentials,
    pollIntervalSeconds: interval,
    timeoutMs: 5000,
    retries: 1,
  }));
  writeFileSync(file, JSON.stringify(inputs));
  const child = spawn(
    'nice',
    [
      '-n',
      '15',
      process.execPath,
      ...(process.env.NMS_BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      '--import',
      'tsx',
      join(import.meta.dirname, 'support/snmp-nms-node.ts'),
      file,
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((done, fail) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /ready (\d+)/.exec(out);
      if (m) done({ child, port: Number(m[1]) });
    });
    child.once('exit', (code) => fail(new Error(`nms bench node exited (${code})`)));
  });
}

/** Ours: the poller reads every device once per interval; /metrics is scraped once per interval. */
async function runOurs(devices: BenchDevice[], interval: number, intervals: number): Promise<RunResult> {
  const { child, port } = await startOurs(devices, interval);
  const scrape = async () => counters(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
  try {
    // Steady state, as a service polling all day is: every device polled, and start-up's garbage collected
    // (measured at 12 s a Node service still spent 0.5 % of a core settling, at 70 s 0.1 %).
    await sleep(Math.max(interval * 1000 + 2000, WARMUP * 1000));
    const c0 = await scrape();
    const cpu0 = processCpu(child.pid!);
    const t0 = performance.now();
    let c1 = c0;
    for (let k = 1; k <= intervals; k++) {
      await sleep(t0 + k * interval * 1000 - performance.now());
      c1 = await scrape();
    }
    const cpu = cpuSince(cpu0, processCpu(child.pid!));
    const polls = c1.polls - c0.polls;
    return {
      side: 'nms',
      cpuSeconds: cpu.userSeconds + cpu.systemSeconds,
      systemSeconds: cpu.systemSeconds,
      minorFaults: cpu.minorFaults,
      wallSeconds: (performance.now() - t0) / 1000,
      polls,
      failed: c1.failed - c0.failed + (c1.skipped - c0.skipped),
      skipped: c1.skipped - c0.skipped,
      varbinds: c1.varbinds - c0.varbinds,
      requests: c1.pdus - c0.pdus,
    };
  } finally {
    child.kill('SIGTERM');
  }
}

/** Theirs: each device scraped once per interval, spread over it (as Prometheus spreads targets). */
async function runTheirs(devices: BenchDevice[], interval: number, intervals: number): Promise<RunResult> {
  const exporter = await startExporter(devices, plan);
  let varbinds = 0;
  let failed = 0;
  const round = async (t: number, count: boolean) => {
    await Promise.all(
      devices.map(async (d, i) => {
        await sleep(t + (i * interval * 1000) / devices.length - performance.now());
        try {
          const n = await exporter.scrape(d);
          if (count) varbinds += n;
        } catch {
          if (count) failed++;
        }
      }),
    );
  };
  try {
    // The same warm-up as ours, in whole rounds.
    const warmEnd = performance.now() + Math.max(interval, WARMUP) * 1000;
    while (performance.now() < warmEnd) await round(performance.now(), false);
    const cpu0 = processCpu(exporter.pid);
    const t0 = performance.now();
    for (let k = 0; k < intervals; k++) {
      await round(t0 + k * interval * 1000, true);
      await sleep(t0 + (k + 1) * interval * 1000 - performance.now());
    }
    const cpu = cpuSince(cpu0, processCpu(exporter.pid));
    return {
      side: 'snmp_exporter',
      cpuSeconds: cpu.userSeconds + cpu.systemSeconds,
      systemSeconds: cpu.systemSeconds,
      minorFaults: cpu.minorFaults,
      wallSeconds: (performance.now() - t0) / 1000,
      polls: devices.length * intervals,
      failed,
      varbinds,
      requests: null,
    };
  } finally {
    exporter.stop();
  }
}

const perCpu = (r: RunResult) => r.varbinds / r.cpuSeconds;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

function printRun(r: RunResult, expected: number) {
  const perPoll = r.varbinds / Math.max(1, r.polls);
  console.log(
    `  ${r.side.padEnd(14)} ${r.cpuSeconds.toFixed(2)} CPU-s (kernel ${Math.round(((r.systemSeconds ?? 0) / r.cpuSeconds) * 100)} %, ${fmt(r.minorFaults ?? 0)} page faults)  ${fmt(r.varbinds)} varbinds in ${r.polls} polls (${perPoll.toFixed(1)}/poll, agents hold ${expected})` +
      `  ${r.failed} failed  -> ${fmt(perCpu(r))} varbinds/CPU-s`,
  );
}

async function compare(): Promise<BenchReport['comparison']> {
  const agents = await agentsFor(N, 64);
  const runs: RunResult[] = [];
  try {
    for (let r = 0; r < REPS; r++) {
      console.log(`rep ${r + 1}/${REPS}`);
      for (const run of [runOurs, runTheirs]) {
        const res = await run(agents.devices, INTERVAL, K);
        printRun(res, agents.varbindsPerDevice);
        runs.push(res);
      }
    }
  } finally {
    agents.stop();
  }
  const side = (s: RunResult['side']) => {
    const xs = runs.filter((r) => r.side === s).map(perCpu);
    return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
  };
  const nms = side('nms');
  const exporter = side('snmp_exporter');
  return {
    devices: N,
    v3Devices: Math.round(N * V3_SHARE),
    interfaces: IFS,
    intervalSeconds: INTERVAL,
    intervals: K,
    varbindsPerDevice: agents.varbindsPerDevice,
    runs,
    nms,
    exporter,
    ratio: nms.median / exporter.median,
  };
}

/** Ours alone at growing device counts; CPU per device-poll, extrapolated to a 60 s interval. */
async function scale(): Promise<BenchReport['scale']> {
  const sizes = String(opt.scale).split(',').filter(Boolean).map(Number);
  const interval = Number(opt['scale-interval']);
  const points: ScalePoint[] = [];
  for (const n of sizes) {
    const agents = await agentsFor(n, 16);
    try {
      const r = await runOurs(agents.devices, interval, 2);
      // Polls counts every finished poll, failed ones too; skipped polls never ran.
      const ok = r.polls - (r.failed - (r.skipped ?? 0));
      const point = {
        devices: n,
        v3Devices: agents.devices.filter((d) => d.credentials.version === '3').length,
        intervalSeconds: interval,
        cpuSeconds: r.cpuSeconds,
        wallSeconds: r.wallSeconds,
        polls: ok,
        failed: r.failed,
        varbinds: r.varbinds,
      };
      points.push(point);
      console.log(
        `  ${n} devices (${point.v3Devices} v3) every ${interval} s: ${((r.cpuSeconds / r.wallSeconds) * 100).toFixed(1)} % of a core, ${((r.cpuSeconds / ok) * 1000).toFixed(2)} ms CPU per successful device-poll, ${ok} ok, ${r.failed} failed/skipped (failures' CPU is charged to the successful polls)`,
      );
    } finally {
      agents.stop();
    }
  }
  // Least squares: core share = fixed + perPoll × polls per second. A point with failed or skipped polls
  // (the shared agents could not answer them all) would bend the line: it is reported, not fitted.
  const fitted = points.filter((p) => p.failed === 0);
  if (fitted.length === 0) throw new Error('every scale point had failed polls: nothing to extrapolate from');
  if (fitted.length < points.length) console.log(`  (${points.length - fitted.length} point(s) with failed polls left out of the fit)`);
  const xs = fitted.map((p) => p.polls / p.wallSeconds);
  const ys = fitted.map((p) => p.cpuSeconds / p.wallSeconds);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  const sxx = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
  const perPoll = sxx > 0 ? xs.reduce((a, x, i) => a + (x - mx) * (ys[i]! - my), 0) / sxx : my / mx;
  const fixed = Math.max(0, my - perPoll * mx);
  const at60 = (devices: number) => fixed + (perPoll * devices) / 60;
  return {
    points,
    fixedCoreShare: fixed,
    cpuSecondsPerPoll: perPoll,
    coreShareFor10kAt60s: at60(10_000),
    devicesPerCoreAt60s: Math.floor(((1 - fixed) / perPoll) * 60),
    extrapolated: true,
  };
}

console.log(
  `nms vs snmp_exporter: ${N} devices (${Math.round(N * V3_SHARE)} SNMPv3 authPriv), ${IFS} interfaces each, every ${INTERVAL} s for ${K} intervals, ${REPS} reps`,
);
const comparison = await compare();
console.log(
  `nms ${fmt(comparison.nms.median)} varbinds/CPU-s (${fmt(comparison.nms.min)}–${fmt(comparison.nms.max)}), snmp_exporter ${fmt(comparison.exporter.median)} (${fmt(comparison.exporter.min)}–${fmt(comparison.exporter.max)}): ratio ${comparison.ratio.toFixed(2)}`,
);
console.log('scale (nms alone):');
const scaled = await scale();
console.log(
  `extrapolated: ${(scaled.cpuSecondsPerPoll * 1000).toFixed(2)} ms CPU per device-poll + ${(scaled.fixedCoreShare * 100).toFixed(1)} % fixed -> 10,000 devices at 60 s need ${(scaled.coreShareFor10kAt60s * 100).toFixed(0)} % of a core; one core holds about ${fmt(scaled.devicesPerCoreAt60s)} devices at 60 s`,
);
writeReport(String(opt.out), { comparison, scale: scaled });
console.log(`results: ${opt.out} (chart: ${String(opt.out).replace(/\.json$/, '.svg')})`);
process.exit(0);
