// `npm start`: runs the whole system with embedded defaults and demo data:
// sfu-server (serving the web app) and nms. Stops both on Ctrl-C; if one dies, stops the other.
// A part that fails (a service, a health check such as nms's demo agents) is printed plainly,
// at start and whenever it changes later.
//
// LIENTHONG_PORT_OFFSET=N moves every port by N (web: HTTPS 8443+N and plain 8080+N; nms: HTTPS 9443+N and
// plain 8090+N; media 20000+N,
// traps 10162+N, demo agents 16100+N, TURN 3478+N and 5349+N, SIP 5060+N; keep media below 32768) so a second copy can run beside the first; it writes a
// small config file per service for that, so it cannot be combined with `--config`.
//
// --cascade (`npm run start:cascade`): the same demo over two media servers, the province's and a
// district's, joined by NATS (cascade-demo.ts); it writes its own config files too.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { firstLanAddress, tlsBanner } from '@lienthong/kit/tls';
import { type CascadeDemo, prepareCascadeDemo, type Service, tcpProblems } from './cascade-demo';
import { demoBanner } from './demo-banner';

const root = resolve(import.meta.dirname, '../..');
const offset = Number(process.env.LIENTHONG_PORT_OFFSET ?? 0);
if (!Number.isInteger(offset) || offset < 0 || offset > 40_000) {
  console.error(`[start] LIENTHONG_PORT_OFFSET must be a whole number from 0 to 40000 (got ${process.env.LIENTHONG_PORT_OFFSET})`);
  process.exit(1);
}
const port = {
  web: 8080 + offset,
  webTls: 8443 + offset,
  nms: 8090 + offset,
  nmsTls: 9443 + offset,
  media: 20000 + offset,
  traps: 10162 + offset,
  demo: 16100 + offset,
  turn: 3478 + offset,
  turnTls: 5349 + offset,
  sip: 5060 + offset,
};

const cascadeFlag = process.argv.includes('--cascade');
// A plain line when it cannot be set up (no nats-server, say), not a stack trace.
const cascade: CascadeDemo | null = cascadeFlag
  ? await prepareCascadeDemo(root, offset).catch((e: Error) => {
      console.error(`[start] --cascade: ${e.message}`);
      process.exit(1);
    })
  : null;

/** Per-service arguments: the user's own, or the port-offset (and cascade) config files. */
function serviceArgs(): { sfu: string[]; nms: string[]; cleanup: () => void } {
  const given = process.argv.slice(2).filter((a) => a !== '--cascade');
  if (offset === 0 && !cascade) return { sfu: given, nms: given, cleanup: () => {} };
  if (given.length > 0) {
    console.error(
      `[start] ${cascade ? '--cascade' : 'LIENTHONG_PORT_OFFSET'} writes its own config files; it cannot be combined with arguments`,
    );
    process.exit(1);
  }
  const dir = mkdtempSync(join(tmpdir(), 'lienthong-start-'));
  const sfu = join(dir, 'sfu-server.yaml');
  const nms = join(dir, 'nms.yaml');
  const moved =
    offset === 0
      ? ''
      : `http:\n  port: ${port.webTls}\n  plainPort: ${port.web}\nmedia:\n  basePort: ${port.media}\nnms:\n  url: https://127.0.0.1:${port.nmsTls}\n` +
        `turn:\n  port: ${port.turn}\n  tlsPort: ${port.turnTls}\nsip:\n  port: ${port.sip}\n`;
  // The cascade block holds a NATS password: the directory is mkdtemp's (0700), the file 0600.
  writeFileSync(sfu, moved + (cascade?.provinceYaml ?? ''), { mode: 0o600 });
  if (offset === 0) return { sfu: ['--config', sfu], nms: [], cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  writeFileSync(
    nms,
    `http:\n  port: ${port.nmsTls}\n  plainPort: ${port.nms}\nauth:\n  publicKeyUrl: https://127.0.0.1:${port.webTls}/api/auth/public-key\n` +
      `traps:\n  port: ${port.traps}\ndemo:\n  basePort: ${port.demo}\n`,
  );
  return { sfu: ['--config', sfu], nms: ['--config', nms], cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const args = serviceArgs();
process.on('exit', () => args.cleanup());
for (const l of demoBanner()) console.log(l);
const node = (entry: string, a: string[]) => ['--import', 'tsx', entry, ...a];
const services: Service[] = [
  // In order (see below); the cascade's NATS nodes before the servers that connect to them.
  ...(cascade?.nats ?? []),
  // Health over the loopback plain ports (served there, not redirected).
  {
    name: 'sfu-server',
    command: process.execPath,
    args: node('sfu-server/src/main.ts', args.sfu),
    health: `http://127.0.0.1:${port.web}/healthz`,
  },
  { name: 'nms', command: process.execPath, args: node('nms/src/main.ts', args.nms), health: `http://127.0.0.1:${port.nms}/healthz` },
  ...(cascade ? [cascade.district] : []),
];

const children: ChildProcess[] = [];
let stopping = false;

function stopAll(code: number): void {
  if (stopping) return;
  stopping = true;
  process.exitCode = code; // also when the children are gone before the timer below
  for (const c of children) c.kill('SIGTERM');
  setTimeout(() => {
    args.cleanup();
    process.exit(code);
  }, 3000).unref();
}

/** Passes a service's output through and keeps its last lines (stack frames left out), to say why it stopped. */
function passThrough(child: ChildProcess): () => string[] {
  const lines: string[] = [];
  const pipe = (from: NodeJS.ReadableStream | null, to: NodeJS.WriteStream) =>
    from &&
    createInterface({ input: from }).on('line', (l) => {
      to.write(`${l}\n`);
      if (!l.trim() || /^\s+at |^Node\.js v/.test(l)) return;
      lines.push(l.length > 400 ? `${l.slice(0, 400)}…` : l);
      if (lines.length > 6) lines.shift();
    });
  pipe(child.stdout, process.stdout);
  pipe(child.stderr, process.stderr);
  return () => lines;
}

/** Services that have answered their health check at least once. */
const answered = new Set<string>();

function launch(s: Service): void {
  const child = spawn(s.command, s.args, {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LIENTHONG_LAUNCHER: '1' },
  });
  const lastLines = passThrough(child);
  // 'close', not 'exit': its output has then been read to the end (the reason is often the last line).
  child.on('close', (code, signal) => {
    if (!stopping) {
      const what = answered.has(s.name) ? 'stopped unexpectedly' : 'could not start';
      console.error(`\n[start] ${s.name} ${what} (exit ${signal ?? code}). Its last output:`);
      for (const l of lastLines()) console.error(`[start]   ${s.name}: ${l}`);
      console.error('[start] stopping the others');
      stopAll(1);
    }
  });
  children.push(child);
}
process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));

