// Sessions end within seconds, against the real sfu-server (and nms): a socket that was
// authorised loses its meeting (or the socket) soon after logout, account disable, token
// expiry, cancellation, a withdrawn invitation or the meeting's end; a deleted user's
// token is refused by nms within its revocation poll.
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NmsProcess, startNms } from '../support/nms-process';
import { login, loginAdmin, type SfuProcess, startSfuServer } from '../support/sfu-process';
import { ask, code, connect } from '../support/socket';

const PASSWORD = 'lienthong123';
const TTL_SECONDS = 10; // the config schema's minimum
let sfu: SfuProcess;
let caps: Record<string, unknown>;
let admin: string;
let chairToken: string;
let demoMeetingId: string;
const users: Record<string, { id: string; siteId: string }> = {};
const open: Socket[] = [];

const api = async (token: string, method: string, path: string, body?: unknown) => {
  const res = await fetch(`${sfu.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

/** A logged-in socket inside the meeting. */
async function inMeeting(username: string, meetingId: string, token?: string): Promise<{ s: Socket; token: string }> {
  const t = token ?? (await login(sfu.url, username, PASSWORD));
  const s = await connect(sfu.url, t);
  open.push(s);
  const j = await ask(s, 'meeting:join', { meetingId, rtpCapabilities: caps });
  expect(j.ok, `${username}: ${JSON.stringify(j.error)}`).toBe(true);
  return { s, token: t };
}

/** Resolves with how the socket lost its meeting: `room:closed <reason>` or `disconnect`; and when. */
function ended(s: Socket): Promise<{ how: string; at: number }> {
  return new Promise((done) => {
    s.once('room:closed', ({ reason }: { reason: string }) => done({ how: `room:closed ${reason}`, at: Date.now() }));
    s.once('disconnect', () => done({ how: 'disconnect', at: Date.now() }));
  });
}

const within = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([p, new Promise<T>((_, fail) => setTimeout(() => fail(new Error(`${what}: not within ${ms} ms`)), ms))]);

/** Further requests are refused: the socket is gone or out of the meeting. */
async function refused(s: Socket): Promise<void> {
  await new Promise((r) => setTimeout(r, 300));
  for (const event of ['control:get', 'floor:request']) {
    // A socket the server disconnected cannot ask at all (the client would only buffer it).
    const c = s.connected ? await code(ask(s, event, {})).catch(() => 'DISCONNECTED') : 'DISCONNECTED';
    expect(c, event).not.toBe('OK');
  }
}

async function newMeeting(invites: string[], endsInMs = 3600_000): Promise<string> {
  const now = Date.now();
  const r = await api(chairToken, 'POST', '/api/meetings', {
    title: `Phiên thử ${now}`,
    startsAt: new Date(now - 60_000).toISOString(),
    endsAt: new Date(now + endsInMs).toISOString(),
    hostSiteId: users.chutri!.siteId,
    roomId: null,
    chairUserId: users.chutri!.id,
    invites: invites.map((siteId) => ({ siteId, scope: 'site' })),
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return (r.body.meeting as { id: string }).id;
}

beforeAll(async () => {
  sfu = await startSfuServer();
  admin = await loginAdmin(sfu.url);
  for (const u of (await api(admin, 'GET', '/api/users')).body.users as { id: string; username: string; siteId: string }[])
    users[u.username.replace('.', '_').replace('_tinh', '').replace('daibieu_', '').replace('xa_', '')] = u;
  chairToken = await login(sfu.url, 'chutri.tinh', PASSWORD);
  const list = (await api(chairToken, 'GET', '/api/meetings/upcoming')).body.meetings as { id: string; phase: string }[];
  demoMeetingId = list.find((m) => m.phase === 'live')!.id;
  const probe = await connect(sfu.url, chairToken);
  caps = (await ask(probe, 'router:capabilities', {})).data!.routerRtpCapabilities as Record<string, unknown>;
  probe.close();
});
afterAll(async () => {
  for (const s of open) s.close();
  await sfu?.stop();
});

describe('sessions end within seconds', () => {
  it('logout ends the socket', async () => {
    const { s, token } = await inMeeting('xa.cuvan', demoMeetingId);
    const gone = ended(s);
    expect((await api(token, 'POST', '/api/auth/logout')).status).toBe(200);
    const e = await within(gone, 5000, 'logout');
    expect(e.how).toMatch(/logged_out|disconnect/);
    await refused(s);
  });

  it('disabling the account ends its socket', async () => {
    const { s } = await inMeeting('daibieu.pl', demoMeetingId);
    const gone = ended(s);
    expect((await api(admin, 'PATCH', `/api/users/${users.pl!.id}`, { disabled: true })).status).toBe(200);
    await within(gone, 5000, 'account disabled');
    await refused(s);
  });

  it('cancelling the meeting closes it for everyone in it; joining again is refused', async () => {
    const meetingId = await newMeeting([users.dt!.siteId]);
    const chair = await inMeeting('chutri.tinh', meetingId);
    const dt = await inMeeting('daibieu.dt', meetingId);
    const gone = [ended(chair.s), ended(dt.s)];
    expect((await api(chairToken, 'POST', `/api/meetings/${meetingId}/cancel`, {})).status).toBe(200);
    for (const e of await within(Promise.all(gone), 5000, 'cancelled')) expect(e.how).toBe('room:closed cancelled');
    await refused(chair.s);
    await refused(dt.s);
    expect(await code(ask(dt.s, 'meeting:join', { meetingId, rtpCapabilities: caps }))).toBe('MEETING_CANCELLED');
  });

  it("withdrawing a site's invitation closes the meeting for that site only", async () => {
    const meetingId = await newMeeting([users.dt!.siteId, users.vn!.siteId]);
    const chair = await inMeeting('chutri.tinh', meetingId);
    const dt = await inMeeting('daibieu.dt', meetingId);
    const gone = ended(dt.s);
    let chairClosed = false;
    chair.s.once('room:closed', () => (chairClosed = true));
    const r = await api(chairToken, 'PATCH', `/api/meetings/${meetingId}`, { invites: [{ siteId: users.vn!.siteId, scope: 'site' }] });
    expect(r.status).toBe(200);
    expect((await within(gone, 5000, 'invitation withdrawn')).how).toBe('room:closed uninvited');
    await refused(dt.s);
    expect(await code(ask(dt.s, 'meeting:join', { meetingId, rtpCapabilities: caps }))).toBe('NOT_INVITED');
    expect(chairClosed).toBe(false);
    expect(await code(ask(chair.s, 'control:get', {}))).toBe('OK');
  });

  it('the meeting ends for everyone at its (new) end time', async () => {
    const meetingId = await newMeeting([users.dt!.siteId]);
    const chair = await inMeeting('chutri.tinh', meetingId);
    const dt = await inMeeting('daibieu.dt', meetingId);
    const gone = [ended(chair.s), ended(dt.s)];
    const endsAt = Date.now() + 2000;
    expect((await api(chairToken, 'PATCH', `/api/meetings/${meetingId}`, { endsAt: new Date(endsAt).toISOString() })).status).toBe(200);
    for (const e of await within(Promise.all(gone), 7000, 'meeting ended')) {
      expect(e.how).toBe('room:closed ended');
      expect(e.at).toBeLessThan(endsAt + 5000);
    }
    await refused(chair.s);
    expect(await code(ask(dt.s, 'meeting:join', { meetingId, rtpCapabilities: caps }))).toBe('MEETING_ENDED');
  });

  it("a deleted user's socket ends, and nms refuses the token within its poll interval", async () => {
    const created = await api(admin, 'POST', '/api/users', {
      username: 'tam.tinh',
      displayName: 'Kỹ sư tạm',
      siteId: users.chutri!.siteId,
      roles: ['network_engineer'],
      password: PASSWORD,
    });
    expect(created.status).toBe(201);
    const id = (created.body.user as { id: string }).id;
    const token = await login(sfu.url, 'tam.tinh', PASSWORD);
    const s = await connect(sfu.url, token);
    open.push(s);
    const gone = ended(s);
    let nms: NmsProcess | undefined;
    try {
      nms = await startNms({ publicKeyUrl: `${sfu.url}/api/auth/public-key`, demo: false });
      const sites = () => fetch(`${nms!.url}/api/nms/sites`, { headers: { authorization: `Bearer ${token}` } });
      const deadline = Date.now() + 30_000;
      while ((await sites()).status !== 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect((await sites()).status).toBe(200);
      expect((await api(admin, 'DELETE', `/api/users/${id}`)).status).toBe(200);
      // nms polls the revocations every second in tests: allow three polls.
      const t0 = Date.now();
      while ((await sites()).status === 200 && Date.now() - t0 < 3000) await new Promise((r) => setTimeout(r, 200));
      expect((await sites()).status).toBe(401);
      await within(gone, 5000, 'user deleted');
    } finally {
      await nms?.stop();
    }
  });
});

describe('token expiry', () => {
  it('the token expiring ends the socket', async () => {
    // A server of its own with short sessions, so that the other cases' tokens do not expire.
    const short = await startSfuServer({ sessionTtlSeconds: TTL_SECONDS });
    try {
      const res = await fetch(`${short.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'xa.labang', password: PASSWORD }),
      });
      const issued = (await res.json()) as { token: string; expiresAt: string };
      const expiresAt = Date.parse(issued.expiresAt);
      const upcoming = await fetch(`${short.url}/api/meetings/upcoming`, { headers: { authorization: `Bearer ${issued.token}` } });
      const live = ((await upcoming.json()) as { meetings: { id: string; phase: string }[] }).meetings.find((m) => m.phase === 'live')!;
      const s = await connect(short.url, issued.token);
      open.push(s);
      const gone = ended(s);
      const j = await ask(s, 'meeting:join', { meetingId: live.id, rtpCapabilities: caps });
      expect(j.ok, JSON.stringify(j.error)).toBe(true);
      const e = await within(gone, Math.max(expiresAt - Date.now() + 6000, 1000), 'token expired');
      expect(e.at).toBeGreaterThanOrEqual(expiresAt - 1000);
      expect(e.at).toBeLessThan(expiresAt + 5000);
      await refused(s);
    } finally {
      await short.stop();
    }
  });
});
