// What a user saved survives a restart and a SIGKILL of the process.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrations } from '../src/store/migrations';
import { adminToken, makeApp, makeCore, tempDir } from './support/core';

describe('persistence', () => {
  it('keeps sites, accounts, meetings and the signing key across a restart', async () => {
    const tmp = tempDir();
    try {
      const first = await makeCore({ dataDir: tmp.dir });
      const app1 = await makeApp(first.core);
      const token = await adminToken(app1);
      const auth = { authorization: `Bearer ${token}` };
      const site = await app1.inject({
        method: 'POST',
        url: '/api/sites',
        headers: auth,
        payload: { code: 'TN-PB-MOI', name: 'Xã Mới Phú Bình (demo)', kind: 'xa', parentId: first.core.sites.getByCode('TN-PB')!.id },
      });
      expect(site.statusCode).toBe(201);
      const counts = {
        sites: first.core.sites.list().length,
        users: first.core.accounts.count(),
        meetings: first.core.store.listMeetingsEndingAfter('1970').length,
      };
      const pem = first.core.tokens.publicKeyPem;
      await app1.close();
      first.core.close();

      const second = await makeCore({ dataDir: tmp.dir });
      const app2 = await makeApp(second.core);
      expect(second.core.sites.getByCode('TN-PB-MOI')?.name).toBe('Xã Mới Phú Bình (demo)');
      expect({
        sites: second.core.sites.list().length,
        users: second.core.accounts.count(),
        meetings: second.core.store.listMeetingsEndingAfter('1970').length,
      }).toEqual(counts);
      expect(second.core.tokens.publicKeyPem).toBe(pem);
      // Same key, same sessions table: the token from before the restart still works.
      const me = await app2.inject({ method: 'GET', url: '/api/auth/me', headers: auth });
      expect(me.json().user.username).toBe('admin');
      const applied = second.core.store.db.prepare('SELECT version FROM schema_migrations').all();
      expect(applied).toEqual(migrations.map((m) => ({ version: m.version })));
      await app2.close();
      second.core.close();
    } finally {
      tmp.cleanup();
    }
  });

  it('an administrator of an older store still on the initial password must change it after the upgrade', async () => {
    const tmp = tempDir();
    try {
      const first = await makeCore({ dataDir: tmp.dir });
      // As a store seeded before migration 005 left it: the admin unflagged, with a live session.
      first.core.store.db.prepare("UPDATE users SET must_change_password = 0 WHERE username = 'admin'").run();
      const admin = first.core.store.getUserByUsername('admin')!;
      const session = first.core.accounts.openSession(admin.id, 3600);
      first.core.close();

      const second = await makeCore({ dataDir: tmp.dir });
      expect(second.core.store.getUserByUsername('admin')!.mustChangePassword).toBe(true);
      expect(second.core.store.getSession(session.id)!.revokedAt).not.toBeNull();
      // Participants (not on the initial password) are left alone.
      expect(second.core.store.getUserByUsername('chutri.tinh')!.mustChangePassword).toBe(false);
      second.core.close();
    } finally {
      tmp.cleanup();
    }
  });

  it('stores the signing key with mode 0600 and the database in WAL mode with full sync', async () => {
    const made = await makeCore();
    try {
      const { statSync } = await import('node:fs');
      expect(statSync(join(made.dataDir, 'session-signing-key.pem')).mode & 0o777).toBe(0o600);
      expect(made.core.store.db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(made.core.store.db.pragma('synchronous', { simple: true })).toBe(2); // FULL
      expect(made.core.store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    } finally {
      made.cleanup();
    }
  });

  it('keeps what was saved when the process is killed with SIGKILL', async () => {
    const tmp = tempDir();
    try {
      const require = createRequire(import.meta.url);
      const tsxLoader = require.resolve('tsx');
      const child = spawn(process.execPath, ['--import', tsxLoader, join(import.meta.dirname, 'fixtures/kill-writer.ts'), tmp.dir], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d) => {
          out += d;
          if (out.includes('\n')) resolve(out.split('\n')[0]!);
        });
        child.on('exit', (code) => reject(new Error(`writer exited early (${code}): ${stderr}`)));
      });
      const ids = JSON.parse(line) as { siteId: string; userId: string; meetingId: string };
      const exited = new Promise((r) => child.on('exit', (_code, signal) => r(signal)));
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');

      // Read the files the killed process left (WAL included), first raw, then through the core.
      const raw = new Database(join(tmp.dir, 'lienthong.sqlite'), { readonly: true });
      expect(raw.prepare('SELECT name FROM sites WHERE id = ?').get(ids.siteId)).toEqual({ name: 'Xã Trước Khi Tắt (demo)' });
      raw.close();
      const reopened = await makeCore({ dataDir: tmp.dir });
      try {
        expect(reopened.core.accounts.get(ids.userId).username).toBe('xa.kill');
        expect(reopened.core.meetings.get(ids.meetingId).title).toBe('Họp ghi trước khi tiến trình bị giết');
        expect(reopened.core.meetings.get(ids.meetingId).invites).toEqual([{ siteId: ids.siteId, scope: 'site' }]);
        expect((await reopened.core.accounts.authenticate('xa.kill', 'password-123')).id).toBe(ids.userId);
      } finally {
        reopened.core.close();
      }
    } finally {
      tmp.cleanup();
    }
  });
});