/** null while the service does not answer; else its failing checks ("name: reason"), empty when healthy. */
async function problems(url: string): Promise<string[] | null> {
  if (url.startsWith('tcp:')) return tcpProblems(url);
  try {
    const res = await fetch(url);
    const body = await res.text();
    if (res.ok) return [];
    try {
      const report = JSON.parse(body) as { checks?: Record<string, { ok: boolean; reason?: string }> };
      const failing = Object.entries(report.checks ?? {}).filter(([, c]) => !c.ok);
      if (failing.length > 0) return failing.map(([name, c]) => `${name}: ${c.reason ?? 'failing'}`);
    } catch {}
    return [`HTTP ${res.status}: ${body.slice(0, 300)}`];
  } catch {
    return null;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const shown = new Map<string, string[]>();

/** Prints what changed in a service's problems since the last look. */
function report(name: string, now: string[]): void {
  const before = shown.get(name) ?? [];
  for (const p of now.filter((p) => !before.includes(p))) console.error(`[start] PROBLEM: ${name} ${p}`);
  for (const p of before.filter((p) => !now.includes(p))) console.log(`[start] resolved: ${name} ${p}`);
  shown.set(name, now);
}

// In order (nms reads sfu-server's key and site tree), each service must answer within 60 s or
// the start stops. One that answers but reports a problem gets 10 s to settle (a reason coded
// *_STARTING, such as the demo agents waiting for the site tree, up to 60 s), then its problems
// are printed plainly and it keeps running.
for (const s of services) {
  if (stopping) break;
  launch(s);
  const launched = Date.now();
  let answeredAt: number | null = null;
  for (;;) {
    if (stopping) break;
    const p = await problems(s.health);
    if (p) {
      answeredAt ??= Date.now();
      answered.add(s.name);
    }
    const starting = p?.some((x) => /^\S+: [A-Z_]+_STARTING\b/.test(x)) ?? false;
    const settled = answeredAt !== null && Date.now() - answeredAt > (starting ? 60_000 : 10_000);
    if (p && (p.length === 0 || settled)) {
      report(s.name, p);
      break;
    }
    if (!p && Date.now() - launched > 60_000) {
      console.error(`[start] ${s.name} did not answer within 60 s (${s.health})`);
      stopAll(1);
      break;
    }
    await sleep(500);
  }
}
if (!stopping) {
  const failing = [...shown.entries()].filter(([, p]) => p.length > 0);
  // One write, so whoever reads the output sees the whole banner at once.
  const banner = ['', ...demoBanner()].map((l) => `  ${l}`);
  banner.push(`\n  LienThong is running${failing.length ? ', BUT NOT EVERYTHING WORKS (see PROBLEM above)' : ''}.`);
  banner.push(`  On this machine:  http://localhost:${port.web}/   (demo accounts: sfu-server/DEMO-ACCOUNTS.md)`);
  banner.push(`  From other PCs:   https://${firstLanAddress()}:${port.webTls}/   (HTTPS; camera and microphone need it)`);
  banner.push(`  nms   http://localhost:${port.nms}/healthz   metrics: /metrics on both`);
  if (cascade) banner.push('', ...cascade.banner);
  if (args.sfu.length === 0 || offset > 0 || cascade) {
    // The default configs' internal CA (http.tls.caDir).
    banner.push(`  Other PCs must trust the demo's CA certificate ${join(root, 'var/ca/ca.pem')}:`);
    for (const l of tlsBanner({ service: '', httpsUrl: '', caFile: 'ca.pem' }).slice(2)) banner.push(`  ${l}`);
  }
  console.log(`${banner.join('\n')}\n`);
  // Later failures (snmpsimd dying, a dependency going away) are printed when they happen.
  for (;;) {
    await sleep(5000);
    if (stopping) break;
    for (const s of services) {
      const p = await problems(s.health);
      if (p) report(s.name, p);
    }
  }
}
