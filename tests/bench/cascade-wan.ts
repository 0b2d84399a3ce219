// WAN bytes and join time, cascade against one server (not pass/fail). Three namespaces joined by
// veth links (province–district 1, province–district 2), as in the cascade test. A camera in
// district 1 (simulcast VP8, ~140/280/760 kbit/s); N sites in district 2 watch it at the small layer.
//  - cascade: the camera sends to the district 1 server; the district 2 server pulls it over the
//    province and forwards it to its N sites on its own LAN (loopback).
//  - one server: the camera sends to the province server across the district 1 link, and the
//    province sends each of the N sites in district 2 its copy across the district 2 link.
// Measured per run: bytes/s on the province–district 2 veth (both ways, from its counters), and
// each site's join time (watch asked → first decoded frame). Runs interleaved (cascade, one
// server, cascade, ...) for each N; medians with their spread. Results to docs/bench/cascade-wan.json.
// Run: npm run bench -- cascade-wan   (BENCH_CASCADE_RUNS=3, BENCH_CASCADE_SITES=1,4,8, BENCH_CASCADE_WINDOW=8)
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CascadeWan, simulcastCamera, startCascadeWan, type Vp8Decoder, vp8Decoder } from '../support/cascade-wan';
import { commit, machine, type Spread, spreadOf } from './support/bench-meta';

const RUNS = Number(process.env.BENCH_CASCADE_RUNS ?? 3);
const SITES = (process.env.BENCH_CASCADE_SITES ?? '1,4,8').split(',').map(Number);
const WINDOW_S = Number(process.env.BENCH_CASCADE_WINDOW ?? 8);
const MEETING = 'm-bench-cascade';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type Mode = 'cascade' | 'one-server';

interface Run {
  bytesPerSecond: number;
  joinMs: number[];
}

async function once(cw: CascadeWan, mode: Mode, producerId: string, sites: number, basePort: number): Promise<Run> {
  const { wan, nodes } = cw;
  const at = mode === 'cascade' ? nodes.d2 : nodes.p;
  const decoders: Vp8Decoder[] = [];
  const watchers: string[] = [];
  const asked: number[] = [];
  try {
    for (let i = 0; i < sites; i++) {
      const port = basePort + i;
      const target = mode === 'cascade' ? {} : { listenIp: wan.addr.p2, sinkIp: wan.addr.d2 };
      asked.push(Date.now());
      const w = await at.call<{ watcherId: string; payloadType: number }>('watch', {
        meetingId: MEETING,
        producerId,
        layer: 0,
        sinkPort: port,
        ...target,
      });
      watchers.push(w.watcherId);
      decoders.push(vp8Decoder(wan.ns.d2, port, w.payloadType));
    }
    const deadline = Date.now() + 30_000;
    while (decoders.some((d) => d.firstAt() === undefined)) {
      if (Date.now() > deadline) throw new Error(`${mode}: not every site decoded a frame in 30 s`);
      await sleep(50);
    }
    await sleep(2000);
    const a = wan.linkBytes('d2');
    await sleep(WINDOW_S * 1000);
    const b = wan.linkBytes('d2');
    return { bytesPerSecond: (b.tx + b.rx - a.tx - a.rx) / WINDOW_S, joinMs: decoders.map((d, i) => d.firstAt()! - asked[i]!) };
  } finally {
    for (const w of watchers) await at.call('unwatch', { watcherId: w }).catch(() => undefined);
    for (const d of decoders) d.stop();
    // The cascade releases what nobody watches after a while: let it go before the next run.
    await sleep(4000);
  }
}

async function main() {
  const cw = await startCascadeWan(MEETING);
  try {
    const { wan, nodes } = cw;
    const viaD1 = await nodes.d1.call<{ producerId: string; port: number }>('ingest', { meetingId: MEETING, ssrcs: [1111, 2222, 3333] });
    cw.track(simulcastCamera(wan.ns.d1, viaD1.port, [1111, 2222, 3333]));
    const toP = await nodes.p.call<{ producerId: string; port: number }>('ingest', {
      meetingId: MEETING,
      ssrcs: [4444, 5555, 6666],
      listenIp: wan.addr.p1,
    });
    cw.track(simulcastCamera(wan.ns.d1, toP.port, [4444, 5555, 6666], wan.addr.p1));
    await sleep(3000);
    const results: Record<string, { mode: Mode; sites: number; runs: Run[] }> = {};
    let port = 26000;
    for (const sites of SITES) {
      for (let r = 0; r < RUNS; r++) {
        for (const mode of ['cascade', 'one-server'] as const) {
          const run = await once(cw, mode, mode === 'cascade' ? viaD1.producerId : toP.producerId, sites, port);
          port += sites;
          const key = `${mode}/${sites}`;
          results[key] ??= { mode, sites, runs: [] };
          results[key].runs.push(run);
          console.log(
            `${key} run ${r + 1}: ${(run.bytesPerSecond / 1000).toFixed(1)} kB/s on the province–district link, join ${run.joinMs.join(', ')} ms`,
          );
        }
      }
    }
    report(results);
  } finally {
    await cw.stop();
  }
}

function report(results: Record<string, { mode: Mode; sites: number; runs: Run[] }>) {
  const rows = Object.values(results).map((r) => ({
    mode: r.mode,
    sites: r.sites,
    linkKBps: kilo(spreadOf(r.runs.map((x) => x.bytesPerSecond))),
    linkKBpsPerSite: kilo(spreadOf(r.runs.map((x) => x.bytesPerSecond / r.sites))),
    joinMs: spreadOf(r.runs.flatMap((x) => x.joinMs)),
  }));
  console.log('\nmode        sites  link kB/s median [min–max]   per site kB/s   join ms median [min–max]');
  for (const r of rows) {
    console.log(
      `${r.mode.padEnd(11)} ${String(r.sites).padStart(5)}  ${fmt(r.linkKBps).padEnd(26)} ${fmt(r.linkKBpsPerSite).padEnd(15)} ${fmt(r.joinMs)}`,
    );
  }
  const file = join(import.meta.dirname, '../../docs/bench/cascade-wan.json');
  writeFileSync(
    file,
    `${JSON.stringify({ date: new Date().toISOString(), commit: commit(), machine: machine(), runs: RUNS, windowSeconds: WINDOW_S, rows, results }, null, 1)}\n`,
  );
  console.log(`\nwritten to ${file}`);
}

const kilo = (s: Spread): Spread => ({ median: s.median / 1000, min: s.min / 1000, max: s.max / 1000 });
const fmt = (s: Spread) => `${s.median.toFixed(1)} [${s.min.toFixed(1)}–${s.max.toFixed(1)}]`;

await main();
