// `npm start`: runs the whole system with embedded defaults and demo data:
// sfu-server (serving the web app) and nms. Stops both on Ctrl-C; if one dies, stops the other.
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const services = [
  { name: 'sfu-server', entry: 'sfu-server/src/main.ts', health: 'http://127.0.0.1:8080/healthz' },
  { name: 'nms', entry: 'nms/src/main.ts', health: 'http://127.0.0.1:8090/healthz' },
];

const children: ChildProcess[] = [];
let stopping = false;

function stopAll(code: number): void {
  if (stopping) return;
  stopping = true;
  for (const c of children) c.kill('SIGTERM');
  setTimeout(() => process.exit(code), 3000).unref();
}

for (const s of services) {
  const child = spawn(process.execPath, ['--import', 'tsx', s.entry, ...process.argv.slice(2)], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`[start] ${s.name} exited (${signal ?? code}); stopping the others`);
      stopAll(1);
    }
  });
  children.push(child);
}
process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));

/** null while the service does not answer; else its /healthz status and body. */
async function health(url: string): Promise<{ ok: boolean; body: string } | null> {
  try {
    const res = await fetch(url);
    return { ok: res.ok, body: await res.text() };
  } catch {
    return null;
  }
}

// Healthy services go on at once. One that answers but reports a problem (a dependency down,
// a probe failing) keeps running and says why; one that never answers stops the start.
const deadline = Date.now() + 60_000;
for (const s of services) {
  for (;;) {
    if (stopping) break;
    const h = await health(s.health);
    if (h?.ok) break;
    if (Date.now() > deadline) {
      if (h) {
        console.warn(`[start] ${s.name} is running but reports a problem: ${h.body}`);
        break;
      }
      console.error(`[start] ${s.name} did not answer within 60 s (${s.health})`);
      stopAll(1);
      break;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
if (!stopping) {
  console.log('\n  LienThong is running.');
  console.log('  Open  http://localhost:8080/   (demo accounts: sfu-server/DEMO-ACCOUNTS.md)');
  console.log('  nms   http://localhost:8090/healthz   metrics: /metrics on both\n');
}
