// The seeded administrator's initial password is public (config default, README, handover notes).
// Logging in with it must open a session that can do nothing but change it: no REST route, no
// signalling, no nms read API, until the password is changed; then the initial one is dead.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser';
import { type NmsProcess, startNms } from '../support/nms-process';
import { login, type SfuProcess, startSfuServer } from '../support/sfu-process';
import { ask, connect } from '../support/socket';
import { codeOf, http } from './support';

const INITIAL = 'admin-password-1'; // sfu-process's auth.initialAdminPassword
const CHOSEN = 'mat-khau-quan-tri-moi-7';

let sfu: SfuProcess;
let nms: NmsProcess;

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const sfuApi = (token: string, method: string, path: string, body?: object) =>
  http(`${sfu.url}${path}`, { method, headers: bearer(token), ...(body ? { body } : {}) });
const nmsSites = (token: string) => http(`${nms.url}/api/nms/sites`, { headers: bearer(token) });

/** OK, or the code signalling refuses with: at the handshake or on router:capabilities. */
async function signallingCode(token: string): Promise<string> {
  let s: Awaited<ReturnType<typeof connect>>;
  try {
    s = await connect(sfu.url, token);
  } catch (e) {
    return (e as { data?: { code?: string } }).data?.code ?? `refused: ${(e as Error).message}`;
  }
  try {
    const ack = await ask(s, 'router:capabilities', {});
    return ack.ok ? 'OK' : (ack.error?.code ?? 'no code');
  } catch {
    return 'disconnected';
  } finally {
    s.close();
  }
}

const newSite = (parentId: string, code: string) => ({ code, name: `Xã thử ${code} (demo)`, kind: 'xa', parentId });

let districtId: string;

