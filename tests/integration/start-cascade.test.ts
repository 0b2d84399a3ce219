// `npm run start:cascade` (infra/run/start.ts --cascade, the part after the setup step) from a copy of
// the checkout: the NATS hub and leaf with the identities `npm run cascade` generates, the province
// sfu-server, nms and Đại Từ district's sfu-server all start; the province knows the district server
// for TN-DT, and its cascade link to it comes up. Ports are moved by LIENTHONG_PORT_OFFSET only.
// Needs web/dist (npx vite build web), nats-server and the root's node_modules (linked, not reinstalled).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/browser';
import { copyCheckout, freeOffset } from '../support/launcher';

const PASSWORD = 'lienthong123';
const DISTRICT = 'huyen-dai-tu';

async function login(web: string, username: string): Promise<string> {
  const res = await fetch(`${web}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  expect(res.status, username).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

async function get<T>(web: string, token: string, path: string): Promise<T> {
  const res = await fetch(`${web}${path}`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

describe('npm run start:cascade', () => {
  let parent: string;
  let child: ChildProcess;
  let output = '';
  let offset = 0;
  const web = () => `http://127.0.0.1:${8080 + offset}`;
  const group = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {}
  };

  beforeAll(async () => {
    parent = mkdtempSync(join(tmpdir(), 'lt-start-cascade-'));
    const clone = join(parent, 'c');
    copyCheckout(clone);
    // start.ts's ports and the cascade's (NATS 4222, 4223, 7422; district 8445, 8081, media 21000+).
    // Media stays below the province's SIP RTP ports (30000+) and the cascade's link ports (31000+).
    offset = await freeOffset(
      {
        tcp: [8080, 8443, 8090, 9443, 4222, 4223, 7422, 8445, 8081, 20000, 20001, 21000, 21001],
        udp: [10162, 16100, 20000, 20001, 21000, 21001],
      },
      8000,
    );
    child = spawn(join(clone, 'node_modules/.bin/tsx'), ['infra/run/start.ts', '--cascade'], {
      cwd: clone,
      env: { ...process.env, LIENTHONG_PORT_OFFSET: String(offset), LIENTHONG_SFU_CONFIG: '', LIENTHONG_NMS_CONFIG: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group: everything it starts is stopped with it
    });
    const keep = (d: Buffer) => {
      output = (output + d).slice(-200_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    await waitFor(
      () => Promise.resolve(/LienThong is running[\s\S]*update-ca-certificates/.test(output) || child.exitCode !== null),
      Boolean,
      75_000,
      'the launcher to say it is running',
    );
    expect(child.exitCode, output.slice(-4000)).toBeNull();
  }, 100_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      group('SIGTERM');
      const timer = setTimeout(() => group('SIGKILL'), 8000);
      await exited;
      clearTimeout(timer);
      // The launcher gives its services 3 s; then nothing of the group may be left.
      await new Promise((r) => setTimeout(r, 3500));
      group('SIGKILL');
    }
    if (parent) rmSync(parent, { recursive: true, force: true });
  }, 20_000);

  it('says what runs where: the district server and its demo users', () => {
    expect(output).toContain(`https://127.0.0.1:${8445 + offset}/`);
    expect(output).toMatch(/daibieu\.dt, xa\.cuvan, xa\.hungson, xa\.labang/);
    expect(output).not.toContain('PROBLEM');
  });

  it('the province knows the district server for TN-DT, and its link to it comes up', async () => {
    const token = await login(web(), 'chutri.tinh');
    const { sites } = await get<{ sites: { id: string; code: string }[] }>(web(), token, '/api/sites');
    const dt = sites.find((s) => s.code === 'TN-DT')!;
    const { servers } = await get<{ servers: { id: string; url: string; siteId: string }[] }>(web(), token, '/api/servers');
    expect(servers.find((s) => s.id === DISTRICT)).toMatchObject({ siteId: dt.id, url: `https://127.0.0.1:${8445 + offset}` });

    const engineer = await login(web(), 'mang.tinh');
    type Health = { neighbours: { peer: string; state: string }[] };
    const health = await waitFor(
      () => get<Health>(web(), engineer, '/api/servers/health'),
      (h) => h.neighbours.some((n) => n.peer === DISTRICT && n.state === 'up'),
      30_000,
      `the province's link to ${DISTRICT} up (launcher output:\n${output.slice(-3000)})`,
    );
    expect(health.neighbours.map((n) => n.peer)).toEqual([DISTRICT]);
  });
});
