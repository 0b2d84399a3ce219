// Test helpers: a core over a fresh temp directory, a settable clock, and an app for inject.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HealthRegistry } from '@lienthong/kit';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { type Core, createCore } from '../../src/core';
import { AccountService } from '../../src/domain/accounts/service';
import { RoomService } from '../../src/domain/meetings/rooms';
import { MeetingService } from '../../src/domain/meetings/service';
import type { Actor, Clock } from '../../src/domain/shared';
import { SiteService } from '../../src/domain/sites/service';
import { SiteTransfer } from '../../src/domain/sites/transfer';
import { buildApp } from '../../src/http/app';
import { registerApiRoutes } from '../../src/http/routes';
import type { LoadTestSource } from '../../src/http/routes/loadtest';
import type { RecordingSource } from '../../src/http/routes/recordings';
import { SqliteStore } from '../../src/store/sqlite-store';

export const FAST_SCRYPT = { N: 1024, r: 8, p: 1 };
export const silentLogger = pino({ level: 'silent' });

export class TestClock implements Clock {
  constructor(public t = Date.now()) {}
  now(): Date {
    return new Date(this.t);
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export const testAuth = { sessionTtlSeconds: 3600, maxFailedLogins: 3, lockoutSeconds: 600, initialAdminPassword: 'admin-password-1' };

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'lt-core-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function makeCore(opts: { dataDir?: string; demoSeed?: boolean; clock?: TestClock; publicUrl?: string } = {}) {
  const tmp = opts.dataDir ? undefined : tempDir();
  const dataDir = opts.dataDir ?? tmp!.dir;
  const clock = opts.clock ?? new TestClock();
  const core = await createCore({
    dataDir,
    auth: testAuth,
    demoSeed: opts.demoSeed ?? true,
    logger: silentLogger,
    clock,
    scrypt: FAST_SCRYPT,
    ...(opts.publicUrl ? { publicUrl: opts.publicUrl } : {}),
  });
  return {
    core,
    clock,
    dataDir,
    cleanup: () => {
      core.close();
      tmp?.cleanup();
    },
  };
}

export async function makeApp(
  core: Core,
  bodyLimit = 64 * 1024,
  loadTest?: LoadTestSource,
  recordings?: RecordingSource,
): Promise<FastifyInstance> {
  const app = await buildApp({
    logger: silentLogger,
    health: new HealthRegistry(),
    metrics: new Registry(),
    bodyLimit,
    routes: [(a) => registerApiRoutes(a, core, loadTest, { networkMonitoring: false, ...(recordings ? { recordings } : {}) })],
  });
  await app.ready();
  return app;
}

/** Domain services over an in-memory SQLite store: no Fastify, no files. */
export function makeDomain(clock = new TestClock()) {
  const store = SqliteStore.open(':memory:');
  const sites = new SiteService(store, clock);
  const accounts = new AccountService(store, sites, clock, { maxFailedLogins: 3, lockoutSeconds: 600, scrypt: FAST_SCRYPT });
  const rooms = new RoomService(store, sites, clock);
  const meetings = new MeetingService(store, sites, accounts, clock);
  const transfer = new SiteTransfer(sites, store, clock);
  return { store, sites, accounts, rooms, meetings, transfer, clock };
}

export const actorOf = (u: { id: string; siteId: string; roles: readonly string[] }): Actor => ({
  sub: u.id,
  siteId: u.siteId,
  roles: u.roles as Actor['roles'],
});

/** The Thái Nguyên tree plus a handful of users, straight through the domain. */
export async function seededDomain(clock = new TestClock()) {
  const d = makeDomain(clock);
  const { thaiNguyenSeed } = await import('../../src/domain/sites/seed-thai-nguyen');
  d.sites.seed(thaiNguyenSeed());
  const site = (code: string) => d.sites.getByCode(code)!;
  const mk = async (username: string, code: string, roles: Actor['roles']) => {
    const rec = await d.accounts.prepareSeedUser({
      username,
      displayName: username,
      siteId: site(code).id,
      roles: [...roles],
      password: 'password-123',
    });
    d.accounts.insertSeedUser(rec);
    return rec;
  };
  const users = {
    admin: await mk('admin', 'TN', ['admin']),
    chairTn: await mk('chair.tn', 'TN', ['chair', 'participant']),
    opDt: await mk('op.dt', 'TN-DT', ['operator']),
    opVn: await mk('op.vn', 'TN-VN', ['operator']),
    chairDt: await mk('chair.dt', 'TN-DT', ['chair']),
    cuvan: await mk('p.cuvan', 'TN-DT-CUVAN', ['participant']),
    dongHy: await mk('p.dhy', 'TN-DHY', ['participant']),
  };
  const actors = Object.fromEntries(Object.entries(users).map(([k, u]) => [k, actorOf(u)])) as Record<keyof typeof users, Actor>;
  return { ...d, site, users, actors };
}

/** What adminToken changes the seeded admin's one-time initial password to. */
export const ADMIN_TEST_PASSWORD = 'admin-password-2';

/** An admin token with full rights: logs in with the initial password and changes it (once per store). */
export async function adminToken(app: FastifyInstance): Promise<string> {
  const first = await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { username: 'admin', password: testAuth.initialAdminPassword },
  });
  if (first.statusCode !== 200) {
    const again = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'admin', password: ADMIN_TEST_PASSWORD },
    });
    return (again.json() as { token: string }).token;
  }
  const { token, mustChangePassword } = first.json() as { token: string; mustChangePassword: boolean };
  if (!mustChangePassword) return token;
  const changed = await app.inject({
    method: 'POST',
    url: '/api/auth/password',
    headers: { authorization: `Bearer ${token}` },
    payload: { currentPassword: testAuth.initialAdminPassword, newPassword: ADMIN_TEST_PASSWORD },
  });
  return (changed.json() as { token: string }).token;
}
