// Benchmark (not part of the suite): our poller vs Debian's prometheus-snmp-exporter polling
// the same snmpsim agents for the same OIDs in the same run. Reports OIDs per CPU-second.
//   npx tsx tests/bench/nms-poll.ts [agents=40] [interfaces=16] [rounds=3]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSnmpsim } from '../../nms/src/demo/demo';
import { type SimInterface, snmprec } from '../../nms/src/demo/snmprec';
import { pollDevice } from '../../nms/src/snmp/client';
import { DEFAULT_MODULES, modulesByName } from '../../nms/src/snmp/modules';
import { columnOids, planOf, scalarOids } from '../../nms/src/snmp/poll-engine';
import { freeUdpPort } from '../integration/nms-support';
import { freePort } from '../support/ports';

const [agents = 40, ifs = 16, rounds = 3] = process.argv.slice(2).map(Number);
const CONCURRENCY = 16;
const dir = mkdtempSync(join(tmpdir(), 'nms-bench-'));
const port = await freeUdpPort();

const files: Record<string, string> = {};
for (let a = 0; a < agents; a++) {
  const interfaces: SimInterface[] = Array.from({ length: ifs }, (_, i) => ({
    ifIndex: i + 1,
    name: `ge-0/0/${i}`,
    speedBps: 1e9,
    inOctets: BigInt(1e9 + a * 1000 + i),
    outOctets: BigInt(2e9 + i),
  }));
  files[`agent${a}`] = snmprec({
    sysName: `agent${a}`,
    sysDescr: 'bench',
    uptimeTicks: 100000,
    interfaces,
    cpuLoad: 5,
    memory: { sizeKb: 1000, usedKb: 100 },
  });
}
const sim = startSnmpsim(mkdtempSync(join(tmpdir(), 'nms-bench-sim-')), port, files);

async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<void>) {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (queue.length) await fn(queue.shift()!);
    }),
  );
}

const target = (a: number) => ({
  address: '127.0.0.1',
  port,
  credentials: { version: '2c' as const, community: `agent${a}` },
  timeoutMs: 5000,
  retries: 1,
});
const ids = Array.from({ length: agents }, (_, a) => a);
// Wait for snmpsimd (it indexes the files on start).
for (let i = 0; ; i++) {
  try {
    await pollDevice(target(0), { maxVarbinds: 120, maxInterfaces: 10_000, maxPdus: 1000 });
    break;
  } catch (e) {
    if (i > 60) throw e;
    if (i % 10 === 0) console.log('waiting for snmpsimd', (e as Error).message);
    await new Promise((r) => setTimeout(r, 500));
  }
}
await pool(ids, CONCURRENCY, async (a) => void (await pollDevice(target(a), { maxVarbinds: 120, maxInterfaces: 10_000, maxPdus: 1000 }))); // warm-up

// --- ours
let ourVarbinds = 0;
let ourPdus = 0;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (let r = 0; r < rounds; r++) {
  await pool(ids, CONCURRENCY, async (a) => {
    const out = await pollDevice(target(a), { maxVarbinds: 120, maxInterfaces: 10_000, maxPdus: 1000 });
    ourVarbinds += out.varbinds;
    ourPdus += out.pdus;
  });
}
const ourWall = (performance.now() - t0) / 1000;
const c = process.cpuUsage(cpu0);
const ourCpu = (c.user + c.system) / 1e6;

