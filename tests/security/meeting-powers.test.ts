// Chair powers in a live meeting against the real sfu-server: they belong to the meeting's
// chair user and the console operators named for it, never to every account of the chair site.
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login, loginAdmin, type SfuProcess, startSfuServer } from '../support/sfu-process';
import { ask, code, connect } from '../support/socket';

const PASSWORD = 'lienthong123';
let sfu: SfuProcess;
let meetingId: string;
let caps: Record<string, unknown>;
const sock: Record<string, Socket> = {};
const site: Record<string, string> = {};
const ids: Record<string, string> = {};

const api = async (token: string, method: string, path: string, body?: unknown) => {
  const res = await fetch(`${sfu.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { error?: { code: string } } };
};

const join = (who: string) => ask(sock[who]!, 'meeting:join', { meetingId, rtpCapabilities: caps });
const control = async () => {
  const c = (await ask(sock.chair!, 'control:get', {})).data!;
  return JSON.stringify({ ...c, serverNow: 0 });
};

/** Every chair action (and the chair's share of roll call and presentation). */
const chairActions = (): [string, unknown][] => [
  ['chair:giveFloor', { siteId: site.dt }],
  ['chair:takeFloor', {}],
  ['chair:setMode', { mode: 'briefing' }],
  ['chair:mute', { siteId: site.dt, muted: true }],
  ['chair:muteAll', {}],
  ['chair:setSelfUnmute', { allowed: false }],
  ['chair:lock', { locked: true }],
  ['chair:remove', { siteId: site.dt }],
  ['chair:readmit', { siteId: site.dt }],
  ['chair:handOver', { siteId: site.dt }],
  ['chair:setSpeakingLimit', { seconds: 60 }],
  ['chair:setOperators', { userIds: [ids.kythuat] }],
  ['meeting:setMainPolicy', { policy: 'speaker' }],
  ['rollcall:start', {}],
  ['rollcall:mark', { siteId: site.dt, status: 'absent', reason: 'x' }],
  ['rollcall:end', {}],
  ['presentation:stop', {}],
  ['chair:dialOut', { roomSystemId: null }],
  ['chair:hangUpRoom', { roomSystemId: 'x' }],
];

beforeAll(async () => {
  sfu = await startSfuServer();
  const admin = await loginAdmin(sfu.url);
  const users = (await api(admin, 'GET', '/api/users')).body.users as { id: string; username: string; siteId: string }[];
  for (const u of users) ids[u.username.split('.')[0]!] = u.id;
  ids.kythuat = users.find((u) => u.username === 'kythuat.tinh')!.id;
  // A plain participant at the chair's own site: present in the meeting, not its chair.
  const province = users.find((u) => u.username === 'chutri.tinh')!.siteId;
  const created = await api(admin, 'POST', '/api/users', {
    username: 'daibieu.tinh',
    displayName: 'Đại biểu Tỉnh',
    siteId: province,
    roles: ['participant'],
    password: PASSWORD,
  });
  expect(created.status).toBe(201);
  for (const [k, u] of Object.entries({
    chair: 'chutri.tinh',
    dt: 'daibieu.dt',
    tinh: 'daibieu.tinh',
    mang: 'mang.tinh',
    kythuat: 'kythuat.tinh',
  }))
    sock[k] = await connect(sfu.url, await login(sfu.url, u, PASSWORD));
  const chairToken = await login(sfu.url, 'chutri.tinh', PASSWORD);
  const list = (await api(chairToken, 'GET', '/api/meetings/upcoming')).body.meetings as { id: string; phase: string }[];
  meetingId = list.find((m) => m.phase === 'live')!.id;
  caps = (await ask(sock.chair!, 'router:capabilities', {})).data!.routerRtpCapabilities as Record<string, unknown>;
  for (const k of ['chair', 'dt', 'tinh']) {
    const j = await join(k);
    expect(j.ok, `${k}: ${JSON.stringify(j.error)}`).toBe(true);
    const room = j.data!.room as { participants: { peerId: string; siteId: string }[] };
    site[k] = room.participants.find((p) => p.peerId === j.data!.peerId)!.siteId;
  }
  // Something for presentation:stop and rollcall to act on.
  expect(await code(ask(sock.dt!, 'presentation:start', {}))).toBe('OK');
});
afterAll(async () => {
  for (const s of Object.values(sock)) s.close();
  await sfu?.stop();
});

describe('chair powers', () => {
  it('refuses joining as a site to accounts with only network-engineer or operator roles', async () => {
    expect(await code(join('mang'))).toBe('NO_MEETING_ROLE');
    expect(await code(join('kythuat'))).toBe('NO_MEETING_ROLE');
    const who = JSON.parse(await control()) as { media: Record<string, unknown> };
    expect(Object.keys(who.media)).toHaveLength(3);
  });

  it('refuses every chair action from the network engineer and an operator not named for the meeting', async () => {
    const before = await control();
    for (const who of ['mang', 'kythuat']) {
      for (const [event, payload] of chairActions()) expect(await code(ask(sock[who]!, event, payload)), `${who} ${event}`).not.toBe('OK');
    }
    expect(await control()).toBe(before);
  });

  it("refuses every chair action from a participant at the chair's site who is not the chair user", async () => {
    const before = await control();
    for (const [event, payload] of chairActions()) expect(await code(ask(sock.tinh!, event, payload)), event).toBe('NOT_CHAIR');
    expect(await control()).toBe(before);
    const c = JSON.parse(before) as { chair: { userId: string }; operators: unknown[] };
    expect(c.chair.userId).toBe(ids.chutri);
    expect(c.operators).toEqual([]);
  });

  it('validates operators named at scheduling (existing, enabled users who may see the meeting)', async () => {
    const chairToken = await login(sfu.url, 'chutri.tinh', PASSWORD);
    const path = `/api/meetings/${meetingId}`;
    expect((await api(chairToken, 'PATCH', path, { operators: ['no-such-user'] })).body.error?.code).toBe('NOT_FOUND');
    const ok = await api(chairToken, 'PATCH', path, { operators: [ids.kythuat] });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect((ok.body.meeting as { operators: string[] }).operators).toEqual([ids.kythuat]);
  });

  it('lets the chair name a console operator, who may then join and act; the chair can take it back', async () => {
    expect(await code(ask(sock.chair!, 'chair:setOperators', { userIds: ['no-such-user'] }))).toBe('NOT_FOUND');
    expect(await code(ask(sock.chair!, 'chair:setOperators', { userIds: [ids.kythuat] }))).toBe('OK');
    const c = JSON.parse(await control()) as { operators: { userId: string; name: string }[] };
    expect(c.operators.map((o) => o.userId)).toEqual([ids.kythuat]);
    expect(await code(join('kythuat'))).toBe('OK');
    expect(await code(ask(sock.kythuat!, 'chair:setMode', { mode: 'briefing' }))).toBe('OK');
    expect(JSON.parse(await control()).mode).toBe('briefing');
    // Naming operators is the chair's own power.
    expect(await code(ask(sock.kythuat!, 'chair:setOperators', { userIds: [] }))).toBe('NOT_CHAIR');
    expect(await code(ask(sock.chair!, 'chair:setOperators', { userIds: [] }))).toBe('OK');
    expect(await code(ask(sock.kythuat!, 'chair:setMode', { mode: 'discussion' }))).toBe('NOT_CHAIR');
  });
});
