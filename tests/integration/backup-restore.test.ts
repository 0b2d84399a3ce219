// Online backup and restore (npm run backup / npm run restore, infra/backup/): a real sfu-server keeps
// taking writes while the backup copies its store; later changes are undone by the restore, the saved
// rows come back, a running service or a damaged backup is refused and changes nothing.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, cpSync, existsSync, openSync, readdirSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NmsStore } from '../../nms/src/store/db';
import { freePort } from '../support/ports';
import { loginAdmin, type SfuProcess, startSfuServer } from '../support/sfu-process';
import { tempDir } from './nms-support';

const root = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
let sfu: SfuProcess;
let sfuConfig: string;
let nmsConfig: string;
let nmsDb: string;
let work: string;
let admin: string;
let districtId: string;

/** The CLI as an operator runs it, from a folder of its own (relative default paths land there, not in the checkout). */
async function cli(script: 'backup' | 'restore', args: string[]): Promise<{ code: number; out: string }> {
  try {
    const r = await run(
      join(root, 'node_modules/.bin/tsx'),
      [join(root, `infra/backup/${script}.ts`), '--sfu-config', sfuConfig, '--nms-config', nmsConfig, ...args],
      {
        cwd: work,
      },
    );
    return { code: 0, out: r.stdout + r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, out: x.stdout + x.stderr };
  }
}

