// Production mode at start-up: without demo data sfu-server refuses a published or short initial admin
// password (one plain line, exit 1, no stack trace) and the samples' placeholders; with its own password it
// starts with no demo accounts, and the admin's first login must change the password. npm start says it is a demo.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type SfuProcess, startSfuServer } from '../support/sfu-process';

const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'lt-prod-start-'));
let sfu: SfuProcess | undefined;
afterAll(async () => {
  await sfu?.stop();
});

/** sfu-server with this config; it must stop on its own (a refusal), within the timeout. */
function refusal(yaml: string) {
  const file = join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, `dataDir: ${join(dir, 'data')}\n${yaml}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'sfu-server/src/main.ts'), '--config', file], {
    cwd: root,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: r.status, stderr: r.stderr.trim(), stdout: r.stdout };
}

describe('production start-up', () => {
  it.each([
    ['the embedded default', ''],
    ['the sample value', '  initialAdminPassword: change-me-now\n'],
    ['a short one', '  initialAdminPassword: elevenchars\n'],
  ])('refuses %s as the initial admin password without demo data', (_what, auth) => {
    const r = refusal(`demo:\n  seed: false\n${auth ? `auth:\n${auth}` : ''}`);
    expect(r.code).toBe(1);
    const lines = r.stderr.split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^sfu-server: refusing to start: auth\.initialAdminPassword .*(set your own|set a longer one)/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses the production sample until its placeholders are replaced', () => {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(root, 'sfu-server/src/main.ts'), '--config', join(root, 'infra/production/sfu-server.yaml')],
      {
        cwd: root,
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(
      "sfu-server: refusing to start: auth.initialAdminPassword, metrics.token, turn.secret still hold the sample's placeholder: set your own value in the config file",
    );
  });

  it('nms refuses its production sample until its placeholders are replaced', () => {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(root, 'nms/src/main.ts'), '--config', join(root, 'infra/production/nms.yaml')],
      {
        cwd: root,
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(
      "nms: refusing to start: traps.communities[0], metrics.token, alerts.webhookToken still hold the sample's placeholder: set your own value in the config file",
    );
  });

  it('starts without demo data with its own password; the first admin login must change it', async () => {
    sfu = await startSfuServer({ extraConfig: 'demo:\n  seed: false' });
    const login = (username: string, password: string) =>
      fetch(`${sfu!.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password }),
      });
    const demo = await login('chutri.tinh', 'lienthong123');
    expect(demo.status).toBe(401);
    const admin = await login('admin', 'admin-password-1');
    expect(admin.status).toBe(200);
    expect(((await admin.json()) as { mustChangePassword?: boolean }).mustChangePassword).toBe(true);
  }, 90_000);

  it('npm start says loudly that it is a demo', async () => {
    // The launcher prints the box before it starts anything; it is stopped as soon as the box is out.
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'infra/run/start.ts')], {
      cwd: root,
      env: { ...process.env, LIENTHONG_PORT_OFFSET: '3100' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    await new Promise<void>((done, fail) => {
      const t = setTimeout(() => fail(new Error(`no banner:\n${out}`)), 30_000);
      child.stdout.on('data', (d) => {
        out += d;
        if (/\+-+\+\n[\s\S]*\+-+\+/.test(out)) {
          clearTimeout(t);
          done();
        }
      });
    });
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    expect(out).toContain('THIS IS A DEMO. NOT FOR PRODUCTION.');
    expect(out).toContain('passwords are public');
    expect(out).toContain('infra/production/INSTALL.md');
  }, 60_000);
});
