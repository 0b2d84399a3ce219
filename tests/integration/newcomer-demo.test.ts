// A newcomer's first run: the checkout lives under a directory other users cannot enter (a clone
// in root's home, or under `mktemp -d`), and `npm start`'s own launcher (infra/run/start.ts, the
// part after the setup step) runs the demo with its embedded defaults. The demo network must work
// there: the network overview shows the demo's cut district down and every other district up, and
// nms's /healthz reports the demo agents ok. When the agents do die (their data put where nobody
// cannot reach it), the launcher says so, /healthz reports it, and the overview shows a monitoring
// problem rather than every district down. Ports are moved by LIENTHONG_PORT_OFFSET only.
// Needs web/dist (npx vite build web) and the root's node_modules (linked, not reinstalled).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, waitFor } from '../support/browser';
import { copyCheckout, freeOffset } from '../support/launcher';

interface Launcher {
  /** The loopback plain URL (served on this machine). */
  web: string;
  /** The HTTPS URL the launcher prints for other PCs. */
  httpsWeb(): string;
  nmsHealth: string;
  output(): string;
  exitCode(): number | null;
  stop(): Promise<void>;
}

/** package.json "start" is `node infra/setup/setup.mjs start && tsx infra/run/start.ts`: the second part. */
async function npmStart(clone: string, env: Record<string, string> = {}): Promise<Launcher> {
  const offset = await freeOffset({
    tcp: [8080, 8443, 8090, 9443, 20000, 20001, 20002, 20003],
    udp: [10162, 16100, 20000, 20001, 20002, 20003],
  });
  let output = '';
  const child = spawn(join(clone, 'node_modules/.bin/tsx'), ['infra/run/start.ts'], {
    cwd: clone,
    env: { ...process.env, LIENTHONG_PORT_OFFSET: String(offset), LIENTHONG_SFU_CONFIG: '', LIENTHONG_NMS_CONFIG: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: everything it starts is stopped with it
  });
  const keep = (d: Buffer) => {
    output = (output + d).slice(-200_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const group = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {}
  };
  let stopped = false;
  return {
    web: `http://127.0.0.1:${8080 + offset}`,
    httpsWeb: () => /From other PCs: +(https:\/\/\S+?)\/? /.exec(output)?.[1] ?? 'the launcher printed no HTTPS URL',
    nmsHealth: `http://127.0.0.1:${8090 + offset}/healthz`,
    output: () => output,
    exitCode: () => child.exitCode,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        group('SIGTERM');
        const timer = setTimeout(() => group('SIGKILL'), 8000);
        await exited;
        clearTimeout(timer);
      }
      // The launcher gives its services 3 s; then nothing of the group may be left.
      await new Promise((r) => setTimeout(r, 3500));
      group('SIGKILL');
    },
  };
}

type Health = { status: string; checks: Record<string, { ok: boolean; reason?: string }> };

