// What a browser page on another origin can make the user's browser do to the real sfu-server:
// drive the API with the session cookie (forged Origin, text/plain bodies), open the signalling
// socket, frame the app, or read the session token from storage. Plain clients first, then Chromium.
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { ensureServerCert, machineNames, readKeyPair } from '@lienthong/kit/tls';
import type { Browser, Page } from 'playwright-core';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser';
import { waitConnected } from '../support/meeting-ui';
import { type NmsProcess, startNms } from '../support/nms-process';
import { freePort } from '../support/ports';
import { ADMIN_PASSWORD, loginAdmin, type SfuProcess, startSfuServer } from '../support/sfu-process';
import { codeOf, http } from './support';

let sfu: SfuProcess;
let evil: Server;
let evilOrigin: string;
let evilHtml = '';

beforeAll(async () => {
  sfu = await startSfuServer();
  await loginAdmin(sfu.url); // the initial password is one-time: ADMIN_PASSWORD from here on
  // The attacker's page: same host as the app, another port, HTTPS with a certificate the browser trusts
  // (same-site, so SameSite=Lax cookies go along: only the Origin checks stand in the way).
  const ca = dirname(sfu.caFile);
  const cert = await ensureServerCert({ caDir: ca, dir: join(ca, '..', 'evil-tls'), names: machineNames() });
  evil = createServer(readKeyPair(cert), (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(evilHtml));
  await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r));
  evilOrigin = `https://127.0.0.1:${(evil.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => evil?.close(r));
  await sfu?.stop();
});

async function cookieLogin(username: string, password: string): Promise<{ cookie: string; token: string }> {
  const r = await http(`${sfu.url}/api/auth/login`, { body: { username, password } });
  expect(r.status).toBe(200);
  const set = String(r.headers['set-cookie'] ?? '');
  return { cookie: set.split(';')[0]!, token: r.json<{ token: string }>().token };
}

const siteCodes = async (token: string): Promise<string[]> =>
  (await http(`${sfu.url}/api/sites`, { headers: { authorization: `Bearer ${token}` } }))
    .json<{ sites: { code: string }[] }>()
    .sites.map((s) => s.code);

describe('cross-origin requests with the session cookie (forged Origin)', () => {
  const site = (code: string) => ({ code, name: `Xã thử ${code}`, kind: 'xa', parentId: null as string | null });
  let admin: { cookie: string; token: string };
  let parentId: string;
  beforeAll(async () => {
    admin = await cookieLogin('admin', ADMIN_PASSWORD);
    const sites = (await http(`${sfu.url}/api/sites`, { headers: { cookie: admin.cookie } })).json<{
      sites: { id: string; code: string }[];
    }>().sites;
    parentId = sites.find((s) => s.code === 'TN-DT')!.id;
  });

  it('refuses a POST with the cookie from a page on another port of the same host', async () => {
    const r = await http(`${sfu.url}/api/sites`, {
      body: { ...site('TN-DT-EVIL1'), parentId },
      headers: { cookie: admin.cookie, origin: evilOrigin },
    });
    expect(codeOf(r)).toBe('FORBIDDEN_ORIGIN');
    expect(r.status).toBe(403);
    const byReferer = await http(`${sfu.url}/api/sites`, {
      body: { ...site('TN-DT-EVIL2'), parentId },
      headers: { cookie: admin.cookie, referer: 'https://evil.example/page' },
    });
    expect(codeOf(byReferer)).toBe('FORBIDDEN_ORIGIN');
    const logout = await http(`${sfu.url}/api/auth/logout`, { method: 'POST', headers: { cookie: admin.cookie, origin: 'null' } });
    expect(codeOf(logout)).toBe('FORBIDDEN_ORIGIN');
    expect(await siteCodes(admin.token)).not.toContain('TN-DT-EVIL1');
    expect(await siteCodes(admin.token)).not.toContain('TN-DT-EVIL2');
    // The session survived the forged logout.
    expect((await http(`${sfu.url}/api/auth/me`, { headers: { cookie: admin.cookie } })).status).toBe(200);
  });

  it('still serves the app itself, non-browser clients and reads', async () => {
    const own = await http(`${sfu.url}/api/sites`, {
      body: { ...site('TN-DT-OWN'), parentId },
      headers: { cookie: admin.cookie, origin: sfu.url },
    });
    expect(codeOf(own)).toBe('OK');
    const bearer = await http(`${sfu.url}/api/sites`, {
      body: { ...site('TN-DT-BEARER'), parentId },
      headers: { authorization: `Bearer ${admin.token}` },
    });
    expect(codeOf(bearer)).toBe('OK');
    const read = await http(`${sfu.url}/api/sites`, { headers: { cookie: admin.cookie, origin: evilOrigin } });
    expect(read.status).toBe(200);
  });

  it('refuses a socket.io handshake from a foreign Origin, with the cookie or a token', async () => {
    const user = await cookieLogin('daibieu.dt', 'lienthong123');
    const handshake = (headers: Record<string, string>, auth: Record<string, string> = {}) =>
      new Promise<string>((resolve) => {
        const s = io(sfu.url, { path: '/socket.io', transports: ['websocket'], reconnection: false, extraHeaders: headers, auth });
        s.once('connect', () => {
          s.close();
          resolve('connected');
        });
        s.once('connect_error', (e) => {
          s.close();
          resolve(`refused: ${e.message}`);
        });
      });
    expect(await handshake({ cookie: user.cookie, origin: evilOrigin })).toMatch(/^refused/);
    expect(await handshake({ origin: 'https://evil.example' }, { token: user.token })).toMatch(/^refused/);
    expect(await handshake({ cookie: user.cookie, origin: sfu.url })).toBe('connected');
    expect(await handshake({}, { token: user.token })).toBe('connected');
  });
});

describe('nms, directly on its port and through the /api/nms proxy', () => {
  let withNms: SfuProcess;
  let nms: NmsProcess;
  beforeAll(async () => {
    const nmsHttpsPort = await freePort();
    withNms = await startSfuServer({ nmsUrl: `https://127.0.0.1:${nmsHttpsPort}` });
    nms = await startNms({
      publicKeyUrl: `${withNms.httpsUrl()}/api/auth/public-key`,
      httpsPort: nmsHttpsPort,
      caDir: dirname(withNms.caFile),
      demo: false,
    });
  }, 90_000);
  afterAll(async () => {
    await nms?.stop();
    await withNms?.stop();
  });

  it('refuses a foreign page on the cookie (cookies reach every port of the host); the app origin still passes', async () => {
    const r = await http(`${withNms.url}/api/auth/login`, { body: { username: 'mang.tinh', password: 'lienthong123' } });
    const cookie = String(r.headers['set-cookie']).split(';')[0]!;
    const remove = (base: string, origin: string) =>
      http(`${base}/api/nms/devices/no-such-device`, { method: 'DELETE', headers: { cookie, origin } });
    // The app's own page, through the proxy: reaches nms, which looks for the device (once it has the session key).
    let own = await remove(withNms.url, withNms.url);
    for (let i = 0; i < 75 && codeOf(own) !== 'NOT_FOUND'; i++) {
      await new Promise((done) => setTimeout(done, 200));
      own = await remove(withNms.url, withNms.url);
    }
    expect(codeOf(own)).toBe('NOT_FOUND');
    expect(codeOf(await remove(nms.url, evilOrigin))).toBe('FORBIDDEN_ORIGIN');
    expect(codeOf(await remove(withNms.url, evilOrigin))).toBe('FORBIDDEN_ORIGIN');
  });
});