const api = async (method: string, path: string, body?: object) => {
  const res = await fetch(`${sfu.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${admin}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const newSite = (code: string) => api('POST', '/api/sites', { code, name: `Xã sao lưu ${code}`, kind: 'xa', parentId: districtId });
const siteCodes = async () => ((await api('GET', '/api/sites')).body.sites as { code: string }[]).map((s) => s.code);
const usernames = async () => ((await api('GET', '/api/users')).body.users as { username: string }[]).map((u) => u.username);
const nmsMessages = () => {
  const store = new NmsStore(nmsDb);
  try {
    return store.listEvents({ limit: 100 }).map((e) => e.message);
  } finally {
    store.db.close();
  }
};
const nmsEvent = (message: string) => {
  const store = new NmsStore(nmsDb);
  store.insert({ kind: 'link_state', severity: 'info', source: 'system', message, at: Date.now(), dedupKey: message });
  store.db.close();
};
const stopSfu = async () => {
  if (sfu.child.exitCode !== null || sfu.child.signalCode !== null) return;
  const exited = new Promise((r) => sfu.child.once('exit', r));
  sfu.child.kill('SIGTERM');
  await exited;
};
/** Every file under the data folders with its hash: "nothing changed" made checkable. */
const snapshot = (dirs: string[]) => {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[p] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  for (const d of dirs) if (existsSync(d)) walk(d);
  return out;
};

beforeAll(async () => {
  work = tempDir('lt-backup-');
  sfu = await startSfuServer();
  sfuConfig = join(dirname(sfu.dataDir), 'config.yaml');
  const nmsData = join(work, 'nms-data');
  nmsConfig = join(work, 'nms.yaml');
  writeFileSync(nmsConfig, `http:\n  host: 127.0.0.1\n  port: ${await freePort()}\ndataDir: ${nmsData}\n`);
  (await import('node:fs')).mkdirSync(nmsData);
  nmsDb = join(nmsData, 'nms.sqlite');
  nmsEvent('saved before the backup');
  admin = await loginAdmin(sfu.url);
  districtId = ((await api('GET', '/api/sites')).body.sites as { id: string; code: string }[]).find((s) => s.code === 'TN-DT')!.id;
}, 90_000);
afterAll(async () => {
  await sfu?.stop();
});

describe('backup and restore', () => {
  let backupDir: string;

  it('backs up while the service runs and keeps taking writes', async () => {
    expect((await newSite('TN-DT-BK1')).status).toBe(201);
    const user = await api('POST', '/api/users', {
      username: 'saoluu.giu',
      displayName: 'Giữ lại sau khôi phục',
      siteId: districtId,
      roles: ['participant'],
      password: 'mat-khau-sao-luu-1',
    });
    expect(user.status).toBe(201);
    // Writes go on during the backup.
    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing) if ((await newSite(`TN-DT-W${++written}`)).status !== 201) throw new Error('write failed during backup');
    })();
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    const r = await cli('backup', ['--out', join(work, 'backups')]);
    const ms = Date.now() - t0;
    writing = false;
    await writer;
    expect(r.code, r.out).toBe(0);
    backupDir = /backup written: (.+)/.exec(r.out)![1]!.trim();
    console.log(`backup: ${ms} ms (CLI start included) while ${written} sites were written`);
    expect(written).toBeGreaterThan(3);
    expect(statSync(backupDir).mode & 0o777).toBe(0o700);
    const manifest = JSON.parse(readFileSync(join(backupDir, 'manifest.json'), 'utf8')) as { files: { root: string; path: string }[] };
    const names = manifest.files.map((f) => `${f.root}/${f.path}`);
    expect(names).toEqual(
      expect.arrayContaining(['sfu-server/lienthong.sqlite', 'sfu-server/session-signing-key.pem', 'nms/nms.sqlite', 'ca/ca.pem']),
    );
    for (const f of manifest.files) expect(statSync(join(backupDir, f.root, f.path)).mode & 0o777, f.path).toBe(0o600);
  }, 60_000);

  it('refuses to restore while sfu-server runs, and changes nothing', async () => {
    expect((await newSite('TN-DT-LATER')).status).toBe(201);
    nmsEvent('written after the backup');
    const r = await cli('restore', ['--from', backupDir]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('still running: sfu-server');
    expect(await siteCodes()).toContain('TN-DT-LATER');
    expect(readdirSync(sfu.dataDir).some((n) => n.startsWith('replaced-'))).toBe(false);
  });

  it('refuses a damaged backup (checksum, then integrity_check) and changes nothing', async () => {
    await stopSfu();
    const before = snapshot([sfu.dataDir, dirname(nmsDb)]);
    // Bytes changed in the middle of the store.
    const damaged = join(work, 'damaged');
    cpSync(backupDir, damaged, { recursive: true });
    const store = join(damaged, 'sfu-server', 'lienthong.sqlite');
    const fd = openSync(store, 'r+');
    writeSync(fd, Buffer.alloc(8192, 0x5a), 0, 8192, 4096 * 2);
    closeSync(fd);
    const first = await cli('restore', ['--from', damaged]);
    expect(first.code).toBe(1);
    expect(first.out).toContain('sfu-server/lienthong.sqlite: checksum differs');
    // The same damage with a manifest that agrees: SQLite's own check must catch it.
    const mf = join(damaged, 'manifest.json');
    const m = JSON.parse(readFileSync(mf, 'utf8')) as { files: { root: string; path: string; sha256: string }[] };
    m.files.find((f) => f.path === 'lienthong.sqlite')!.sha256 = createHash('sha256').update(readFileSync(store)).digest('hex');
    writeFileSync(mf, JSON.stringify(m));
    const second = await cli('restore', ['--from', damaged]);
    expect(second.code).toBe(1);
    expect(second.out).toMatch(/lienthong\.sqlite: integrity_check: (?!ok)/);
    expect(snapshot([sfu.dataDir, dirname(nmsDb)])).toEqual(before);
  });

  it('restores: the saved rows are back, the later change is gone, the replaced files kept aside', async () => {
    const r = await cli('restore', ['--from', backupDir]);
    expect(r.code, r.out).toBe(0);
    const aside = readdirSync(sfu.dataDir).find((n) => n.startsWith('replaced-'));
    expect(aside).toBeDefined();
    expect(existsSync(join(sfu.dataDir, aside!, 'lienthong.sqlite'))).toBe(true);
    expect(nmsMessages()).toEqual(['saved before the backup']);
    await sfu.restart();
    admin = await loginAdmin(sfu.url);
    const codes = await siteCodes();
    expect(codes).toContain('TN-DT-BK1');
    expect(codes).not.toContain('TN-DT-LATER');
    expect(await usernames()).toContain('saoluu.giu');
    // A consistent snapshot: the sites written during the backup are a gap-free prefix.
    const w = codes
      .filter((c) => /^TN-DT-W\d+$/.test(c))
      .map((c) => Number(c.slice(7)))
      .sort((a, b) => a - b);
    expect(w).toEqual(Array.from({ length: w.length }, (_, i) => i + 1));
  }, 90_000);
});