describe('npm start from a clone under a 0700 directory', () => {
  let parent: string;
  let clone: string;
  let browser: Browser | undefined;
  const launched: Launcher[] = [];

  beforeAll(async () => {
    // mktemp -d: 0700, so user nobody (snmpsimd's user when run as root) cannot enter it.
    parent = mkdtempSync(join(tmpdir(), 'lt-newcomer-'));
    expect(statSync(parent).mode & 0o777).toBe(0o700);
    clone = join(parent, 'c');
    copyCheckout(clone);
  });

  afterAll(async () => {
    await browser?.close();
    for (const l of launched) await l.stop();
    if (parent) rmSync(parent, { recursive: true, force: true });
  });

  async function running(env: Record<string, string> = {}): Promise<Launcher> {
    const l = await npmStart(clone, env);
    launched.push(l);
    await waitFor(
      // The banner's last lines name the CA; a pipe may hand the banner over in pieces.
      () => Promise.resolve(/LienThong is running[\s\S]*update-ca-certificates/.test(l.output()) || l.exitCode() !== null),
      Boolean,
      60_000,
      'the launcher to say it is running',
    );
    expect(l.exitCode(), l.output()).toBeNull();
    // The officials' PCs trust the CA file the launcher names, as IT would install it.
    const caFile = join(clone, 'var/ca/ca.pem');
    expect(l.output()).toContain(caFile);
    expect(l.output()).toContain('update-ca-certificates');
    browser ??= await launchChromium({ caFile });
    return l;
  }

  /** The network engineer's network overview (Giám sát mạng), reached through the menu. */
  async function overview(l: Launcher): Promise<Page> {
    const page = await (await browser!.newContext({ viewport: { width: 1300, height: 900 } })).newPage();
    await page.goto(`${l.httpsWeb()}/#/login`);
    await page.fill('input[name=username]', 'mang.tinh');
    await page.fill('input[type=password]', 'lienthong123');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid=whoami]');
    await page.click('a:has-text("Giám sát mạng")');
    await page.waitForSelector('[data-testid=site-tree]');
    return page;
  }

  const districts = (page: Page) =>
    page.$$eval('[data-testid=site-node].depth1', (els) => els.map((e) => [e.getAttribute('data-code'), e.getAttribute('data-state')]));

  it("shows the demo's cut district down and the others up; nms reports the demo agents ok", async () => {
    const l = await running();
    const page = await overview(l);
    // The demo cuts Phú Bình's uplink; every other district's router answers on the first polls.
    const states = await waitFor(
      () => districts(page),
      (d) => d.length > 3 && d.every(([code, st]) => (code === 'TN-PB' ? st === 'down' : st === 'ok')),
      45_000,
      `Phú Bình down, the other districts ok (launcher output:\n${l.output().slice(-4000)})`,
    );
    expect(states.filter(([, st]) => st === 'down')).toEqual([['TN-PB', 'down']]);
    expect(await page.getAttribute('[data-testid=link-counts] [data-state=down]', 'data-count')).toBe('1');
    expect(await page.locator('[data-testid=unmonitored-sites]').count()).toBe(0);

    const health = (await (await fetch(l.nmsHealth)).json()) as Health;
    expect(health.checks.demo, JSON.stringify(health)).toEqual({ ok: true });
    expect(l.output()).not.toContain('PROBLEM');
    await l.stop();
  });

  it('says plainly when the demo agents die, and shows a monitoring problem, not an outage', async () => {
    // Agent data where nobody cannot reach it (TMPDIR inside the 0700 directory): snmpsimd exits.
    const l = await running({ TMPDIR: parent });
    expect(l.output()).toMatch(/\[start\] PROBLEM: nms demo: DEMO_AGENTS_DOWN: snmpsimd exited/);
    expect(l.output()).toContain('BUT NOT EVERYTHING WORKS');
    const res = await fetch(l.nmsHealth);
    expect(res.status).toBe(503);
    expect(((await res.json()) as Health).checks.demo?.reason).toMatch(/^DEMO_AGENTS_DOWN: /);

    // Ping answers (127.0.0.1), SNMP does not: no district is "down", the overview says why.
    const page = await overview(l);
    const states = await waitFor(
      () => districts(page),
      (d) => d.length > 3 && d.every(([, st]) => st === 'unmonitored'),
      30_000,
      'every district unmonitored',
    );
    expect(states.some(([, st]) => st === 'down')).toBe(false);
    expect(await page.getAttribute('[data-testid=link-counts] [data-state=up]', 'data-count')).toBe('0');
    expect(Number(await page.getAttribute('[data-testid=unmonitored-sites]', 'data-count'))).toBeGreaterThan(3);

    // Phú Bình's lobby: not "the site has lost its network" above a path that is not down.
    const lobby = await (await browser!.newContext()).newPage();
    await lobby.goto(`${l.httpsWeb()}/#/login`);
    await lobby.fill('input[name=username]', 'daibieu.pb');
    await lobby.fill('input[type=password]', 'lienthong123');
    await lobby.keyboard.press('Enter');
    await lobby.waitForSelector('[data-testid=whoami]');
    await lobby.goto(`${l.httpsWeb()}/#/lobby/technical-check`);
    await lobby.waitForSelector('[data-testid=path-check][data-phase=ready]', { timeout: 15_000 });
    expect(await lobby.getAttribute('[data-testid=path-check]', 'data-state')).toBe('unmonitored');
    expect(await lobby.textContent('[data-testid=path-verdict]')).toContain('sự cố giám sát, không phải mất mạng');
    expect(await lobby.getAttribute('[data-testid=path-hop]', 'data-state')).toBe('unknown');
    await l.stop();
  });
});
