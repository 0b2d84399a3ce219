// The core REST API through app.inject: every route, bad input, roles and subtrees.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, createParser, importPublicKeyPem, matchRoute, verifySessionToken } from '@lienthong/kit';
import type { FastifyInstance } from 'fastify';
import type { TSchema } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../src/core';
import {
  ErrorReply,
  JoinCheckReply,
  LoginReply,
  MeetingList,
  MeetingReply,
  MeReply,
  RoomReply,
  SfuRoutes,
  SiteList,
  SiteReply,
  UserList,
  UserReply,
} from '../src/protocol';
import { RecordingService } from '../src/recording/recording-service';
import { RecordingRepository } from '../src/store/recording-repository';
import { makeApp, makeCore } from './support/core';

let core: Core;
let app: FastifyInstance;
let cleanup: () => void;
const tokens: Record<string, string> = {};

function conforms(schema: TSchema, body: unknown): void {
  const r = createParser(schema).parse(body);
  expect(r.ok ? [] : r.problems).toEqual([]);
}

async function call(
  method: string,
  url: string,
  opts: { as?: string; body?: unknown; headers?: Record<string, string>; payload?: string } = {},
) {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.as) headers.authorization = `Bearer ${tokens[opts.as]}`;
  const res = await app.inject({
    method: method as 'GET',
    url,
    headers,
    ...(opts.payload !== undefined ? { payload: opts.payload } : opts.body !== undefined ? { payload: opts.body as object } : {}),
  });
  const json = res.headers['content-type']?.toString().includes('json') ? res.json() : undefined;
  if (res.statusCode >= 400) conforms(ErrorReply, json);
  else checkReply(method, url, res, json);
  return { status: res.statusCode, json, res };
}

/** Every success reply in this file is checked against its route in the REST table. */
const exercised = new Set<string>();
function checkReply(
  method: string,
  url: string,
  res: { statusCode: number; headers: Record<string, unknown>; body: string },
  json: unknown,
) {
  const route = matchRoute(SfuRoutes, method, url);
  expect(route, `${method} ${url} is in the route table`).toBeDefined();
  if (!route) return;
  const [name, spec] = route;
  exercised.add(name);
  expect(res.statusCode, name).toBe(spec.status ?? 200);
  if (spec.replyType) expect(String(res.headers['content-type'])).toBe(spec.replyType);
  conforms(spec.reply, json ?? res.body);
}

async function login(username: string, password = 'lienthong123') {
  const r = await call('POST', '/api/auth/login', { body: { username, password } });
  expect(r.status).toBe(200);
  tokens[username] = r.json.token;
  return r;
}

const siteId = (code: string) => core.sites.getByCode(code)!.id;
const demoMeeting = () =>
  core.store.listMeetingsEndingAfter(new Date(0).toISOString()).find((m) => m.title.startsWith('Hội nghị giao ban'))!;

beforeAll(async () => {
  const made = await makeCore();
  core = made.core;
  cleanup = made.cleanup;
  app = await makeApp(core);
  for (const u of ['chutri.tinh', 'kythuat.tinh', 'mang.tinh', 'daibieu.dt', 'daibieu.vn', 'xa.cuvan', 'xa.thuongnung']) await login(u);
  // The seeded admin's initial password is one-time: this session may only change it.
  const first = await login('admin', 'admin-password-1');
  expect(first.json.mustChangePassword).toBe(true);
  expect((await call('GET', '/api/sites', { as: 'admin' })).json.error.code).toBe('PASSWORD_CHANGE_REQUIRED');
  expect((await call('GET', '/api/auth/me', { as: 'admin' })).json.mustChangePassword).toBe(true);
  // This app was built without network monitoring: pages are told not to ask /api/nms.
  expect((await call('GET', '/api/auth/me', { as: 'admin' })).json.networkMonitoring).toBe(false);
  const reused = await call('POST', '/api/auth/password', {
    as: 'admin',
    body: { currentPassword: 'admin-password-1', newPassword: 'admin-password-1' },
  });
  expect(reused.json.error.code).toBe('PASSWORD_REUSED');
  const changed = await call('POST', '/api/auth/password', {
    as: 'admin',
    body: { currentPassword: 'admin-password-1', newPassword: 'admin-password-2' },
  });
  expect(changed.status).toBe(200);
  const old = tokens.admin;
  tokens.admin = changed.json.token;
  expect((await call('GET', '/api/auth/me', { as: 'admin' })).json.mustChangePassword).toBe(false);
  expect((await app.inject({ method: 'GET', url: '/api/sites', headers: { authorization: `Bearer ${old}` } })).statusCode).toBe(401);
});
afterAll(async () => {
  await app.close();
  cleanup();
});