// --- prometheus-snmp-exporter 0.21: auth lives in the module, so one module per community.
// The same OIDs our poll modules read.
const plan = planOf(modulesByName(DEFAULT_MODULES));
const walk = columnOids(plan);
const textOids = new Set([...plan.scalars, ...plan.columns.map((c) => c.column)].filter((f) => f.type === 'string').map((f) => f.oid));
const metric = (oid: string, i: number) => ({
  name: `c${i}`,
  oid,
  type: textOids.has(oid) ? 'DisplayString' : 'gauge',
  indexes: [{ labelname: 'idx', type: 'gauge' }],
});
const modules: Record<string, unknown> = {};
for (const a of ids) {
  modules[`agent${a}`] = {
    walk,
    get: scalarOids(plan),
    version: 2,
    max_repetitions: 25,
    retries: 1,
    timeout: '5s',
    auth: { community: `agent${a}` },
    metrics: [
      ...walk.map(metric),
      ...plan.scalars.map((f) => ({ name: f.field, oid: f.oid, type: f.type === 'string' ? 'DisplayString' : 'gauge' })),
    ],
  };
}
writeFileSync(join(dir, 'snmp.yml'), JSON.stringify(modules, null, 1)); // JSON is YAML; 0.21 has modules at the top level
const expPort = await freePort();
const exporter = spawn(
  'prometheus-snmp-exporter',
  [`--config.file=${join(dir, 'snmp.yml')}`, `--web.listen-address=127.0.0.1:${expPort}`],
  { stdio: ['ignore', 'ignore', 'pipe'] },
);
let expLog = '';
exporter.stderr.on('data', (d) => {
  expLog += d;
});
const scrape = async (a: number) => {
  const res = await fetch(`http://127.0.0.1:${expPort}/snmp?target=127.0.0.1:${port}&module=agent${a}`);
  const text = await res.text();
  if (!res.ok) throw new Error(`exporter ${res.status}: ${text.slice(0, 200)}`);
  if (process.env.BENCH_DEBUG)
    console.log(
      text
        .split('\n')
        .filter((l) => !l.startsWith('#'))
        .slice(0, 400)
        .join('\n'),
    );
  return Number(/^snmp_scrape_pdus_returned (\d+)/m.exec(text)?.[1] ?? 0);
};
for (let i = 0; ; i++) {
  try {
    await scrape(0);
    break;
  } catch (e) {
    if (i > 40) throw new Error(`${(e as Error).message}\n${expLog}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
await pool(ids, CONCURRENCY, async (a) => void (await scrape(a))); // warm-up
const procCpu = () => {
  const f = readFileSync(`/proc/${exporter.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, clock ticks (USER_HZ = 100)
};
let expVarbinds = 0;
const e0 = procCpu();
const t1 = performance.now();
for (let r = 0; r < rounds; r++)
  await pool(ids, CONCURRENCY, async (a) => {
    const n = await scrape(a);
    expVarbinds += n;
  });
const expWall = (performance.now() - t1) / 1000;
const expCpu = procCpu() - e0;

exporter.kill('SIGTERM');
sim.kill('SIGTERM');

const ours = ourVarbinds / ourCpu;
const theirs = expVarbinds / expCpu;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
console.log(`agents=${agents} interfaces/agent=${ifs} rounds=${rounds} concurrency=${CONCURRENCY} (snmpsimd on 127.0.0.1:${port})`);
console.log(
  `nms poller            : ${fmt(ourVarbinds)} OIDs, ${ourPdus} PDUs, ${ourCpu.toFixed(2)} CPU-s, ${ourWall.toFixed(1)} s wall -> ${fmt(ours)} OIDs/CPU-s`,
);
console.log(
  `snmp-exporter 0.21    : ${fmt(expVarbinds)} OIDs, ${expCpu.toFixed(2)} CPU-s, ${expWall.toFixed(1)} s wall -> ${fmt(theirs)} OIDs/CPU-s (includes its HTTP exposition)`,
);
console.log(`ratio nms/exporter    : ${(ours / theirs).toFixed(2)}`);
const perPollCpu = ourCpu / (rounds * agents);
console.log(
  `nms CPU per device poll: ${(perPollCpu * 1000).toFixed(2)} ms -> 2,000 devices every 60 s need ${(((perPollCpu * 2000) / 60) * 100).toFixed(1)}% of one core`,
);
process.exit(0);
