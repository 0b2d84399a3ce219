import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, waitFor } from '../support/browser';
import { type NmsProcess, startSfuAndNms } from '../support/nms-process';
import { loginAdmin, type SfuProcess } from '../support/sfu-process';

describe('network views in the web app', () => {
  let sfu: SfuProcess;
  let nms: NmsProcess;
  let engineer: string;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ({ sfu, nms, engineer } = await startSfuAndNms());
    browser = await launchChromium({ caFile: sfu.caFile });
    page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    await page.goto(`${sfu.httpsUrl()}/#/login`);
    await page.fill('input[name=username]', 'mang.tinh');
    await page.fill('input[type=password]', 'lienthong123');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid=whoami]');
  });

  afterAll(async () => {
    await browser?.close();
    await nms?.stop();
    await sfu?.stop();
  });

  const siteState = (code: string) => page.getAttribute(`[data-testid=site-node][data-code="${code}"]`, 'data-state');

  it('shows the site tree with health, the cut-off district folded under its cause once', async () => {
    await page.goto(`${sfu.httpsUrl()}/#/network`);
    await page.waitForSelector('[data-testid=site-tree]');
    expect(await page.textContent('[data-testid=network-page]')).toContain('Cây đơn vị');
    // The demo cuts the last district's uplink; the others come up with the first polls.
    await waitFor(
      () => siteState('TN-PB'),
      (s) => s === 'down',
      30_000,
      'Phú Bình down',
    );
    await waitFor(
      () => siteState('TN-DH'),
      (s) => s === 'ok',
      30_000,
      'Định Hóa ok',
    );
    // The core is polled on its own schedule (spread over the interval), maybe after the districts.
    await waitFor(
      () => siteState('TN'),
      (s) => s === 'ok',
      30_000,
      'Thái Nguyên ok',
    );
    expect(await page.locator('[data-testid=site-node]').count()).toBeGreaterThan(50);

    const tree = page.locator('[data-testid=site-tree]');
    // Phú Bình's communes are not listed one by one: one group under the cause.
    expect(await tree.locator('[data-testid=site-node][data-code^="TN-PB-"]').count()).toBe(0);
    const folded = tree.locator('[data-testid=site-folded]');
    expect(await folded.count()).toBe(1);
    expect(Number(await folded.getAttribute('data-count'))).toBeGreaterThan(5);
    expect(await tree.getByText('Mất kết nối do tuyến demo-tn-pb-uplink bị đứt').count()).toBe(1);
    expect(await page.getAttribute('[data-testid=link-counts] [data-state=down]', 'data-count')).toBe('1');
    expect(await page.textContent('[data-testid=root-causes]')).toContain('demo-tn-pb-uplink');
    // nms sends a reason code; the page words it in the reader's language.
    expect(await page.textContent('[data-testid=root-causes]')).toContain('Giao diện mất tín hiệu dù đang bật');
    expect(await page.textContent('[data-testid=net-updated]')).toMatch(/Cập nhật lúc \d\d:\d\d:\d\d/);
  });

  it("names each site's media server, and marks a district's uplink as carrying the cascade once it has its own", async () => {
    await page.goto(`${sfu.httpsUrl()}/#/network`);
    const serverOf = (code: string) => page.locator(`[data-testid=site-node][data-code="${code}"] > .row [data-testid=site-server]`);
    await serverOf('TN').waitFor();
    // The demo's one server, the province's, serves every site (sfu-server's directory says so).
    expect(await serverOf('TN').textContent()).toBe('Máy chủ: Máy chủ Tỉnh Thái Nguyên');
    expect(await serverOf('TN-DT').textContent()).toBe('Máy chủ: Máy chủ Tỉnh Thái Nguyên');
    // An admin gives Đại Từ a server of its own: nms reads it from the directory, the page shows it.
    const admin = await loginAdmin(sfu.url);
    const headers = { authorization: `Bearer ${admin}`, 'content-type': 'application/json' };
    const sites = (await (await fetch(`${sfu.url}/api/sites`, { headers })).json()) as { sites: { id: string; code: string }[] };
    const made = await fetch(`${sfu.url}/api/servers`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        name: 'Máy chủ Đại Từ',
        url: 'https://daitu.example.vn',
        siteId: sites.sites.find((x) => x.code === 'TN-DT')!.id,
      }),
    });
    expect(made.status).toBe(201);
    const serverId = ((await made.json()) as { server: { id: string } }).server.id;
    try {
      await waitFor(
        () => serverOf('TN-DT').textContent(),
        (t) => t === 'Máy chủ: Máy chủ Đại Từ',
        30_000,
        "Đại Từ's own server on the site tree",
      );
      await page.goto(`${sfu.httpsUrl()}/#/network/links`);
      const uplink = page.locator('[data-testid=link-row]', { hasText: 'demo-tn-dt-uplink' });
      await uplink.locator('[data-testid=link-cascade]').waitFor({ timeout: 20_000 });
      expect(await uplink.locator('[data-testid=link-cascade]').textContent()).toBe(
        'Liên kết liên thông máy chủ: Máy chủ Đại Từ ↔ Máy chủ Tỉnh Thái Nguyên',
      );
      // Another district's uplink stays on the province server's side: no cascade on it.
      expect(
        await page.locator('[data-testid=link-row]', { hasText: 'demo-tn-dh-uplink' }).locator('[data-testid=link-cascade]').count(),
      ).toBe(0);
      await showsCascadeHealth(uplink, serverId);
    } finally {
      expect(
        (await fetch(`${sfu.url}/api/servers/${serverId}`, { method: 'DELETE', headers: { authorization: `Bearer ${admin}` } })).status,
      ).toBe(200);
    }
  });

  /**
   * The cascade's own health beside its label: none until the province server reports its neighbours,
   * then up with the round trip, then down since when (on the row and on the link's page). The report is
   * posted here as sfu-server posts it (a network engineer's token in place of the service token; the
   * demo server runs no cascade to report).
   */
  async function showsCascadeHealth(uplink: ReturnType<Page['locator']>, districtServer: string): Promise<void> {
    const health = uplink.locator('[data-testid=link-cascade-health]');
    expect(await health.textContent()).toBe('Liên thông: chưa có số liệu');
    const servers = (await (await fetch(`${sfu.url}/api/servers`, { headers: { authorization: `Bearer ${engineer}` } })).json()) as {
      servers: { id: string }[];
    };
    const province = servers.servers.find((s) => s.id !== districtServer)!.id;
    const report = async (neighbour: Record<string, unknown>) => {
      const res = await fetch(`${nms.url}/api/nms/cascade/health`, {
        method: 'POST',
        headers: { authorization: `Bearer ${engineer}`, 'content-type': 'application/json' },
        body: JSON.stringify({ server: province, neighbours: [{ peer: districtServer, missed: 0, ...neighbour }] }),
      });
      expect(res.status).toBe(200);
    };
    await report({ state: 'up', since: new Date().toISOString(), rttMs: 12 });
    await waitFor(
      () => health.textContent(),
      (t) => t === 'Liên thông: hoạt động, 12 ms',
      20_000,
      'cascade up on the row',
    );
    expect(await health.getAttribute('data-state')).toBe('up');
    const since = new Date(Date.now() - 5 * 60_000);
    await report({ state: 'down', since: since.toISOString(), rttMs: null, missed: 150 });
    const hhmm = since.toLocaleString('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', hour: '2-digit', minute: '2-digit', hour12: false });
    await waitFor(
      () => health.textContent(),
      (t) => t === `Liên thông: mất kết nối từ ${hhmm}`,
      20_000,
      'cascade down on the row',
    );
    await uplink.locator('[data-testid=link-open]').click();
    const detail = page.locator('[data-testid=link-cascade-health]');
    await waitFor(
      () => detail.getAttribute('data-state'),
      (s) => s === 'down',
      20_000,
      'cascade down on the link page',
    );
    expect((await detail.textContent())?.trim()).toBe(`Liên thông: mất kết nối từ ${hhmm}`);
  }

  it('opens a link and draws its traffic over time in a uPlot chart', async () => {
    await page.goto(`${sfu.httpsUrl()}/#/network/links`);
    const row = page.locator('[data-testid=link-row][data-state=up]').first();
    await row.waitFor();
    await row.locator('[data-testid=link-open]').click();
    await page.waitForSelector('[data-testid=link-title]');
    expect(page.url()).toMatch(/#\/network\/links\/[0-9a-f-]+$/);
    // Rates need two polls (15 s apart in the demo); the page refreshes by itself.
    const chart = '[data-testid=chart-throughput]';
    await waitFor(
      async () => Number(await page.getAttribute(chart, 'data-points')),
      (n) => n >= 2,
      45_000,
      'throughput points',
    );
    // The series' own colour (#1f77b4) is on the canvas: data drawn, not just axes.
    const inked = await waitFor(
      () =>
        page.evaluate((sel) => {
          const canvas = document.querySelector(`${sel} canvas`) as HTMLCanvasElement | null;
          if (!canvas || canvas.width === 0) return 0;
          const px = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
          let n = 0;
          for (let i = 0; i < px.length; i += 4)
            if (Math.abs(px[i]! - 0x1f) < 12 && Math.abs(px[i + 1]! - 0x77) < 12 && Math.abs(px[i + 2]! - 0xb4) < 12) n++;
          return n;
        }, chart),
      (n) => n > 20,
      5000,
      'series pixels on the canvas',
    );
    expect(inked).toBeGreaterThan(20);
    expect(Number(await page.getAttribute('[data-testid=chart-latency]', 'data-points'))).toBeGreaterThan(0);
    expect(await page.textContent(chart)).toContain('Lưu lượng');
  });

  it("the lobby's technical check shows the site's network path to the province", async () => {
    const lobbyOf = async (username: string) => {
      const ctx = await browser.newContext();
      const p = await ctx.newPage();
      await p.goto(`${sfu.httpsUrl()}/#/login`);
      await p.fill('input[name=username]', username);
      await p.fill('input[type=password]', 'lienthong123');
      await p.keyboard.press('Enter');
      await p.waitForSelector('[data-testid=whoami]');
      await p.goto(`${sfu.httpsUrl()}/#/lobby/technical-check`);
      await p.waitForSelector('[data-testid=path-check][data-phase=ready]', { timeout: 15_000 });
      return { p, ctx };
    };
    // Phú Bình's uplink is cut in the demo: its delegate sees it before joining.
    const pb = await lobbyOf('daibieu.pb');
    expect(await pb.p.getAttribute('[data-testid=path-check]', 'data-state')).toBe('down');
    expect(await pb.p.textContent('[data-testid=path-verdict]')).toBe('Đơn vị đang mất kết nối mạng.');
    expect(await pb.p.getAttribute('[data-testid=path-hop]', 'data-state')).toBe('down');
    expect(await pb.p.textContent('[data-testid=path-hop]')).toContain('demo-tn-pb-uplink');
    await pb.ctx.close();
    // Đại Từ: its uplink to the province is up.
    const dt = await lobbyOf('daibieu.dt');
    await waitFor(
      () => dt.p.getAttribute('[data-testid=path-check]', 'data-state'),
      (s) => s === 'ok',
      30_000,
      'Đại Từ path ok',
    );
    expect(await dt.p.getAttribute('[data-testid=path-hop]', 'data-state')).toBe('up');
    expect(await dt.p.textContent('[data-testid=path-hop]')).toContain('demo-tn-dt-uplink');
    expect(await dt.p.textContent('[data-testid=path-verdict]')).toContain('Đường truyền bình thường');
    await dt.ctx.close();
  });

  it('words events in Vietnamese from their kind and details', async () => {
    await page.goto(`${sfu.httpsUrl()}/#/network/events`);
    const row = page.locator('[data-testid=event-row][data-kind=link_state]', { hasText: 'demo-tn-pb-uplink' }).first();
    await row.waitFor({ timeout: 20_000 });
    const text = (await row.locator('[data-testid=event-text]').textContent()) ?? '';
    expect(text).toContain('→ Đứt');
    expect(text).toContain('Giao diện mất tín hiệu dù đang bật');
    // nms's own English words stay at hand as the cell's title.
    expect(await row.locator('[data-testid=event-text]').getAttribute('title')).toMatch(/^link demo-tn-pb-uplink: \S+ -> down/);
    await page.goBack(); // the next test reads the link page
    await page.waitForSelector('[data-testid=link-title]');
  });

  it('shows English labels when the locale is en', async () => {
    await page.selectOption('[data-testid=locale]', 'en');
    await page.waitForFunction(() => document.body.textContent?.includes('Throughput (bit/s'));
    await page.goto(`${sfu.httpsUrl()}/#/network`);
    await page.waitForSelector('[data-testid=site-folded]');
    const text = (await page.textContent('[data-testid=network-page]')) ?? '';
    expect(text).toContain('Links by state');
    expect(text).toContain('Site tree');
    expect(text).toContain('Unreachable because link demo-tn-pb-uplink is down');
    expect(text).toContain('Oper down while admin up');
    expect(text).toContain('Server: Máy chủ Tỉnh Thái Nguyên');
    expect(text).not.toContain('Cây đơn vị');
    await page.goto(`${sfu.httpsUrl()}/#/network/devices`);
    await page.waitForSelector('[data-testid=device-row]');
    expect(await page.textContent('[data-testid=network-page]')).toContain('Last poll');
  });

  it("shows a newly firing critical alert from Alertmanager's webhook without a reload, and drops it when resolved", async () => {
    await page.goto(`${sfu.httpsUrl()}/#/network`);
    await page.waitForSelector('[data-testid=site-tree]');
    expect(await page.locator('[data-testid=alert-banner]').count()).toBe(0);
    const alert = (status: 'firing' | 'resolved') => ({
      status,
      labels: { alertname: 'NmsLinkDown', site: 'TN-PB', link: 'demo-tn-pb-uplink', severity: 'critical' },
      annotations: { summary: 'Link demo-tn-pb-uplink to TN is down while admin up' },
      startsAt: '2026-11-30T08:00:00Z',
      endsAt: status === 'firing' ? '0001-01-01T00:00:00Z' : new Date().toISOString(),
      generatorURL: 'http://127.0.0.1:9090/graph',
      fingerprint: '5d1c0ffee0ddba11',
    });
    // As Alertmanager on this machine delivers it (monitoring/alertmanager.yml: loopback, no token).
    const deliver = async (status: 'firing' | 'resolved') => {
      const res = await fetch(`${nms.url}/api/nms/alerts/alertmanager`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          version: '4',
          groupKey: '{}:{alertname="NmsLinkDown"}',
          truncatedAlerts: 0,
          status,
          receiver: 'network-engineers',
          groupLabels: { alertname: 'NmsLinkDown' },
          commonLabels: {},
          commonAnnotations: {},
          externalURL: 'http://127.0.0.1:9093',
          alerts: [alert(status)],
        }),
      });
      expect(res.status).toBe(200);
    };
    await deliver('firing');
    const item = page.locator('[data-testid=alert-item][data-severity=critical]');
    await item.waitFor({ timeout: 15_000 });
    expect(await item.textContent()).toContain('Alert: link down (demo-tn-pb-uplink)');
    await deliver('resolved');
    await page.locator('[data-testid=alert-banner]').waitFor({ state: 'detached', timeout: 15_000 });
  });

  it('says clearly when nms cannot be reached', async () => {
    await page.goto(`${sfu.httpsUrl()}/#/network`);
    await page.waitForSelector('[data-testid=site-tree]');
    await nms.stop();
    await page.click('[data-testid=network-page] button:has-text("Refresh")');
    const err = await page.waitForSelector('[data-testid=net-error]');
    expect(await err.getAttribute('data-code')).toBe('NMS_UNAVAILABLE');
    expect(await err.textContent()).toContain('network monitoring service cannot be reached');
    // The last good data stays on screen.
    expect(await page.locator('[data-testid=site-node]').count()).toBeGreaterThan(50);
  });
});
