// servers.* over REST with a real app: the demo's province server, admins changing the assignment,
// everyone else refused, bad input refused with nothing changed, and rows kept across a reopen.
import { createParser, matchRoute } from '@lienthong/kit';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Core, DEMO_PASSWORD } from '../src/core';
import { ErrorReply, type MediaServer, type ServerList, SfuRoutes, SITE_DIRECTORY_PATH, type SiteDirectoryReply } from '../src/protocol';
import { adminToken, makeApp, makeCore, tempDir } from './support/core';

const PUBLIC_URL = 'https://tinh.example.vn:8443';
const tmp = tempDir();
let core: Core;
let app: FastifyInstance;
const tokens: Record<string, string> = {};

/** Every reply checked against its route's schema (or the error reply). */
async function call(method: string, url: string, as: string, body?: unknown) {
  const res = await app.inject({
    method: method as 'GET',
    url,
    headers: { authorization: `Bearer ${tokens[as]}` },
    ...(body !== undefined ? { payload: body as object } : {}),
  });
  const json = res.json();
  const route = matchRoute(SfuRoutes, method, url);
  const schema = res.statusCode >= 400 ? ErrorReply : route?.[1].reply;
  expect(schema, `${method} ${url}`).toBeDefined();
  const parsed = createParser(schema!).parse(json);
  expect(parsed.ok ? [] : parsed.problems).toEqual([]);
  return { status: res.statusCode, json, code: json.error?.code as string | undefined };
}

const siteId = (code: string) => core.sites.getByCode(code)!.id;
const list = async (as = 'admin') => (await call('GET', '/api/servers', as)).json as ServerList;
const serverOf = (l: ServerList, code: string) => l.assignments.find((a) => a.siteId === siteId(code))?.serverId;
/** Each site's server as the public directory (what nms follows) names it, by site code. */
const directory = async () => {
  const reply = (await call('GET', SITE_DIRECTORY_PATH, 'admin')).json as SiteDirectoryReply;
  return new Map(reply.sites.map((s) => [s.code, s.server]));
};

async function open(): Promise<void> {
  core = (await makeCore({ dataDir: tmp.dir, publicUrl: PUBLIC_URL })).core;
  app = await makeApp(core);
  tokens.admin = await adminToken(app);
  for (const username of ['kythuat.tinh', 'daibieu.dt']) {
    const r = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: DEMO_PASSWORD } });
    tokens[username] = (r.json() as { token: string }).token;
  }
}
async function close(): Promise<void> {
  await app.close();
  core.close();
}

beforeAll(open);
afterAll(async () => {
  await close();
  tmp.cleanup();
});

