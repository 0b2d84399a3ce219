// Soak: a long meeting under `npm run loadtest` against the whole product; shows whether the
// server's memory, sockets, transports, consumers, listeners or Node handles grow over time (the
// load tool samples them through its hold and fits a slope per hour). Results:
// docs/bench/soak.json and a chart, docs/bench/soak.svg.
// `npm run bench -- soak` (SOAK_MINUTES=30, SOAK_SITES=4).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { growth, type LoadTestReport, type UsagePoint } from '../../infra/loadtest/report';
import { spawnLoadTest } from '../support/loadtest-cli';
import { loginAdmin, startSfuServer } from '../support/sfu-process';
import { commit, machine } from './support/bench-meta';

const MINUTES = Number(process.env.SOAK_MINUTES ?? 30);
const SITES = Number(process.env.SOAK_SITES ?? 4);
const root = resolve(import.meta.dirname, '../..');
/** The code measured is the code at the start (a commit during the run is not it). */
const measured = commit();
const out = join(root, 'docs/bench/soak.json');

const sfu = await startSfuServer({ workers: 2, spareWorker: true, extraConfig: 'loadTest:\n  enabled: true' });
const dir = mkdtempSync(join(tmpdir(), 'lt-soak-'));
try {
  await loginAdmin(sfu.url);
  const json = join(dir, 'r.json');
  console.log(`soak: ${SITES} sites for ${MINUTES} min against ${sfu.httpsUrl()}`);
  const child = spawnLoadTest([
    '--url',
    sfu.httpsUrl(),
    '--ca',
    sfu.caFile,
    '--sites',
    String(SITES),
    '--hold',
    String(MINUTES * 60),
    '--json',
    json,
  ]);
  child.stderr.pipe(process.stderr);
  // One progress line a minute, and the final report.
  let final = false;
  let minute = -1;
  child.stdout.on('data', (d: Buffer) => {
    for (const line of String(d).split('\n')) {
      if (line.startsWith('Load test of')) final = true;
      const t = line.match(/^\s*(\d+) s /);
      const m = t ? Math.floor(Number(t[1]) / 60) : minute;
      if (final || m !== minute) process.stdout.write(`${line}\n`);
      minute = m;
    }
  });
  const code = await new Promise((r) => child.on('exit', r));
  const r = JSON.parse(readFileSync(json, 'utf8')) as LoadTestReport;
  if (!r.growth) throw new Error(`the load test gave no growth figures (exit ${code})`);
  // The first minutes hold the warm-up (heap growing to its working size, JIT): the trend after them too.
  const warmup = Math.min(300, (MINUTES * 60) / 4);
  const settled = growth(r.series.filter((p) => p.t >= warmup));
  if (settled)
    console.log(
      `after the first ${warmup} s: resident ${settled.rssMB.perHour.toFixed(1)} MB/h, listeners ${settled.listeners.perHour.toFixed(1)}/h, handles ${settled.handles.perHour.toFixed(1)}/h`,
    );
  writeFileSync(
    out,
    `${JSON.stringify({ date: new Date().toISOString(), commit: measured, machine: machine(), sites: SITES, minutes: MINUTES, failedSites: r.failed, errors: r.errors, growth: r.growth, warmupSeconds: warmup, growthAfterWarmup: settled, series: r.series }, null, 1)}\n`,
  );
  writeFileSync(out.replace(/\.json$/, '.svg'), chart(r.series, r.growth, MINUTES, SITES));
  console.log(`written to ${out}`);
} finally {
  await sfu.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);

/** Resident memory (all server processes) and the live counts over the soak, each on its own scale. */
function chart(series: UsagePoint[], g: NonNullable<LoadTestReport['growth']>, minutes: number, sites: number): string {
  const W = 760;
  const rows: [keyof UsagePoint & keyof typeof g, string, string][] = [
    ['rssMB', 'resident MB (every process)', '#2b6cb0'],
    ['transports', 'transports', '#2f855a'],
    ['consumers', 'consumers', '#b7791f'],
    ['listeners', 'listeners', '#c53030'],
    ['handles', 'Node handles', '#6b46c1'],
  ];
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const out: string[] = [
    `<text x="20" y="22" font-weight="bold">${esc(`Soak: ${sites} load-test sites for ${minutes} min — does anything grow?`)}</text>`,
  ];
  const tMax = Math.max(1, ...series.map((p) => p.t));
  rows.forEach(([k, label, color], i) => {
    const y0 = 40 + i * 60;
    const ys = series.map((p) => p[k] as number);
    const lo = Math.min(...ys);
    const hi = Math.max(...ys);
    const span = hi - lo || 1;
    const pts = series.map(
      (p) => `${(60 + (p.t / tMax) * 440).toFixed(1)},${(y0 + 45 - (((p[k] as number) - lo) / span) * 40).toFixed(1)}`,
    );
    out.push(`<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${pts.join(' ')}"/>`);
    const x = g[k];
    const d = k === 'rssMB' ? 1 : 0;
    out.push(
      `<text x="520" y="${y0 + 20}" fill="${color}">${esc(label)}</text>`,
      `<text x="520" y="${y0 + 38}" font-size="11">${esc(`${x.first.toFixed(d)} → ${x.last.toFixed(d)}, ${x.perHour >= 0 ? '+' : ''}${x.perHour.toFixed(1)}/h`)}</text>`,
    );
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${60 + rows.length * 60}" font-family="sans-serif" font-size="13">\n<title>LienThong soak</title>\n<rect width="100%" height="100%" fill="#fff"/>\n${out.join('\n')}\n</svg>\n`;
}