describe('text/plain bodies (a form posts them cross-site without a preflight)', () => {
  it('refuses text/plain on JSON routes and on the CSV import; text/csv and JSON still work', async () => {
    const admin = await cookieLogin('admin', ADMIN_PASSWORD);
    const csv = 'code,name,kind,parentCode\r\nTN-DT-PLAIN,Xã thử,xa,TN-DT\r\n';
    const plain = await http(`${sfu.url}/api/sites/import`, { body: csv, headers: { cookie: admin.cookie, 'content-type': 'text/plain' } });
    expect(plain.status).toBe(415);
    expect(codeOf(plain)).toBe('UNSUPPORTED_MEDIA_TYPE');
    const logout = await http(`${sfu.url}/api/auth/logout`, {
      body: 'x=y',
      headers: { cookie: admin.cookie, 'content-type': 'text/plain' },
    });
    expect(logout.status).toBe(415);
    const json = await http(`${sfu.url}/api/auth/login`, {
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
      headers: { 'content-type': 'text/plain' },
    });
    expect(json.status).toBe(415);
    const csvOnJson = await http(`${sfu.url}/api/auth/logout`, {
      body: 'a,b',
      headers: { cookie: admin.cookie, 'content-type': 'text/csv' },
    });
    expect(csvOnJson.status).toBe(415);
    expect(await siteCodes(admin.token)).not.toContain('TN-DT-PLAIN');
    expect((await http(`${sfu.url}/api/auth/me`, { headers: { cookie: admin.cookie } })).status).toBe(200);

    const ok = await http(`${sfu.url}/api/sites/import`, {
      body: csv.replace('PLAIN', 'CSV'),
      headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'text/csv; charset=utf-8' },
    });
    expect(codeOf(ok)).toBe('OK');
    expect(await siteCodes(admin.token)).toContain('TN-DT-CSV');
  });
});