beforeAll(async () => {
  sfu = await startSfuServer();
  nms = await startNms({ publicKeyUrl: `${sfu.url}/api/auth/public-key`, demo: false });
  // A network engineer's token tells when nms has the key (and that nms reads are open to tokens at all).
  const engineer = await login(sfu.url, 'mang.tinh', 'lienthong123');
  const deadline = Date.now() + 30_000;
  while ((await nmsSites(engineer)).status !== 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  expect((await nmsSites(engineer)).status).toBe(200);
  const sites = (await sfuApi(engineer, 'GET', '/api/sites')).json<{ sites: { id: string; code: string }[] }>().sites;
  districtId = sites.find((s) => s.code === 'TN-DT')!.id;
}, 90_000);
afterAll(async () => {
  await nms?.stop();
  await sfu?.stop();
});

describe('the default administrator password', () => {
  it('logs in, but the session can only change the password until it is changed; then the initial one is dead', async () => {
    const first = await http(`${sfu.url}/api/auth/login`, { body: { username: 'admin', password: INITIAL } });
    expect(first.status).toBe(200);
    const firstBody = first.json<{ token: string; mustChangePassword?: boolean }>();
    expect(firstBody.mustChangePassword).toBe(true);
    const restricted = firstBody.token;

    const me = await sfuApi(restricted, 'GET', '/api/auth/me');
    expect(me.status).toBe(200);
    expect(me.json<{ mustChangePassword?: boolean }>().mustChangePassword).toBe(true);

    const users = await sfuApi(restricted, 'GET', '/api/users');
    expect([users.status, codeOf(users)]).toEqual([403, 'PASSWORD_CHANGE_REQUIRED']);
    const site = await sfuApi(restricted, 'POST', '/api/sites', newSite(districtId, 'TN-DT-PWC1'));
    expect([site.status, codeOf(site)]).toEqual([403, 'PASSWORD_CHANGE_REQUIRED']);
    expect(await signallingCode(restricted)).toBe('PASSWORD_CHANGE_REQUIRED');
    const read = await nmsSites(restricted);
    expect([read.status, codeOf(read)]).toEqual([403, 'PASSWORD_CHANGE_REQUIRED']);

    // The new password must not be the initial one again.
    const same = await sfuApi(restricted, 'POST', '/api/auth/password', { currentPassword: INITIAL, newPassword: INITIAL });
    expect(codeOf(same)).toBe('PASSWORD_REUSED');
    const changed = await sfuApi(restricted, 'POST', '/api/auth/password', { currentPassword: INITIAL, newPassword: CHOSEN });
    expect(codeOf(changed)).toBe('OK');
    // The session that changed it goes on with a fresh token (the old one told nms "must change").
    const renewed = changed.json<{ token?: string }>().token!;
    expect((await sfuApi(renewed, 'GET', '/api/users')).status).toBe(200);
    expect((await nmsSites(renewed)).status).toBe(200);

    // The initial password no longer logs in; the token it gave opens nothing.
    expect(codeOf(await http(`${sfu.url}/api/auth/login`, { body: { username: 'admin', password: INITIAL } }))).toBe('INVALID_CREDENTIALS');
    expect((await sfuApi(restricted, 'GET', '/api/users')).status).not.toBe(200);

    const again = await http(`${sfu.url}/api/auth/login`, { body: { username: 'admin', password: CHOSEN } });
    expect(codeOf(again)).toBe('OK');
    expect(again.json<{ mustChangePassword?: boolean }>().mustChangePassword).toBe(false);
    const admin = again.json<{ token: string }>().token;
    expect((await sfuApi(admin, 'GET', '/api/users')).status).toBe(200);
    expect(codeOf(await sfuApi(admin, 'POST', '/api/sites', newSite(districtId, 'TN-DT-PWC2')))).toBe('OK');
    expect(await signallingCode(admin)).toBe('OK');
    expect((await nmsSites(admin)).status).toBe(200);
    // Nothing was created by the refused request.
    const codes = (await sfuApi(admin, 'GET', '/api/sites')).json<{ sites: { code: string }[] }>().sites.map((s) => s.code);
    expect(codes).not.toContain('TN-DT-PWC1');
    expect(codes).toContain('TN-DT-PWC2');
  });

  it('a password an administrator set for someone else is also one-time', async () => {
    const admin = await login(sfu.url, 'admin', CHOSEN);
    const users = (await sfuApi(admin, 'GET', '/api/users')).json<{ users: { id: string; username: string }[] }>().users;
    const target = users.find((u) => u.username === 'daibieu.sc')!;
    const reset = await sfuApi(admin, 'POST', `/api/users/${target.id}/password`, { newPassword: 'dat-lai-boi-admin-3' });
    expect(codeOf(reset)).toBe('OK');
    const first = await http(`${sfu.url}/api/auth/login`, { body: { username: 'daibieu.sc', password: 'dat-lai-boi-admin-3' } });
    const body = first.json<{ token: string; mustChangePassword?: boolean }>();
    expect([codeOf(first), body.mustChangePassword]).toEqual(['OK', true]);
    expect(codeOf(await sfuApi(body.token, 'GET', '/api/meetings/upcoming'))).toBe('PASSWORD_CHANGE_REQUIRED');
    expect(await signallingCode(body.token)).toBe('PASSWORD_CHANGE_REQUIRED');
    const changed = await sfuApi(body.token, 'POST', '/api/auth/password', {
      currentPassword: 'dat-lai-boi-admin-3',
      newPassword: 'mat-khau-cua-toi-4',
    });
    expect(codeOf(changed)).toBe('OK');
    const own = await login(sfu.url, 'daibieu.sc', 'mat-khau-cua-toi-4');
    expect(codeOf(await sfuApi(own, 'GET', '/api/meetings/upcoming'))).toBe('OK');
  });
});

describe('in the browser', () => {
  it('the first login with the initial password asks for a new one, then goes on to the meetings', async () => {
    const fresh = await startSfuServer();
    const browser = await launchChromium({ caFile: fresh.caFile });
    try {
      const page = await (await browser.newContext()).newPage();
      await page.goto(`${fresh.httpsUrl()}/#/login`);
      await page.locator('input[name="username"]').fill('admin');
      await page.locator('input[name="password"]').fill(INITIAL);
      await page.getByTestId('login-submit').click();
      const form = page.getByTestId('password-change');
      await form.waitFor({ timeout: 15_000 });
      // Vietnamese by default; nothing else of the app is reachable yet.
      expect(await form.textContent()).toMatch(/mật khẩu/i);
      await page.locator('input[name="new-password"]').fill(CHOSEN);
      await page.locator('input[name="repeat-password"]').fill(CHOSEN);
      await page.getByTestId('password-change-submit').click();
      await page.waitForFunction(() => location.hash === '#/meetings', undefined, { timeout: 15_000 });
      // The page's session works; the initial password no longer logs in, the chosen one does.
      expect(await page.evaluate(async () => (await fetch('/api/users')).status)).toBe(200);
      expect(codeOf(await http(`${fresh.url}/api/auth/login`, { body: { username: 'admin', password: INITIAL } }))).toBe(
        'INVALID_CREDENTIALS',
      );
      expect(await login(fresh.url, 'admin', CHOSEN)).toMatch(/\./);
    } finally {
      await browser.close();
      await fresh.stop();
    }
  });
});
