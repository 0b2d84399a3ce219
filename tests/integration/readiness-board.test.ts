import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, waitFor } from '../support/browser';
import { type NmsProcess, startSfuAndNms } from '../support/nms-process';
import { login, type SfuProcess } from '../support/sfu-process';

const PASSWORD = 'lienthong123';

describe('readiness board before a meeting', () => {
  let sfu: SfuProcess;
  let nms: NmsProcess;
  let browser: Browser;
  let chair: Page;

  async function signIn(username: string, viewport = { width: 1366, height: 768 }): Promise<Page> {
    const page = await (await browser.newContext({ viewport })).newPage();
    page.on('pageerror', (e) => console.warn(`[${username}] page error: ${e.message}`));
    await page.goto(`${sfu.httpsUrl()}/#/login`);
    await page.locator('input[name="username"]').fill(username);
    await page.locator('input[name="password"]').fill(PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('meeting-item').first().waitFor({ timeout: 20_000 });
    return page;
  }
  const row = (code: string) => chair.locator(`[data-testid=readiness-site][data-code="${code}"]`);

  beforeAll(async () => {
    let engineer: string;
    ({ sfu, nms, engineer } = await startSfuAndNms());
    browser = await launchChromium({ caFile: sfu.caFile });
    // The demo cuts Phú Bình's uplink; nms sees it with its first polls.
    await waitFor(
      async () => {
        const r = await fetch(`${sfu.url}/api/nms/sites/TN-PB`, { headers: { authorization: `Bearer ${engineer}` } });
        return r.ok ? ((await r.json()) as { site: { state: string } }).site.state : `HTTP ${r.status}`;
      },
      (s) => s === 'down',
      60_000,
      `Phú Bình down in nms:\n${nms.output()}`,
    );
    // And Đại Từ's path polled up: the board is read once, when the chair opens it.
    await waitFor(
      async () => {
        const r = await fetch(`${sfu.url}/api/nms/sites/TN-DT`, { headers: { authorization: `Bearer ${engineer}` } });
        return r.ok ? ((await r.json()) as { site: { state: string } }).site.state : `HTTP ${r.status}`;
      },
      (s) => s === 'ok',
      60_000,
      `Đại Từ ok in nms:\n${nms.output()}`,
    );
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await nms?.stop();
    await sfu?.stop();
  });

  it("Đại Từ's technical check in its browser is saved for the site", async () => {
    const dt = await signIn('daibieu.dt');
    await dt.goto(`${sfu.httpsUrl()}/#/selftest`);
    await dt.getByTestId('selftest-start').click();
    await dt.locator('[data-testid=selftest-camera][data-ok=true]').waitFor({ timeout: 30_000 });
    await dt.locator('[data-testid=selftest-mic][data-ok=true]').waitFor({ timeout: 10_000 });
    await dt.getByTestId('selftest-heard').check();
    await dt.getByTestId('selftest-save').click();
    expect(await dt.getByTestId('selftest-saved').textContent({ timeout: 10_000 })).toMatch(/Đã lưu kết quả lúc \d\d:\d\d/);
    await dt.context().close();
  }, 60_000);

  it('shows the chair green for the checked site, red folded under the cut link, and the unchecked sites', async () => {
    chair = await signIn('chutri.tinh');
    await chair.getByTestId('readiness-link').first().click();
    await chair.getByTestId('readiness-page').waitFor();
    await row('TN-DT').waitFor({ timeout: 15_000 });
    expect(await chair.locator('h2').textContent()).toContain('Bảng sẵn sàng');
    expect(await row('TN-DT').getAttribute('data-readiness')).toBe('green');
    expect(await row('TN-DT').textContent()).toMatch(/kiểm tra lúc .* · udp/);
    // nms's view of each site's path, from the demo network.
    expect(await row('TN-DT').getByTestId('readiness-network').getAttribute('data-state')).toBe('ok');
    // Each hop of the path, from the site up: all up for Đại Từ; Phú Bình's uplink down.
    const hops = (code: string) =>
      row(code)
        .getByTestId('readiness-hop')
        .evaluateAll((els) => els.map((e) => [e.textContent, e.getAttribute('data-state')]));
    const dtHops = await hops('TN-DT');
    expect(dtHops.length).toBeGreaterThan(0);
    expect(dtHops.every(([, state]) => state === 'up')).toBe(true);
    expect(await hops('TN-PB')).toContainEqual(['demo-tn-pb-uplink', 'down']);
    // Phú Bình is one fault under its link, not a row among the others.
    const fault = chair.locator('[data-testid=readiness-fault]');
    expect(await fault.count()).toBe(1);
    expect(await fault.textContent()).toContain('Mất kết nối do tuyến demo-tn-pb-uplink');
    expect(await fault.locator('[data-testid=readiness-site]').evaluateAll((els) => els.map((e) => e.getAttribute('data-code')))).toEqual([
      'TN-PB',
    ]);
    expect(await fault.locator('[data-testid=readiness-site][data-code=TN-PB]').getAttribute('data-readiness')).toBe('red');
    expect(await chair.locator('[data-testid=readiness-group] [data-testid=readiness-site][data-code=TN-PB]').count()).toBe(0);
    // Võ Nhai never checked: amber, listed to remind.
    expect(await row('TN-VN').getAttribute('data-readiness')).toBe('amber');
    expect(await row('TN-VN').getByTestId('readiness-reasons').textContent()).toBe('chưa kiểm tra');
    expect(await chair.locator('[data-testid=readiness-unchecked][data-code=TN-VN]').count()).toBe(1);
    expect(await chair.locator('[data-testid=readiness-unchecked][data-code=TN-DT]').count()).toBe(0);
    // Counts per level: the districts have at least Đại Từ green and Phú Bình red.
    const districts = chair.locator('[data-testid=readiness-level][data-depth="1"]');
    expect(Number(await districts.getAttribute('data-green'))).toBeGreaterThanOrEqual(1);
    expect(Number(await districts.getAttribute('data-red'))).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it('a check saved meanwhile turns its row green at once, pushed, without a reload', async () => {
    expect(await row('TN-DT-CUVAN').getAttribute('data-readiness')).toBe('amber');
    const token = await login(sfu.url, 'xa.cuvan', PASSWORD);
    const saved = await fetch(`${sfu.url}/api/readiness/checks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ camera: true, microphone: true, speaker: true, mediaPath: 'ice-tcp', rttMs: 60, lossFraction: 0.001 }),
    });
    expect(saved.status).toBe(201);
    // Pushed when the check is saved (not at the next poll): well within 2 s.
    const t0 = Date.now();
    await chair.locator('[data-testid=readiness-site][data-code="TN-DT-CUVAN"][data-readiness=green]').waitFor({ timeout: 15_000 });
    expect(Date.now() - t0).toBeLessThan(2000);
  }, 30_000);

  it("the chair reminds Võ Nhai; the reminder is on Võ Nhai's meetings page; the export has every site", async () => {
    await chair.locator('[data-testid=readiness-unchecked][data-code=TN-VN]').getByTestId('readiness-remind').click();
    expect(await chair.getByTestId('readiness-notice').textContent()).toBe('Đã gửi nhắc tới 1 điểm cầu');
    await row('TN-VN').getByTestId('readiness-reminded').waitFor({ timeout: 10_000 });
    const vn = await signIn('daibieu.vn');
    const reminder = vn.getByTestId('check-reminder');
    await reminder.waitFor({ timeout: 10_000 });
    expect(await reminder.textContent()).toContain('Được nhắc kiểm tra kỹ thuật trước cuộc họp');
    expect(await reminder.textContent()).toContain('Hội nghị giao ban trực tuyến toàn tỉnh (demo)');
    // A site not reminded sees nothing.
    const pl = await signIn('daibieu.pl');
    expect(await pl.getByTestId('check-reminder').count()).toBe(0);

    const href = await chair.getByTestId('readiness-export').getAttribute('href');
    const token = await login(sfu.url, 'chutri.tinh', PASSWORD);
    const csv = await (await fetch(`${sfu.url}${href}`, { headers: { authorization: `Bearer ${token}` } })).text();
    expect(csv).toMatch(/\nTN-DT,Huyện Đại Từ,green,/);
    expect(csv).toMatch(/\nTN-PB,[^,]+,red,network_cut not_checked,.*,demo-tn-pb-uplink,/);
  }, 60_000);
});