describe('in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium({ caFile: sfu.caFile });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  /** Records CSP violations and CSP console errors of a page. */
  async function watchCsp(page: Page): Promise<string[]> {
    const violations: string[] = [];
    await page.exposeFunction('__cspViolation', (v: string) => violations.push(v));
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        (window as unknown as { __cspViolation(v: string): void }).__cspViolation(`${e.violatedDirective} ${e.blockedURI}`);
      });
    });
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    return violations;
  }

  async function uiLogin(page: Page, username: string, password: string): Promise<void> {
    await page.goto(`${sfu.httpsUrl()}/#/login`);
    await page.locator('input[name="username"]').fill(username);
    await page.locator('input[name="password"]').fill(password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('whoami').waitFor({ timeout: 15_000 });
  }

  it('serves the app with CSP, no framing, nosniff and a referrer policy, and the app runs under them', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const violations = await watchCsp(page);
    const res = await page.goto(`${sfu.httpsUrl()}/`);
    const h = res!.headers();
    expect(h['content-security-policy'] ?? '').toContain("default-src 'self'");
    expect(h['content-security-policy'] ?? '').toContain("frame-ancestors 'none'");
    expect(h['x-frame-options']).toBe('DENY');
    expect(h['x-content-type-options']).toBe('nosniff');
    expect(h['referrer-policy']).toBeTruthy();
    await uiLogin(page, 'admin', ADMIN_PASSWORD);
    await page.goto(`${sfu.httpsUrl()}/#/admin/sites`);
    await page.getByTestId('nav-sites').waitFor();
    await page.goto(`${sfu.httpsUrl()}/#/meetings`);
    await page.goto(`${sfu.httpsUrl()}/#/network`);
    await page.goto(`${sfu.httpsUrl()}/#/selftest`);
    await page.waitForTimeout(1500);
    expect(violations).toEqual([]);
    // The policy holds: a script injected into the page (as an XSS would) does not run, and is reported.
    const ran = await page.evaluate(async () => {
      const s = document.createElement('script');
      s.textContent = 'window.__injected = true';
      document.body.append(s);
      await new Promise((r) => setTimeout(r, 200));
      return (window as unknown as { __injected?: boolean }).__injected === true;
    });
    expect(ran).toBe(false);
    await expect.poll(() => violations.length).toBeGreaterThan(0);

    // The attacker's page tries to frame the app.
    evilHtml = `<iframe id="f" src="${sfu.httpsUrl()}/"></iframe>`;
    const attacker = await ctx.newPage();
    await attacker.goto(evilOrigin);
    await attacker.waitForTimeout(1500);
    const framed = attacker.frames().find((f) => f !== attacker.mainFrame());
    const loaded = framed ? await framed.evaluate(() => document.getElementById('app') !== null).catch(() => false) : false;
    expect(loaded).toBe(false);
    await ctx.close();
  });

  it('runs a meeting (camera, microphone, mediasoup, socket.io on the cookie) without a CSP violation or a failed request', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const violations = await watchCsp(page);
    const failed: string[] = [];
    page.on('response', (r) => {
      if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
    });
    await uiLogin(page, 'chutri.tinh', 'lienthong123');
    await page.getByTestId('meeting-item').first().waitFor({ timeout: 20_000 });
    await page.getByTestId('join-meeting').first().click();
    await page.getByTestId('lobby-preview').waitFor({ timeout: 20_000 });
    // This server has no network monitoring: the lobby's path check says so without asking /api/nms.
    await page.locator('[data-testid=path-check][data-phase=unavailable]').waitFor({ timeout: 10_000 });
    await page.getByTestId('enter-room').click();
    await waitConnected(page);
    await page.waitForTimeout(2000);
    expect(violations).toEqual([]);
    expect(failed).toEqual([]);
    await ctx.close();
  }, 60_000);

  it('keeps the session token out of page-readable storage; a page on another port cannot use the cookie', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await uiLogin(page, 'admin', ADMIN_PASSWORD);
    const cookie = (await ctx.cookies(sfu.httpsUrl())).find((c) => c.name === 'lt_session');
    expect(cookie?.httpOnly).toBe(true);
    const token = decodeURIComponent(cookie!.value);
    const readable = await page.evaluate(() => [
      document.cookie,
      ...Object.keys(sessionStorage).map((k) => sessionStorage.getItem(k) ?? ''),
      ...Object.keys(localStorage).map((k) => localStorage.getItem(k) ?? ''),
    ]);
    for (const v of readable) expect(v).not.toContain(token);
    expect(readable.join(' ')).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/); // no JWT at all
    // The app keeps working on the cookie alone, after a reload too.
    await page.reload();
    await page.getByTestId('whoami').waitFor();
    await page.goto(`${sfu.httpsUrl()}/#/admin/sites`);
    await page.getByText('Huyện Đại Từ').first().waitFor({ timeout: 10_000 });

    // The attacker's page, same browser, another port: posts with the user's cookies.
    evilHtml = `<script>
      const csv = 'code,name,kind,parentCode\\r\\nTN-DT-XSITE,Xã giả,xa,TN-DT\\r\\n';
      window.done = Promise.all([
        fetch('${sfu.httpsUrl()}/api/sites/import', { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'content-type': 'text/plain' }, body: csv }),
        fetch('${sfu.httpsUrl()}/api/sites', { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'content-type': 'text/plain' },
          body: JSON.stringify({ code: 'TN-DT-XSITE2', name: 'Xã giả', kind: 'xa', parentId: null }) }),
        fetch('${sfu.httpsUrl()}/api/auth/logout', { method: 'POST', mode: 'no-cors', credentials: 'include' }),
      ]).then(() => 'sent', (e) => String(e));
    </script>`;
    const attacker = await ctx.newPage();
    await attacker.goto(evilOrigin);
    expect(await attacker.evaluate(() => (window as unknown as { done: Promise<string> }).done)).toBe('sent');
    const check = await http(`${sfu.url}/api/sites`, { headers: { authorization: `Bearer ${token}` } });
    expect(check.status).toBe(200); // the forged logout did not end the session
    const codes = check.json<{ sites: { code: string }[] }>().sites.map((s) => s.code);
    expect(codes).not.toContain('TN-DT-XSITE');
    expect(codes).not.toContain('TN-DT-XSITE2');
    await ctx.close();
  });
});
