// GET /api/servers/health: this server's cascade links for admins and network engineers, refused to
// every other role (403) and without a token (401); with no cascade running, this server and no links.
import { createParser, HealthRegistry } from '@lienthong/kit';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../src/core';
import type { CascadeHealthSource } from '../src/domain/cascade/health';
import { buildApp } from '../src/http/app';
import { registerApiRoutes } from '../src/http/routes';
import { ErrorReply, LOCAL_SERVER_ID, type NeighbourHealth, ServerHealthReply } from '../src/protocol';
import { adminToken, makeCore, silentLogger } from './support/core';

const neighbours: NeighbourHealth[] = [
  { peer: 'huyen-dt', state: 'up', since: '2026-12-03T10:00:00.000Z', rttMs: 12, missed: 0 },
  { peer: 'huyen-pl', state: 'down', since: '2026-12-03T10:32:00.000Z', rttMs: null, missed: 4 },
];
const source: CascadeHealthSource = { serverId: 'tinh', neighbours: () => neighbours };

let made: Awaited<ReturnType<typeof makeCore>>;
const apps: FastifyInstance[] = [];
const tokens: Record<string, string> = {};

async function appWith(cascadeHealth?: CascadeHealthSource): Promise<FastifyInstance> {
  const app = await buildApp({
    logger: silentLogger,
    health: new HealthRegistry(),
    metrics: new Registry(),
    bodyLimit: 64 * 1024,
    routes: [(a) => registerApiRoutes(a, made.core, undefined, { networkMonitoring: false, ...(cascadeHealth ? { cascadeHealth } : {}) })],
  });
  await app.ready();
  apps.push(app);
  return app;
}

async function health(app: FastifyInstance, as?: string) {
  const res = await app.inject({
    method: 'GET',
    url: '/api/servers/health',
    ...(as ? { headers: { authorization: `Bearer ${tokens[as]}` } } : {}),
  });
  const parsed = createParser(res.statusCode === 200 ? ServerHealthReply : ErrorReply).parse(res.json());
  expect(parsed.ok ? [] : parsed.problems).toEqual([]);
  return { status: res.statusCode, json: res.json() };
}

beforeAll(async () => {
  made = await makeCore();
  const app = await appWith(source);
  tokens.admin = await adminToken(app);
  for (const username of ['mang.tinh', 'kythuat.tinh', 'chutri.tinh', 'daibieu.dt']) {
    const r = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: DEMO_PASSWORD } });
    tokens[username] = (r.json() as { token: string }).token;
  }
});
afterAll(async () => {
  for (const a of apps) await a.close();
  made.cleanup();
});

describe('cascade health over REST', () => {
  it('gives admins and network engineers this server id and its neighbours', async () => {
    for (const as of ['admin', 'mang.tinh']) {
      const r = await health(apps[0]!, as);
      expect(r).toEqual({ status: 200, json: { ok: true, server: 'tinh', neighbours } });
    }
  });

  it('refuses operators, chairs and participants (403) and callers without a token (401)', async () => {
    for (const as of ['kythuat.tinh', 'chutri.tinh', 'daibieu.dt']) {
      const r = await health(apps[0]!, as);
      expect([as, r.status, r.json.error.code]).toEqual([as, 403, 'FORBIDDEN']);
    }
    expect((await health(apps[0]!)).status).toBe(401);
  });

  it('names this server and no links while no cascade runs here', async () => {
    const app = await appWith();
    expect(await health(app, 'mang.tinh')).toEqual({ status: 200, json: { ok: true, server: LOCAL_SERVER_ID, neighbours: [] } });
  });
});
