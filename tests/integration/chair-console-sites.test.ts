// The chair's console with a long site list, in Chromium on a 1366x768 screen: two districts of
// twelve communes each join a meeting through the real signalling (sockets, no media: a site
// without a camera is one of the states counted). The chair counts the sites per state, finds one
// by name typed without diacritics, narrows the list to one state as it changes, and folds a
// district away; the picture and the console stay in one screen.
import type { Browser, Page } from 'playwright-core';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, waitFor } from '../support/browser';
import { waitConnected } from '../support/meeting-ui';
import { login, loginAdmin, type SfuProcess, startSfuServer } from '../support/sfu-process';
import { ask, connect } from '../support/socket';

const PASSWORD = 'lienthong123';
const SITE_PASSWORD = 'mat-khau-xa-thu-1';
const PER_DISTRICT = 12;
const DISTRICTS = [
  { code: 'QT-H1', name: 'Huyện Thử Một', commune: 'Xã Hà Châu' },
  { code: 'QT-H2', name: 'Huyện Thử Hai', commune: 'Xã Phúc Thuận' },
] as const;

async function api<T>(url: string, token: string, method: string, path: string, body?: unknown): Promise<T> {
  const r = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = (await r.json()) as T;
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(data)}`);
  return data;
}

describe("the chair's console with two districts of communes", () => {
  let sfu: SfuProcess;
  let browser: Browser;
  let chair: Page;
  const sockets = new Map<string, Socket>(); // by commune code
  const codes: string[] = [];

  const shown = async () => Number(await chair.getByTestId('sites-shown').getAttribute('data-shown'));
  const rowCodes = () =>
    chair.locator('[data-testid="console-site"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-code') ?? ''));
  const count = async (state: string) =>
    Number(await chair.locator(`[data-testid="state-count"][data-state="${state}"]`).getAttribute('data-count'));

  beforeAll(async () => {
    sfu = await startSfuServer();
    const admin = await loginAdmin(sfu.url);
    const { users } = await api<{ users: { id: string; username: string; siteId: string }[] }>(sfu.url, admin, 'GET', '/api/users');
    const chairUser = users.find((u) => u.username === 'chutri.tinh')!;
    const invites: { siteId: string; scope: 'site' | 'subtree' }[] = [{ siteId: chairUser.siteId, scope: 'site' }];
    const accounts: { code: string; username: string }[] = [];
    for (const d of DISTRICTS) {
      const district = await api<{ site: { id: string } }>(sfu.url, admin, 'POST', '/api/sites', {
        code: d.code,
        name: d.name,
        kind: 'huyen',
        parentId: chairUser.siteId,
      });
      invites.push({ siteId: district.site.id, scope: 'subtree' });
      for (let i = 1; i <= PER_DISTRICT; i++) {
        const code = `${d.code}-X${String(i).padStart(2, '0')}`;
        const site = await api<{ site: { id: string } }>(sfu.url, admin, 'POST', '/api/sites', {
          code,
          name: `${d.commune} ${i}`,
          kind: 'xa',
          parentId: district.site.id,
        });
        const username = `thu.${code.toLowerCase().replaceAll('-', '.')}`;
        await api(sfu.url, admin, 'POST', '/api/users', {
          username,
          displayName: `Đại biểu ${d.commune} ${i}`,
          siteId: site.site.id,
          roles: ['participant'],
          password: SITE_PASSWORD,
        });
        accounts.push({ code, username });
        codes.push(code);
      }
    }
    const chairToken = await login(sfu.url, 'chutri.tinh', PASSWORD);
    const now = Date.now();
    const meeting = await api<{ meeting: { id: string } }>(sfu.url, chairToken, 'POST', '/api/meetings', {
      title: 'Họp thử hai huyện',
      startsAt: new Date(now - 60_000).toISOString(),
      endsAt: new Date(now + 3600_000).toISOString(),
      hostSiteId: chairUser.siteId,
      roomId: null,
      chairUserId: chairUser.id,
      invites,
    });
    const meetingId = meeting.meeting.id;
    // The communes join as sites without media.
    for (const a of accounts) {
      const s = await connect(sfu.url, await login(sfu.url, a.username, SITE_PASSWORD));
      sockets.set(a.code, s);
      const caps = (await ask(s, 'router:capabilities', {})).data!.routerRtpCapabilities;
      const j = await ask(s, 'meeting:join', { meetingId, rtpCapabilities: caps });
      expect(j.ok, JSON.stringify(j.error)).toBe(true);
    }
    // The chair, on a 1366x768 laptop, through the UI.
    browser = await launchChromium({ caFile: sfu.caFile });
    chair = await (await browser.newContext({ viewport: { width: 1366, height: 768 } })).newPage();
    await chair.goto(`${sfu.httpsUrl()}/#/login`);
    await chair.locator('input[name="username"]').fill('chutri.tinh');
    await chair.locator('input[name="password"]').fill(PASSWORD);
    await chair.getByTestId('login-submit').click();
    await chair.getByTestId('meeting-item').first().waitFor({ timeout: 20_000 });
    await chair.goto(`${sfu.httpsUrl()}/#/lobby/${meetingId}`);
    await chair.getByTestId('enter-room').click();
    await waitConnected(chair);
    await chair.getByTestId('chair-console').waitFor({ timeout: 15_000 });
    await waitFor(shown, (n) => n === codes.length, 15_000, 'every commune in the console');
  }, 120_000);

  afterAll(async () => {
    for (const s of sockets.values()) s.close();
    await browser?.close();
    await sfu?.stop();
  });

  it('lists every commune under its district with counts per state, in one screen with the picture', async () => {
    expect(await chair.getByTestId('sites-shown').getAttribute('data-total')).toBe(String(codes.length));
    const groups = await chair.getByTestId('console-group').evaluateAll((els) => els.map((e) => e.getAttribute('data-group')));
    expect(groups).toEqual(DISTRICTS.map((d) => d.name));
    expect((await rowCodes()).sort()).toEqual([...codes].sort());
    expect(await count('noCamera')).toBe(codes.length);
    for (const st of ['reconnecting', 'queued', 'muted', 'micOpen', 'poor']) expect(await count(st), st).toBe(0);
    // Nothing of the page scrolls; the console holds the list and scrolls by itself.
    expect(await chair.evaluate(() => document.scrollingElement!.scrollHeight - innerHeight)).toBeLessThanOrEqual(0);
    const list = chair.getByTestId('chair-console');
    expect(await list.evaluate((e) => e.scrollHeight > e.clientHeight)).toBe(true);
    const main = (await chair.getByTestId('main-picture').boundingBox())!;
    const consoleBox = (await list.boundingBox())!;
    expect(main.height).toBeGreaterThan(300);
    expect(consoleBox.y + consoleBox.height).toBeLessThanOrEqual(768);
  });

  it('finds a commune by name typed without diacritics, or every commune of a district by its name', async () => {
    const filter = chair.getByTestId('site-filter');
    await filter.fill('ha chau 7');
    await expect.poll(rowCodes, { timeout: 3000 }).toEqual(['QT-H1-X07']);
    expect(await shown()).toBe(1);
    await filter.fill('PHUC THUAN');
    await expect.poll(shown, { timeout: 3000 }).toBe(PER_DISTRICT);
    expect((await rowCodes()).every((c) => c.startsWith('QT-H2-'))).toBe(true);
    await filter.fill('Huyện Thử Một');
    await expect.poll(shown, { timeout: 3000 }).toBe(PER_DISTRICT);
    expect((await rowCodes()).every((c) => c.startsWith('QT-H1-'))).toBe(true);
    await filter.fill('qt-h2-x1');
    await expect.poll(rowCodes, { timeout: 3000 }).toEqual(['QT-H2-X10', 'QT-H2-X11', 'QT-H2-X12']);
    await filter.fill('xã không có');
    await expect.poll(shown, { timeout: 3000 }).toBe(0);
    await chair.getByTestId('no-site-matches').waitFor({ timeout: 3000 });
    // The counts stay those of the whole meeting while filtered.
    expect(await count('noCamera')).toBe(codes.length);
    await filter.fill('');
    await expect.poll(shown, { timeout: 3000 }).toBe(codes.length);
  });

  it('narrows the list to one state, live, and acts on a site found that way', async () => {
    const asking = ['QT-H1-X03', 'QT-H2-X05', 'QT-H2-X11'];
    for (const c of asking) expect((await ask(sockets.get(c)!, 'floor:request', {})).ok).toBe(true);
    await expect.poll(() => count('queued'), { timeout: 5000 }).toBe(asking.length);
    await chair.locator('[data-testid="state-count"][data-state="queued"]').click();
    await expect.poll(async () => (await rowCodes()).sort(), { timeout: 3000 }).toEqual(asking);
    // Muting one of them from the narrowed list: it shows under "muted" too.
    await chair.locator('[data-testid="console-site"][data-code="QT-H2-X05"]').getByTestId('mute-site').click();
    await expect.poll(() => count('muted'), { timeout: 5000 }).toBe(1);
    await chair.locator('[data-testid="state-count"][data-state="muted"]').click();
    await expect.poll(rowCodes, { timeout: 3000 }).toEqual(['QT-H2-X05']);
    // Two communes drop out (within the reconnect grace): they are counted and listed as disconnected.
    for (const c of ['QT-H1-X09', 'QT-H2-X02']) sockets.get(c)!.disconnect();
    await expect.poll(() => count('reconnecting'), { timeout: 10_000 }).toBe(2);
    await chair.locator('[data-testid="state-count"][data-state="reconnecting"]').click();
    await expect.poll(async () => (await rowCodes()).sort(), { timeout: 3000 }).toEqual(['QT-H1-X09', 'QT-H2-X02']);
    // A state and a name together; then back to every site.
    await chair.getByTestId('site-filter').fill('phuc');
    await expect.poll(rowCodes, { timeout: 3000 }).toEqual(['QT-H2-X02']);
    await chair.getByTestId('site-filter').fill('');
    await chair.getByTestId('state-all').click();
    await expect.poll(shown, { timeout: 3000 }).toBe(codes.length);
  });

  it('folds a district away and opens it again', async () => {
    const group = (name: string) => chair.locator(`[data-testid="console-group"][data-group="${name}"]`);
    const visibleRows = (name: string) =>
      group(name)
        .locator('[data-testid="console-site"]')
        .evaluateAll((els) => els.filter((e) => e.checkVisibility()).length);
    expect(await visibleRows(DISTRICTS[0].name)).toBe(PER_DISTRICT);
    await group(DISTRICTS[0].name).locator('summary').click();
    await expect.poll(() => visibleRows(DISTRICTS[0].name), { timeout: 3000 }).toBe(0);
    expect(await visibleRows(DISTRICTS[1].name)).toBe(PER_DISTRICT);
    await group(DISTRICTS[0].name).locator('summary').click();
    await expect.poll(() => visibleRows(DISTRICTS[0].name), { timeout: 3000 }).toBe(PER_DISTRICT);
  });
});