describe('media servers over REST', () => {
  let district: MediaServer;

  it('starts with the province server at the root site, serving every site (any signed-in user sees it)', async () => {
    const l = await list('daibieu.dt');
    expect(l.servers).toHaveLength(1);
    expect(l.servers[0]).toMatchObject({ name: 'Máy chủ Tỉnh Thái Nguyên', url: PUBLIC_URL, siteId: siteId('TN') });
    expect(l.assignments).toHaveLength(core.sites.list().length);
    expect(new Set(l.assignments.map((a) => a.serverId))).toEqual(new Set([l.servers[0]!.id]));
    // The directory nms follows names it for every site.
    const dir = await directory();
    expect(dir.size).toBe(core.sites.list().length);
    const province = { id: l.servers[0]!.id, name: 'Máy chủ Tỉnh Thái Nguyên', url: PUBLIC_URL };
    expect(new Set([...dir.values()].map((s) => JSON.stringify(s)))).toEqual(new Set([JSON.stringify(province)]));
  });

  it('lets an admin add, rename and readdress a district server; its subtree follows it', async () => {
    const made = await call('POST', '/api/servers', 'admin', {
      name: 'Máy chủ huyện Đại Từ',
      url: 'https://dai-tu.example.vn/',
      siteId: siteId('TN-DT'),
    });
    expect(made.status).toBe(201);
    district = made.json.server;
    expect(district.url).toBe('https://dai-tu.example.vn');
    const l = await list();
    expect(l.servers.map((s) => s.name)).toEqual(['Máy chủ Tỉnh Thái Nguyên', 'Máy chủ huyện Đại Từ']);
    expect(serverOf(l, 'TN-DT')).toBe(district.id);
    expect(serverOf(l, 'TN-DT-CUVAN')).toBe(district.id);
    expect(serverOf(l, 'TN-VN')).toBe(l.servers[0]!.id);
    const renamed = await call('PATCH', `/api/servers/${district.id}`, 'admin', {
      name: 'Máy chủ Đại Từ',
      url: 'https://daitu.example.vn:8443',
    });
    expect(renamed.status).toBe(200);
    expect(renamed.json.server).toMatchObject({
      id: district.id,
      name: 'Máy chủ Đại Từ',
      url: 'https://daitu.example.vn:8443',
      siteId: siteId('TN-DT'),
    });
    // Moved down to one commune: the rest of the district goes back to the province.
    const moved = await call('PATCH', `/api/servers/${district.id}`, 'admin', { siteId: siteId('TN-DT-CUVAN') });
    expect(moved.status).toBe(200);
    const after = await list();
    expect(serverOf(after, 'TN-DT-CUVAN')).toBe(district.id);
    expect(serverOf(after, 'TN-DT')).toBe(after.servers[0]!.id);
    expect((await directory()).get('TN-DT')?.id).toBe(after.servers[0]!.id);
    expect((await directory()).get('TN-DT-CUVAN')?.id).toBe(district.id);
    district = (await call('PATCH', `/api/servers/${district.id}`, 'admin', { siteId: siteId('TN-DT') })).json.server;
    // The directory: the district's sites name the district server, the others the province server.
    const dir = await directory();
    const ownServer = { id: district.id, name: 'Máy chủ Đại Từ', url: 'https://daitu.example.vn:8443' };
    const province = { id: after.servers[0]!.id, name: 'Máy chủ Tỉnh Thái Nguyên', url: PUBLIC_URL };
    for (const code of ['TN-DT', 'TN-DT-CUVAN']) expect([code, dir.get(code)]).toEqual([code, ownServer]);
    for (const code of ['TN', 'TN-VN']) expect([code, dir.get(code)]).toEqual([code, province]);
  });

  it('refuses everyone but admins (403), with nothing changed', async () => {
    const before = await list();
    const body = { name: 'Máy chủ Võ Nhai', url: 'https://vo-nhai.example.vn', siteId: siteId('TN-VN') };
    for (const as of ['kythuat.tinh', 'daibieu.dt']) {
      expect((await call('POST', '/api/servers', as, body)).status).toBe(403);
      expect((await call('PATCH', `/api/servers/${district.id}`, as, { name: 'Khác' })).status).toBe(403);
      expect((await call('DELETE', `/api/servers/${district.id}`, as)).status).toBe(403);
    }
    expect(await list()).toEqual(before);
  });

  it('refuses malformed bodies (400) and unknown ids (404), with nothing changed', async () => {
    const before = await list();
    const ok = { name: 'Máy chủ Võ Nhai', url: 'https://vo-nhai.example.vn', siteId: siteId('TN-VN') };
    const refused = [
      ['POST', '/api/servers', { name: ok.name, siteId: ok.siteId }, 400, 'VALIDATION_FAILED'],
      ['POST', '/api/servers', { ...ok, url: 'http://vo-nhai.example.vn' }, 400, 'VALIDATION_FAILED'],
      ['POST', '/api/servers', { ...ok, url: 'https://user:pw@vo-nhai.example.vn' }, 400, 'SERVER_URL_INVALID'],
      ['POST', '/api/servers', { ...ok, name: '' }, 400, 'VALIDATION_FAILED'],
      ['POST', '/api/servers', { ...ok, extra: 1 }, 400, 'VALIDATION_FAILED'],
      ['POST', '/api/servers', { ...ok, siteId: 'no-such-site' }, 404, 'NOT_FOUND'],
      ['PATCH', `/api/servers/${district.id}`, {}, 400, 'VALIDATION_FAILED'],
      ['PATCH', `/api/servers/${district.id}`, { url: 'ftp://x' }, 400, 'VALIDATION_FAILED'],
      ['PATCH', '/api/servers/no-such-server', { name: 'X' }, 404, 'NOT_FOUND'],
      ['DELETE', '/api/servers/no-such-server', undefined, 404, 'NOT_FOUND'],
    ] as const;
    for (const [method, url, body, status, code] of refused) {
      const r = await call(method, url, 'admin', body);
      expect([method, url, body, r.status, r.code]).toEqual([method, url, body, status, code]);
    }
    expect(await list()).toEqual(before);
  });

  it('refuses a second province server, a served site twice, a taken URL or name, and a lone district', async () => {
    const before = await list();
    const top = await call('POST', '/api/sites', 'admin', { code: 'HN', name: 'Thành phố Hà Nội', kind: 'thanh_pho', parentId: null });
    expect(top.status).toBe(201);
    const base = { name: 'Máy chủ khác', url: 'https://khac.example.vn' };
    const refused = [
      [{ ...base, siteId: top.json.site.id }, 'SERVER_ROOT_TAKEN'],
      [{ ...base, siteId: siteId('TN') }, 'SERVER_SITE_TAKEN'],
      [{ ...base, siteId: siteId('TN-VN'), url: 'https://DAITU.example.vn:8443/' }, 'SERVER_URL_TAKEN'],
      [{ ...base, siteId: siteId('TN-VN'), name: 'máy chủ đại từ' }, 'SERVER_NAME_TAKEN'],
      [{ ...base, siteId: siteId('TN-VN'), id: before.servers[0]!.id }, 'SERVER_ID_TAKEN'],
    ] as const;
    for (const [body, code] of refused) {
      const r = await call('POST', '/api/servers', 'admin', body);
      expect([body, r.status, r.code]).toEqual([body, 409, code]);
    }
    // The province server goes last, and stays on a top-level site.
    const provinceId = before.servers[0]!.id;
    expect((await call('DELETE', `/api/servers/${provinceId}`, 'admin')).code).toBe('SERVER_ROOT_REQUIRED');
    expect((await call('PATCH', `/api/servers/${provinceId}`, 'admin', { siteId: siteId('TN-SC') })).code).toBe('SERVER_ROOT_REQUIRED');
    // A site that has a server is not deleted from under it.
    const served = await call('POST', '/api/sites', 'admin', {
      code: 'TN-VN-X1',
      name: 'Thôn mới',
      kind: 'khac',
      parentId: siteId('TN-VN'),
    });
    // An id chosen by the admin: the name this server goes by in its cascade settings.
    const onIt = await call('POST', '/api/servers', 'admin', { ...base, siteId: served.json.site.id, id: 'thon-moi_1' });
    expect([onIt.status, onIt.json.server.id]).toEqual([201, 'thon-moi_1']);
    const badId = await call('POST', '/api/servers', 'admin', {
      ...base,
      name: 'X',
      url: 'https://x.example.vn',
      siteId: siteId('TN-SC'),
      id: 'có dấu',
    });
    expect([badId.status, badId.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect((await call('DELETE', `/api/sites/${served.json.site.id}`, 'admin')).code).toBe('SITE_HAS_SERVER');
    expect((await call('DELETE', `/api/servers/${onIt.json.server.id}`, 'admin')).status).toBe(200);
    expect((await call('DELETE', `/api/sites/${served.json.site.id}`, 'admin')).status).toBe(200);
    expect((await call('DELETE', `/api/sites/${top.json.site.id}`, 'admin')).status).toBe(200);
    expect(await list()).toEqual(before);
  });

  it('keeps the rows across a reopen of the store, then removes a server', async () => {
    const before = await list();
    await close();
    await open();
    expect(await list()).toEqual(before);
    expect((await call('DELETE', `/api/servers/${district.id}`, 'admin')).status).toBe(200);
    expect((await call('DELETE', `/api/servers/${district.id}`, 'admin')).status).toBe(404);
    const l = await list();
    expect(l.servers.map((s) => s.name)).toEqual(['Máy chủ Tỉnh Thái Nguyên']);
    expect(serverOf(l, 'TN-DT-CUVAN')).toBe(l.servers[0]!.id);
    // The last server may go: every site is this server's again, as in a single-server install.
    expect((await call('DELETE', `/api/servers/${l.servers[0]!.id}`, 'admin')).status).toBe(200);
    expect(new Set((await list()).assignments.map((a) => a.serverId))).toEqual(new Set(['local']));
    expect(new Set([...(await directory()).values()].map((s) => JSON.stringify(s)))).toEqual(
      new Set([JSON.stringify({ id: 'local', name: 'local', url: PUBLIC_URL })]),
    );
  });
});