describe('auth', () => {
  it('logs in: token in the body and an HttpOnly SameSite=Lax cookie; /me works with either', async () => {
    const r = await login('daibieu.dt');
    conforms(LoginReply, r.json);
    expect(r.json.site.code).toBe('TN-DT');
    const cookie = String(r.res.headers['set-cookie']);
    expect(cookie).toMatch(/^lt_session=[^;]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=3600$/);
    const viaBearer = await call('GET', '/api/auth/me', { as: 'daibieu.dt' });
    expect(viaBearer.status).toBe(200);
    conforms(MeReply, viaBearer.json);
    expect(viaBearer.json.sitePath.map((s: { code: string }) => s.code)).toEqual(['TN', 'TN-DT']);
    const viaCookie = await call('GET', '/api/auth/me', { headers: { cookie: `other=1; lt_session=${r.json.token}` } });
    expect(viaCookie.json.user.username).toBe('daibieu.dt');
    expect((await call('GET', '/api/auth/me')).json.error.code).toBe('UNAUTHENTICATED');
  });

  it('publishes the public key; tokens verify with it alone and carry the session claims', async () => {
    const r = await call('GET', '/api/auth/public-key');
    expect(r.status).toBe(200);
    expect(r.res.body).toContain('BEGIN PUBLIC KEY');
    const key = await importPublicKeyPem(r.res.body);
    const claims = await verifySessionToken(key, tokens['xa.cuvan']!);
    expect(claims).toMatchObject({ siteCode: 'TN-DT-CUVAN', roles: ['participant'], name: 'Đại biểu Xã Cù Vân' });
    const t = tokens['xa.cuvan']!;
    const tampered = `${t.slice(0, -4)}${t.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    await expect(verifySessionToken(key, tampered)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('logout revokes the session at once and clears the cookie', async () => {
    const r = await login('daibieu.vn');
    const token = r.json.token;
    const out = await call('POST', '/api/auth/logout', { headers: { authorization: `Bearer ${token}` } });
    expect(out.status).toBe(200);
    expect(String(out.res.headers['set-cookie'])).toContain('Max-Age=0');
    const me = await call('GET', '/api/auth/me', { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(401);
    expect(me.json.error.code).toBe('UNAUTHENTICATED');
    await expect(core.tokens.verify(token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('locks the caller address out of the account after repeated failures (423) and an operator can unlock it', async () => {
    for (let i = 0; i < 3; i++) {
      const bad = await call('POST', '/api/auth/login', { body: { username: 'xa.labang', password: 'wrong-password' } });
      expect(bad.status).toBe(401);
      expect(bad.json.error.code).toBe('INVALID_CREDENTIALS');
    }
    const locked = await call('POST', '/api/auth/login', { body: { username: 'xa.labang', password: 'lienthong123' } });
    expect(locked.status).toBe(423);
    expect(locked.json.error.code).toBe('LOGIN_LOCKED');
    const user = core.accounts.list({ sub: 'x', siteId: siteId('TN'), roles: ['admin'] }).find((u) => u.username === 'xa.labang')!;
    expect((await call('POST', `/api/users/${user.id}/unlock`, { as: 'daibieu.dt' })).status).toBe(403);
    expect((await call('POST', `/api/users/${user.id}/unlock`, { as: 'kythuat.tinh' })).json.user.lockedUntil).toBeNull();
    // Unlocking also lifts the per-address locks, so the official can log in again from that PC.
    expect((await call('POST', '/api/auth/login', { body: { username: 'xa.labang', password: 'lienthong123' } })).status).toBe(200);
  });

  it('changes the own password only with the current one', async () => {
    await login('xa.hungson');
    expect(
      (await call('POST', '/api/auth/password', { as: 'xa.hungson', body: { currentPassword: 'nope', newPassword: 'mat-khau-moi-1' } }))
        .status,
    ).toBe(401);
    expect(
      (
        await call('POST', '/api/auth/password', {
          as: 'xa.hungson',
          body: { currentPassword: 'lienthong123', newPassword: 'mat-khau-moi-1' },
        })
      ).status,
    ).toBe(200);
    expect((await call('POST', '/api/auth/login', { body: { username: 'xa.hungson', password: 'mat-khau-moi-1' } })).status).toBe(200);
  });
});

describe('bad input changes nothing', () => {
  it('malformed JSON, unknown keys, wrong types and oversized bodies get coded 4xx replies', async () => {
    const before = core.sites.list().length;
    const malformed = await call('POST', '/api/sites', {
      as: 'admin',
      payload: '{"code": "X",',
      headers: { 'content-type': 'application/json' },
    });
    expect(malformed.status).toBe(400);
    expect(malformed.json.error.code).toBe('BAD_REQUEST');
    const extra = await call('POST', '/api/sites', {
      as: 'admin',
      body: { code: 'TN-X', name: 'Xã X', kind: 'xa', parentId: siteId('TN'), admin: true },
    });
    expect(extra.status).toBe(400);
    expect(extra.json.error.code).toBe('VALIDATION_FAILED');
    const wrongType = await call('POST', '/api/sites', {
      as: 'admin',
      body: { code: 'tn x', name: 5, kind: 'xa', parentId: siteId('TN') },
    });
    expect(wrongType.json.error.code).toBe('VALIDATION_FAILED');
    const huge = await call('POST', '/api/sites', {
      as: 'admin',
      body: { code: 'TN-Y', name: 'x'.repeat(70_000), kind: 'xa', parentId: siteId('TN') },
    });
    expect(huge.status).toBe(413);
    expect(huge.json.error.code).toBe('PAYLOAD_TOO_LARGE');
    const badLogin = await call('POST', '/api/auth/login', { body: { username: 'admin' } });
    expect(badLogin.json.error.code).toBe('VALIDATION_FAILED');
    const badQuery = await call('GET', '/api/meetings/upcoming?limit=0', { as: 'admin' });
    expect(badQuery.json.error.code).toBe('VALIDATION_FAILED');
    for (const days of ['0', '32', 'x']) {
      const r = await call('GET', `/api/meetings/upcoming?endedWithinDays=${days}`, { as: 'admin' });
      expect(r.json.error.code, days).toBe('VALIDATION_FAILED');
    }
    expect((await call('GET', '/api/meetings/upcoming?endedWithinDays=7', { as: 'chutri.tinh' })).status).toBe(200);
    expect(core.sites.list().length).toBe(before);
  });

  it('unknown ids are 404 NOT_FOUND on every resource', async () => {
    for (const url of [
      '/api/sites/nope',
      '/api/users/nope',
      '/api/rooms/nope',
      '/api/meetings/nope',
      '/api/meetings/nope/sites',
      '/api/sites/nope/history',
    ]) {
      const r = await call('GET', url, { as: 'admin' });
      expect([url, r.status, r.json.error.code]).toEqual([url, 404, 'NOT_FOUND']);
    }
    expect((await call('PATCH', '/api/sites/nope', { as: 'admin', body: { name: 'x' } })).status).toBe(404);
    expect((await call('POST', '/api/meetings/nope/cancel', { as: 'admin', body: {} })).status).toBe(404);
    expect((await call('DELETE', '/api/rooms/nope', { as: 'admin' })).status).toBe(404);
  });
});

describe('sites', () => {
  it('lists the tree for everyone; admins create, rename, move and delete', async () => {
    const list = await call('GET', '/api/sites', { as: 'xa.cuvan' });
    conforms(SiteList, list.json);
    expect(list.json.sites[0].code).toBe('TN');
    const created = await call('POST', '/api/sites', {
      as: 'admin',
      body: { code: 'TN-DT-THU', name: 'Xã Thử Nghiệm (demo)', kind: 'xa', parentId: siteId('TN-DT') },
    });
    expect(created.status).toBe(201);
    conforms(SiteReply, created.json);
    const id = created.json.site.id;
    expect((await call('PATCH', `/api/sites/${id}`, { as: 'admin', body: { name: 'Xã Thử Nghiệm 2 (demo)' } })).json.site.name).toBe(
      'Xã Thử Nghiệm 2 (demo)',
    );
    const moved = await call('POST', `/api/sites/${id}/move`, { as: 'admin', body: { parentId: siteId('TN-VN') } });
    expect(moved.json.site).toMatchObject({ id, parentId: siteId('TN-VN'), level: 2 });
    expect((await call('GET', `/api/sites/${id}/history`, { as: 'admin' })).json.moves).toHaveLength(1);
    const cycle = await call('POST', `/api/sites/${siteId('TN-DT')}/move`, { as: 'admin', body: { parentId: siteId('TN-DT-CUVAN') } });
    expect(cycle.json.error.code).toBe('SITE_MOVE_CYCLE');
    expect((await call('DELETE', `/api/sites/${siteId('TN-DT')}`, { as: 'admin' })).json.error.code).toBe('SITE_HAS_CHILDREN');
    expect((await call('DELETE', `/api/sites/${id}`, { as: 'admin' })).status).toBe(200);
    expect((await call('GET', `/api/sites/${id}`, { as: 'admin' })).status).toBe(404);
  });

  it('refuses the wrong role and another subtree with 403', async () => {
    const p = await call('POST', '/api/sites', {
      as: 'xa.cuvan',
      body: { code: 'TN-DT-CUVAN-A', name: 'Thôn A', kind: 'khac', parentId: siteId('TN-DT-CUVAN') },
    });
    expect([p.status, p.json.error.code]).toEqual([403, 'FORBIDDEN']);
    // An operator of Đại Từ, created through the API by the provincial technician.
    const op = await call('POST', '/api/users', {
      as: 'kythuat.tinh',
      body: {
        username: 'kythuat.dt',
        displayName: 'Kỹ thuật viên Huyện Đại Từ',
        siteId: siteId('TN-DT'),
        roles: ['operator'],
        password: 'lienthong123',
      },
    });
    expect(op.status).toBe(201);
    await login('kythuat.dt');
    expect((await call('PATCH', `/api/sites/${siteId('TN-DT-CUVAN')}`, { as: 'kythuat.dt', body: { name: 'Xã Cù Vân' } })).status).toBe(
      200,
    );
    expect((await call('PATCH', `/api/sites/${siteId('TN-VN')}`, { as: 'kythuat.dt', body: { name: 'x' } })).status).toBe(403);
    expect((await call('PATCH', `/api/sites/${siteId('TN')}`, { as: 'kythuat.dt', body: { name: 'x' } })).status).toBe(403);
    expect(
      (await call('POST', '/api/sites/import', { as: 'kythuat.dt', body: { format: 'lienthong-sites', version: 1, sites: [] } })).status,
    ).toBe(403);
    expect(core.sites.getByCode('TN-VN')!.name).toBe('Huyện Võ Nhai');
  });

  it('exports CSV and JSON; a CSV import with a bad row reports its line and imports nothing', async () => {
    const csv = await call('GET', '/api/sites/export?format=csv', { as: 'admin' });
    expect(csv.res.headers['content-type']).toContain('text/csv');
    expect(csv.res.body).toContain('Huyện Đại Từ');
    const json = await call('GET', '/api/sites/export', { as: 'admin' });
    expect(json.json.format).toBe('lienthong-sites');
    const before = core.sites.list().length;
    const bad = await call('POST', '/api/sites/import', {
      as: 'admin',
      headers: { 'content-type': 'text/csv' },
      payload: 'code,name,kind,parentCode\nTN-DT-NEW1,Xã Mới 1 (demo),xa,TN-DT\nTN-DT-NEW2,,xa,TN-DT\n',
    });
    expect(bad.status).toBe(422);
    expect(bad.json.error.code).toBe('IMPORT_FAILED');
    expect(bad.json.error.details.problems).toEqual([expect.objectContaining({ line: 3 })]);
    expect(core.sites.list().length).toBe(before);
    expect(core.sites.getByCode('TN-DT-NEW1')).toBeUndefined();
    const good = await call('POST', '/api/sites/import', {
      as: 'admin',
      body: {
        format: 'lienthong-sites',
        version: 1,
        sites: [{ code: 'TN-DT-NEW1', name: 'Xã Mới 1 (demo)', kind: 'xa', parentCode: 'TN-DT' }],
      },
    });
    expect(good.json).toEqual({ ok: true, created: 1, updated: 0, unchanged: 0 });
    const notAFile = await call('POST', '/api/sites/import', { as: 'admin', body: { sites: 'x' } });
    expect(notAFile.json.error.code).toBe('VALIDATION_FAILED');
  });
});

describe('users and rooms', () => {
  it('CRUD by admins and operators within their subtree', async () => {
    const created = await call('POST', '/api/users', {
      as: 'kythuat.tinh',
      body: {
        username: 'xa.phuxuyen',
        displayName: 'Đại biểu Xã Phú Xuyên',
        siteId: siteId('TN-DT-PHUXUYEN'),
        roles: ['participant'],
        password: 'lienthong123',
      },
    });
    expect(created.status).toBe(201);
    conforms(UserReply, created.json);
    const id = created.json.user.id;
    expect((await call('GET', `/api/users/${id}`, { as: 'daibieu.dt' })).status).toBe(403); // participants see only themselves
    const list = await call('GET', `/api/users?siteId=${siteId('TN-DT-PHUXUYEN')}`, { as: 'admin' });
    conforms(UserList, list.json);
    expect(list.json.users.map((u: { username: string }) => u.username)).toEqual(['xa.phuxuyen']);
    expect(
      (await call('PATCH', `/api/users/${id}`, { as: 'kythuat.dt', body: { roles: ['participant', 'chair'] } })).json.user.roles,
    ).toEqual(['participant', 'chair']);
    expect((await call('PATCH', `/api/users/${id}`, { as: 'kythuat.dt', body: { roles: ['admin'] } })).status).toBe(403);
    expect((await call('POST', `/api/users/${id}/password`, { as: 'kythuat.dt', body: { newPassword: 'doi-mat-khau-9' } })).status).toBe(
      200,
    );
    expect((await call('POST', '/api/auth/login', { body: { username: 'xa.phuxuyen', password: 'doi-mat-khau-9' } })).status).toBe(200);
    const dup = await call('POST', '/api/users', {
      as: 'admin',
      body: { username: 'xa.phuxuyen', displayName: 'x', siteId: siteId('TN'), roles: ['participant'], password: 'lienthong123' },
    });
    expect(dup.json.error.code).toBe('USERNAME_TAKEN');
    expect((await call('DELETE', `/api/users/${id}`, { as: 'daibieu.vn' })).status).toBe(401); // logged out earlier
    expect((await call('DELETE', `/api/users/${id}`, { as: 'mang.tinh' })).status).toBe(403);
    expect((await call('DELETE', `/api/users/${id}`, { as: 'kythuat.dt' })).status).toBe(200);
    expect((await call('GET', `/api/users/${id}`, { as: 'admin' })).status).toBe(404);
  });

  it('rooms belong to sites and are managed by that subtree', async () => {
    const r = await call('POST', '/api/rooms', { as: 'kythuat.dt', body: { siteId: siteId('TN-DT-CUVAN'), name: 'Hội trường UBND xã' } });
    expect(r.status).toBe(201);
    conforms(RoomReply, r.json);
    expect((await call('POST', '/api/rooms', { as: 'kythuat.dt', body: { siteId: siteId('TN-VN'), name: 'x' } })).status).toBe(403);
    expect((await call('GET', `/api/rooms?siteId=${siteId('TN-DT-CUVAN')}`, { as: 'xa.cuvan' })).json.rooms).toHaveLength(2);
    expect(
      (await call('PATCH', `/api/rooms/${r.json.room.id}`, { as: 'kythuat.dt', body: { name: 'Hội trường mới' } })).json.room.name,
    ).toBe('Hội trường mới');
    expect((await call('GET', `/api/rooms/${r.json.room.id}`, { as: 'xa.cuvan' })).status).toBe(200);
    expect((await call('DELETE', `/api/rooms/${r.json.room.id}`, { as: 'xa.cuvan' })).status).toBe(403);
    expect((await call('DELETE', `/api/rooms/${r.json.room.id}`, { as: 'kythuat.dt' })).status).toBe(200);
  });
});

describe('meetings', () => {
  it('each site sees its upcoming meetings; the demo meeting is live for Đại Từ communes', async () => {
    const cuvan = await call('GET', '/api/meetings/upcoming', { as: 'xa.cuvan' });
    conforms(MeetingList, cuvan.json);
    expect(cuvan.json.meetings.map((m: { title: string; phase: string }) => [m.title, m.phase])).toEqual([
      ['Hội nghị giao ban trực tuyến toàn tỉnh (demo)', 'live'],
    ]);
    expect((await call('GET', '/api/meetings/upcoming', { as: 'xa.thuongnung' })).json.meetings).toEqual([]);
    const demo = demoMeeting();
    const check = await call('GET', `/api/meetings/${demo.id}/join-check`, { as: 'xa.cuvan' });
    conforms(JoinCheckReply, check.json);
    expect(check.json).toMatchObject({ ok: true, isChairSite: false, site: { code: 'TN-DT-CUVAN' } });
    const refused = await call('GET', `/api/meetings/${demo.id}/join-check`, { as: 'xa.thuongnung' });
    expect([refused.status, refused.json.error.code]).toEqual([403, 'NOT_INVITED']);
    expect((await call('GET', `/api/meetings/${demo.id}`, { as: 'xa.thuongnung' })).status).toBe(403);
    const sites = await call('GET', `/api/meetings/${demo.id}/sites`, { as: 'chutri.tinh' });
    const codes = sites.json.sites.map((s: { code: string }) => s.code);
    expect(codes[0]).toBe('TN');
    expect(codes).toContain('TN-DT-CUVAN');
    expect(codes).toContain('TN-VN');
    expect(codes).not.toContain('TN-VN-THUONGNUNG');
  });

  it('creates, edits, opens early and cancels; refuses a double booking naming the clash', async () => {
    const roomTn = core.rooms.list(siteId('TN'))[0]!;
    const now = Date.now();
    const body = {
      title: 'Họp triển khai chuyển đổi số',
      startsAt: new Date(now + 30 * 60_000).toISOString(),
      endsAt: new Date(now + 90 * 60_000).toISOString(),
      hostSiteId: siteId('TN'),
      roomId: roomTn.id,
      chairUserId: core.accounts.list({ sub: 'x', siteId: siteId('TN'), roles: ['admin'] }).find((u) => u.username === 'chutri.tinh')!.id,
      invites: [{ siteId: siteId('TN-VN'), scope: 'subtree' }],
    };
    const clash = await call('POST', '/api/meetings', { as: 'chutri.tinh', body });
    expect(clash.status).toBe(409);
    expect(clash.json.error.code).toBe('ROOM_DOUBLE_BOOKED');
    expect(clash.json.error.message).toContain('Hội nghị giao ban trực tuyến toàn tỉnh (demo)');
    expect(clash.json.error.details.meetingId).toBe(demoMeeting().id);

    expect((await call('POST', '/api/meetings', { as: 'mang.tinh', body: { ...body, roomId: null } })).status).toBe(403);
    expect((await call('POST', '/api/meetings', { as: 'daibieu.dt', body: { ...body, roomId: null } })).status).toBe(403);
    const created = await call('POST', '/api/meetings', { as: 'chutri.tinh', body: { ...body, roomId: null } });
    expect(created.status).toBe(201);
    conforms(MeetingReply, created.json);
    const id = created.json.meeting.id;
    expect((await call('GET', '/api/meetings/upcoming', { as: 'xa.thuongnung' })).json.meetings.map((m: { id: string }) => m.id)).toEqual([
      id,
    ]);
    expect((await call('GET', `/api/meetings/${id}/join-check`, { as: 'xa.thuongnung' })).json.error.code).toBe('MEETING_NOT_OPEN');
    expect((await call('POST', `/api/meetings/${id}/open-early`, { as: 'xa.thuongnung' })).status).toBe(403);
    const opened = await call('POST', `/api/meetings/${id}/open-early`, { as: 'chutri.tinh' });
    expect(opened.json.meeting.phase).toBe('open_early');
    expect((await call('GET', `/api/meetings/${id}/join-check`, { as: 'xa.thuongnung' })).status).toBe(200);
    const edited = await call('PATCH', `/api/meetings/${id}`, { as: 'chutri.tinh', body: { title: 'Họp triển khai chuyển đổi số (sửa)' } });
    expect(edited.json.meeting.title).toBe('Họp triển khai chuyển đổi số (sửa)');
    expect((await call('PATCH', `/api/meetings/${id}`, { as: 'daibieu.dt', body: { title: 'x' } })).status).toBe(403);
    expect((await call('PATCH', `/api/meetings/${id}`, { as: 'chutri.tinh', body: { title: 'x', hostSiteId: 'y' } })).json.error.code).toBe(
      'VALIDATION_FAILED',
    );
    const listed = await call('GET', `/api/meetings?hostSiteId=${siteId('TN')}`, { as: 'kythuat.tinh' });
    conforms(MeetingList, listed.json);
    expect(listed.json.meetings.map((m: { id: string }) => m.id)).toContain(id);
    const commune = await call('GET', '/api/meetings', { as: 'xa.thuongnung' });
    expect(commune.json.meetings.map((m: { id: string }) => m.id)).toEqual([id]); // invited via the Võ Nhai subtree, nothing else
    expect((await call('GET', '/api/meetings?from=2030-01-01T00:00:00Z&to=2020-01-01T00:00:00Z', { as: 'admin' })).json.error.code).toBe(
      'VALIDATION_FAILED',
    );
    const cancelled = await call('POST', `/api/meetings/${id}/cancel`, { as: 'chutri.tinh', body: { reason: 'Lùi sang tuần sau' } });
    expect(cancelled.json.meeting).toMatchObject({ status: 'cancelled', cancelReason: 'Lùi sang tuần sau' });
    expect((await call('GET', `/api/meetings/${id}/join-check`, { as: 'xa.thuongnung' })).json.error.code).toBe('MEETING_CANCELLED');
  });
});

describe('readiness before a meeting', () => {
  const ok = { camera: true, microphone: true, speaker: true, mediaPath: 'udp', rttMs: 40, lossFraction: 0 };
  const board = async (as = 'chutri.tinh') => call('GET', `/api/meetings/${demoMeeting().id}/readiness`, { as });
  const row = (b: { json: { sites: { siteCode: string }[] } }, code: string) =>
    b.json.sites.find((s) => s.siteCode === code) as Record<string, unknown>;

  it("stores a site's technical check for its own site; refuses a malformed one and stores nothing", async () => {
    for (const bad of [{ ...ok, mediaPath: 'pigeon' }, { ...ok, lossFraction: 2 }, { ...ok, siteId: siteId('TN') }, { camera: true }])
      expect((await call('POST', '/api/readiness/checks', { as: 'xa.cuvan', body: bad })).status).toBe(400);
    expect(row(await board(), 'TN-DT-CUVAN')).toMatchObject({ readiness: 'amber', reasons: ['not_checked'], check: null });
    const saved = await call('POST', '/api/readiness/checks', { as: 'xa.cuvan', body: ok });
    expect(saved.status).toBe(201);
    expect(saved.json.check).toMatchObject({ ...ok, userName: expect.any(String) });
    await call('POST', '/api/readiness/checks', { as: 'daibieu.dt', body: { ...ok, camera: false } });
  });

  it('shows the chair every invited site: checked green, a failed camera red, unchecked amber; not to a participant', async () => {
    const b = await board();
    expect(b.status).toBe(200);
    expect(b.json.networkKnown).toBe(false); // no nms behind this core
    expect(row(b, 'TN-DT-CUVAN')).toMatchObject({ readiness: 'green', reasons: [], check: { mediaPath: 'udp' }, connected: false });
    expect(row(b, 'TN-DT')).toMatchObject({ readiness: 'red', reasons: ['camera_failed'] });
    expect(row(b, 'TN-VN')).toMatchObject({ readiness: 'amber', reasons: ['not_checked'], remindedAt: null });
    expect(b.json.sites.map((s: { siteCode: string }) => s.siteCode)).not.toContain('TN-VN-THUONGNUNG');
    for (const who of ['xa.cuvan', 'daibieu.dt']) expect((await board(who)).status).toBe(403);
    // The same board pushed as server-sent events (`for=0`: this one only, then the stream ends).
    const pushed = await call('GET', `/api/meetings/${demoMeeting().id}/readiness/events?for=0`, { as: 'chutri.tinh' });
    const data = /^retry: \d+\ndata: (.+)\n\n$/.exec(pushed.res.body);
    expect(JSON.parse(data![1]!)).toEqual(b.json);
    expect((await call('GET', `/api/meetings/${demoMeeting().id}/readiness/events?for=0`, { as: 'xa.cuvan' })).status).toBe(403);
    expect((await call('GET', `/api/meetings/${demoMeeting().id}/readiness/events?for=9999`, { as: 'chutri.tinh' })).status).toBe(400);
    const csv = await call('GET', `/api/meetings/${demoMeeting().id}/readiness.csv`, { as: 'chutri.tinh' });
    expect(csv.res.body.startsWith('\uFEFFMã,Điểm cầu,Trạng thái')).toBe(true);
    expect(csv.res.body).toMatch(/TN-DT-CUVAN,Xã Cù Vân,green,,[^,]+,[^,]+,có,có,có,udp,40,0\.0/);
  });

  it('reminds sites that have not checked: it shows on their meetings page until they check; only invited sites', async () => {
    const id = demoMeeting().id;
    const stranger = await call('POST', `/api/meetings/${id}/readiness/remind`, {
      as: 'chutri.tinh',
      body: { siteIds: [siteId('TN-VN'), siteId('TN-VN-THUONGNUNG')] },
    });
    expect([stranger.status, stranger.json.error.code]).toEqual([400, 'BAD_REQUEST']);
    await login('daibieu.vn'); // a fresh session: an earlier test ended this user's
    expect((await call('GET', '/api/readiness/reminders', { as: 'daibieu.vn' })).json.reminders).toEqual([]);
    expect(
      (await call('POST', `/api/meetings/${id}/readiness/remind`, { as: 'daibieu.dt', body: { siteIds: [siteId('TN-VN')] } })).status,
    ).toBe(403);
    const sent = await call('POST', `/api/meetings/${id}/readiness/remind`, { as: 'chutri.tinh', body: { siteIds: [siteId('TN-VN')] } });
    expect(sent.json).toEqual({ ok: true, reminded: 1 });
    const got = await call('GET', '/api/readiness/reminders', { as: 'daibieu.vn' });
    expect(got.json.reminders).toMatchObject([{ meetingId: id, title: demoMeeting().title }]);
    expect(row(await board(), 'TN-VN').remindedAt).toEqual(expect.any(String));
    await new Promise((r) => setTimeout(r, 5));
    await call('POST', '/api/readiness/checks', { as: 'daibieu.vn', body: { ...ok, mediaPath: 'turn-tls' } });
    expect((await call('GET', '/api/readiness/reminders', { as: 'daibieu.vn' })).json.reminders).toEqual([]);
    expect(row(await board(), 'TN-VN')).toMatchObject({ readiness: 'amber', reasons: ['relayed'] });
  });
});

describe('load-test routes', () => {
  it('say whether load tests are on; the usage answers only admins, and only on a server that opted in', async () => {
    expect((await call('GET', '/api/loadtest', { as: 'admin' })).json.enabled).toBe(false);
    const off = await call('GET', '/api/loadtest/usage', { as: 'admin' });
    expect([off.status, off.json.error.code]).toEqual([403, 'LOAD_TEST_DISABLED']);
    const disabledApp = app;
    const scores = { audio: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2], video: [0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1], paused: { audio: 0, video: 3 } };
    const live = { sockets: 2, routers: 1, transports: 4, producers: 4, consumers: 4, listeners: 40, handles: 12 };
    app = await makeApp(core, undefined, {
      enabled: true,
      processes: () => [{ name: 'node', pid: process.pid }],
      consumerScores: () => scores,
      live: () => live,
    });
    try {
      expect((await call('GET', '/api/loadtest', { as: 'admin' })).json.enabled).toBe(true);
      expect((await call('GET', '/api/loadtest/usage', { as: 'chutri.tinh' })).json.error.code).toBe('FORBIDDEN');
      const usage = (await call('GET', '/api/loadtest/usage', { as: 'admin' })).json;
      expect(usage.consumerScores).toEqual(scores);
      expect(usage.live).toEqual(live);
      const [p] = usage.processes;
      expect(p).toMatchObject({ name: 'node', pid: process.pid });
      expect(p.cpuSeconds).toBeGreaterThan(0);
      expect(p.rssBytes).toBeGreaterThan(10_000_000);
    } finally {
      await app.close();
      app = disabledApp;
    }
  });
});

describe('meeting recordings', () => {
  it('lists and serves a meeting recordings to the host only, in ranges, and lets an admin delete one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lt-rec-api-'));
    const service = new RecordingService(
      new RecordingRepository(core.store.db),
      { dir, retentionDays: 30, width: 640, height: 360, fps: 15, videoKbps: 500, videoSlots: 2, audioSlots: 2 },
      createLogger({ service: 'test', level: 'silent' }),
    );
    const id = demoMeeting().id;
    const recId = '3f1d2c4b-0000-4000-8000-000000000001';
    writeFileSync(join(dir, `${recId}.mp4`), Buffer.alloc(1000, 7));
    service.repo.insert({
      id: recId,
      meetingId: id,
      startedAt: Date.parse('2026-12-01T08:00:00Z'),
      endedAt: Date.parse('2026-12-01T08:20:00Z'),
      startedBy: 'u',
      startedByName: 'Chủ trì',
      state: 'done',
      file: `${recId}.mp4`,
      sizeBytes: 1000,
      durationMs: 1_200_000,
      error: null,
    });
    const plain = app;
    app = await makeApp(core, undefined, undefined, { service, retentionDays: 30 });
    try {
      const list = await call('GET', `/api/meetings/${id}/recordings`, { as: 'chutri.tinh' });
      expect(list.json).toMatchObject({ enabled: true, retentionDays: 30, recordings: [{ id: recId, state: 'done', playable: true }] });
      expect((await call('GET', `/api/meetings/${id}/recordings`, { as: 'daibieu.dt' })).status).toBe(403);
      const file = await call('GET', `/api/recordings/${recId}/file?download=true`, { as: 'chutri.tinh' });
      expect(file.res.rawPayload.length).toBe(1000);
      expect(String(file.res.headers['content-disposition'])).toMatch(/^attachment; filename="ghi-hinh-2026-12-01-/);
      const part = await app.inject({
        method: 'GET',
        url: `/api/recordings/${recId}/file`,
        headers: { authorization: `Bearer ${tokens['chutri.tinh']}`, range: 'bytes=990-' },
      });
      expect([part.statusCode, part.headers['content-range'], part.rawPayload.length]).toEqual([206, 'bytes 990-999/1000', 10]);
      expect((await call('GET', `/api/recordings/${recId}/file`, { as: 'xa.cuvan' })).status).toBe(403);
      expect((await call('GET', `/api/recordings/${recId}/file?download=maybe`, { as: 'chutri.tinh' })).status).toBe(400);
      expect((await call('DELETE', `/api/recordings/${recId}`, { as: 'chutri.tinh' })).status).toBe(403);
      expect((await call('DELETE', `/api/recordings/${recId}`, { as: 'admin' })).status).toBe(200);
      const gone = await call('GET', `/api/recordings/${recId}/file`, { as: 'chutri.tinh' });
      expect([gone.status, gone.json.error.code]).toEqual([409, 'RECORDING_NOT_PLAYABLE']);
      expect((await call('GET', `/api/meetings/${id}/recordings`, { as: 'chutri.tinh' })).json.recordings[0].state).toBe('deleted');
      expect((await call('GET', '/api/recordings/not-a-uuid/file', { as: 'chutri.tinh' })).status).toBe(400);
    } finally {
      await app.close();
      app = plain;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('room systems', () => {
  it('lets the managers of a site register its room systems, shows the meeting number to those who see the meeting', async () => {
    const body = { siteId: siteId('TN-DT-CUVAN'), name: 'Codec Cù Vân', sipUser: 'cuvan.codec', address: '10.20.30.40' };
    expect((await call('POST', '/api/room-systems', { as: 'daibieu.dt', body })).status).toBe(403);
    expect((await call('POST', '/api/room-systems', { as: 'admin', body: { ...body, address: '10.20.30.400' } })).status).toBe(400);
    expect((await call('POST', '/api/room-systems', { as: 'admin', body: { ...body, sipUser: 'has space' } })).status).toBe(400);
    const made = await call('POST', '/api/room-systems', { as: 'admin', body });
    expect(made.status).toBe(201);
    expect(made.json.roomSystem).toMatchObject({ sipUser: 'cuvan.codec', address: '10.20.30.40' });
    expect((await call('POST', '/api/room-systems', { as: 'admin', body })).json.error.code).toBe('SIP_USER_TAKEN');
    // The commune sees its own; a site elsewhere does not.
    expect((await call('GET', '/api/room-systems', { as: 'xa.cuvan' })).json.roomSystems.map((r: { id: string }) => r.id)).toContain(
      made.json.roomSystem.id,
    );
    expect((await call('GET', '/api/room-systems', { as: 'xa.thuongnung' })).json.roomSystems).toEqual([]);
    const demo = demoMeeting();
    const dial = await call('GET', `/api/meetings/${demo.id}/dial-in`, { as: 'xa.cuvan' });
    expect(dial.json).toMatchObject({ ok: true, number: expect.stringMatching(/^\d{6}$/), uri: null });
    expect((await call('GET', `/api/meetings/${demo.id}/dial-in`, { as: 'chutri.tinh' })).json.number).toBe(dial.json.number);
    expect((await call('GET', `/api/meetings/${demo.id}/dial-in`, { as: 'xa.thuongnung' })).status).toBe(403);
    // The network engineers' site view: the codec with what the server knows of it (SIP is off here).
    const watch = await call('GET', '/api/room-systems/watch?siteCode=TN-DT-CUVAN', { as: 'mang.tinh' });
    expect(watch.status).toBe(200);
    expect(watch.json.roomSystems).toEqual([
      {
        id: made.json.roomSystem.id,
        name: 'Codec Cù Vân',
        sipUser: 'cuvan.codec',
        address: '10.20.30.40',
        sipPort: null,
        status: null,
        call: null,
      },
    ]);
    expect((await call('GET', '/api/room-systems/watch?siteCode=TN-DT-CUVAN', { as: 'xa.thuongnung' })).status).toBe(403);
    expect((await call('GET', '/api/room-systems/watch?siteCode=TN-NOPE', { as: 'mang.tinh' })).status).toBe(404);
    expect((await call('GET', '/api/room-systems/watch?siteCode=a%20b', { as: 'mang.tinh' })).status).toBe(400);
    expect((await call('GET', '/api/room-systems/watch', { as: 'mang.tinh' })).status).toBe(400);
    expect((await call('DELETE', `/api/room-systems/${made.json.roomSystem.id}`, { as: 'xa.cuvan' })).status).toBe(403);
    expect((await call('DELETE', `/api/room-systems/${made.json.roomSystem.id}`, { as: 'admin' })).status).toBe(200);
  });
});

describe('media servers', () => {
  it('lists the server of each site for everyone; admins add, change and remove servers', async () => {
    const listed = await call('GET', '/api/servers', { as: 'xa.cuvan' });
    expect(listed.json.servers.map((s: { siteId: string }) => s.siteId)).toEqual([siteId('TN')]);
    const body = { name: 'Máy chủ huyện Đại Từ', url: 'https://dai-tu.example.vn', siteId: siteId('TN-DT') };
    expect((await call('POST', '/api/servers', { as: 'kythuat.tinh', body })).status).toBe(403);
    const made = await call('POST', '/api/servers', { as: 'admin', body });
    expect(made.status).toBe(201);
    const id = made.json.server.id;
    expect((await call('PATCH', `/api/servers/${id}`, { as: 'admin', body: { name: 'Máy chủ Đại Từ' } })).json.server.name).toBe(
      'Máy chủ Đại Từ',
    );
    expect((await call('DELETE', `/api/servers/${id}`, { as: 'admin' })).status).toBe(200);
    // No cascade runs in this app: its links' health is this server alone, with no neighbours.
    const health = await call('GET', '/api/servers/health', { as: 'admin' });
    expect([health.status, health.json.neighbours]).toEqual([200, []]);
  });
});

describe('the REST table', () => {
  it('answers every route it lists as its schemas say (this file calls each one)', async () => {
    const demo = demoMeeting();
    await call('GET', '/api/sites/directory');
    await call('GET', '/api/auth/revocations');
    await call('GET', `/api/meetings/${demo.id}`, { as: 'xa.cuvan' });
    await call('GET', `/api/sites/${siteId('TN')}`, { as: 'xa.cuvan' });
    const me = (await call('GET', '/api/auth/me', { as: 'xa.cuvan' })).json;
    await call('GET', `/api/users/${me.user.id}`, { as: 'xa.cuvan' });
    for (const part of ['attendance.csv', 'audit', 'minutes', 'quality'])
      await call('GET', `/api/meetings/${demo.id}/${part}`, { as: 'admin' });
    // A route missing here was not answered with success by any test above (or one of them failed first).
    expect(Object.keys(SfuRoutes).filter((name) => !exercised.has(name))).toEqual([]);
  });
});
