// Administration and scheduling screens in headless Chromium against the real server:
// site import (refused whole with line numbers, then accepted), scheduling with a subtree
// invite, a refused double booking, the invited commune's upcoming list, English labels.
// Needs a fresh web build (npx vite build web).
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser';
import { ADMIN_PASSWORD, loginAdmin, type SfuProcess, startSfuServer } from '../support/sfu-process';

const PASSWORD = 'lienthong123';
const TITLE = 'Hội nghị triển khai chuyển đổi số cấp xã';
const TITLE_2 = 'Họp trùng phòng (phải bị từ chối)';

/** A slot three days ahead, as typed into datetime-local inputs in Vietnam time (UTC+7). */
function slot(hour: number, minute: number): string {
  const d = new Date(Date.now() + 3 * 24 * 3600_000 + 7 * 3600_000);
  return `${d.toISOString().slice(0, 10)}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}

interface SiteJson {
  id: string;
  code: string;
  name: string;
  parentId: string | null;
}
interface MeetingJson {
  id: string;
  title: string;
  startsAt: string;
  endsAt: string;
  invites: { siteId: string; scope: string }[];
}

describe('web administration and scheduling', () => {
  let sfu: SfuProcess;
  let browser: Browser;
  let adminToken: string;

  const rest = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${sfu.url}${path}`, { headers: { authorization: `Bearer ${adminToken}` } });
    return (await res.json()) as T;
  };
  const sites = async () => (await rest<{ sites: SiteJson[] }>('/api/sites')).sites;

  async function signIn(username: string, password: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.on('pageerror', (e) => console.warn(`[${username}] page error: ${e.message}`));
    await page.goto(`${sfu.httpsUrl()}/#/login`);
    await page.locator('input[name="username"]').fill(username);
    await page.locator('input[name="password"]').fill(password);
    await page.getByTestId('login-submit').click();
    await page.waitForFunction(() => location.hash === '#/meetings');
    return page;
  }

  beforeAll(async () => {
    sfu = await startSfuServer();
    browser = await launchChromium({ caFile: sfu.caFile });
    adminToken = await loginAdmin(sfu.url);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await sfu?.stop();
  });

  it('imports a site CSV: one bad row refuses the whole file by line, a good file shows up in the tree', async () => {
    const page = await signIn('admin', ADMIN_PASSWORD);
    await page.getByTestId('nav-sites').click();
    await page.getByTestId('admin-sites').waitFor();
    await expect.poll(() => page.getByTestId('site-row').count()).toBeGreaterThan(5);

    const bad = [
      'code,name,kind,parentCode',
      'TN-THU,Huyện Thử Nghiệm,huyen,TN',
      'TN-THU-XAMOI,Xã Mới Đặt Tên,khong_phai_loai,TN-THU',
    ].join('\n');
    await page.getByTestId('import-file').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
    await page.getByTestId('import-error').waitFor();
    await expect(page.locator('[data-testid="import-problem"][data-line="3"]').count()).resolves.toBe(1);
    await expect(page.getByTestId('import-problem').count()).resolves.toBe(1);
    expect((await sites()).some((s) => s.code.startsWith('TN-THU'))).toBe(false);

    const good = bad.replace('khong_phai_loai', 'xa');
    await page.getByTestId('import-file').setInputFiles({ name: 'good.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
    await expect(page.getByTestId('import-done').textContent()).resolves.toContain('2');
    await page.getByTestId('expand-all').click();
    const row = page.locator('[data-testid="site-row"][data-code="TN-THU-XAMOI"]');
    await expect(row.getByTestId('site-name').textContent()).resolves.toBe('Xã Mới Đặt Tên');
    const after = await sites();
    const district = after.find((s) => s.code === 'TN-THU');
    expect(after.find((s) => s.code === 'TN-THU-XAMOI')?.parentId).toBe(district?.id);
    await page.context().close();
  });

  it('an admin gives Đại Từ its own media server in the page: a taken address is refused in Vietnamese, the subtree shows it, and it survives a reload', async () => {
    const page = await signIn('admin', ADMIN_PASSWORD);
    await page.getByTestId('nav-sites').click();
    await page.getByTestId('media-servers').waitFor();
    const before = await rest<{ servers: { id: string; url: string; siteId: string }[] }>('/api/servers');
    const daiTu = (await sites()).find((s) => s.code === 'TN-DT')!;
    await page.getByTestId('media-server-new').click();
    const form = page.getByTestId('media-server-form');
    await form.locator('input[name="name"]').fill('Máy chủ Đại Từ');
    await form.locator('select[name="siteId"]').selectOption(daiTu.id);
    // The demo's province server holds an address already: taking it again is refused, and nothing is added.
    const taken = before.servers[0]!.url;
    await form.locator('input[name="url"]').fill(taken);
    await page.getByTestId('media-server-save').click();
    await expect.poll(() => page.getByTestId('media-server-error').textContent()).toContain('Địa chỉ máy chủ đã được dùng');
    expect((await rest<{ servers: unknown[] }>('/api/servers')).servers).toHaveLength(before.servers.length);
    await form.locator('input[name="url"]').fill('https://dai-tu.lienthong.test:8443');
    await page.getByTestId('media-server-save').click();
    await page.locator('[data-testid="media-server"][data-url="https://dai-tu.lienthong.test:8443"]').waitFor();
    const after = await rest<{ servers: { id: string; url: string }[]; assignments: { siteId: string; serverId: string }[] }>(
      '/api/servers',
    );
    const added = after.servers.find((x) => x.url === 'https://dai-tu.lienthong.test:8443')!;
    const commune = (await sites()).find((x) => x.parentId === daiTu.id)!;
    expect(after.assignments.find((a) => a.siteId === commune.id)?.serverId).toBe(added.id);
    // Stored: after a reload the district's row still names it.
    await page.reload();
    const row = page.locator(`[data-testid="site-row"][data-code="TN-DT"]`);
    await expect.poll(() => row.getByTestId('site-server').textContent()).toBe('Máy chủ: Máy chủ Đại Từ');
    await page
      .locator('[data-testid="media-server"][data-url="https://dai-tu.lienthong.test:8443"]')
      .getByTestId('media-server-remove')
      .click();
    await expect
      .poll(async () => (await rest<{ servers: { url: string }[] }>('/api/servers')).servers.some((x) => x.url.includes('dai-tu')))
      .toBe(false);
    await page.context().close();
  });

  it('a chair schedules a meeting for the whole Đại Từ subtree; the same room at the same time is refused with the clash named', async () => {
    const page = await signIn('chutri.tinh', PASSWORD);
    await page.getByTestId('schedule-meeting').click();
    const form = page.getByTestId('schedule-form');
    await form.waitFor();
    await expect(page.getByTestId('schedule-submit').textContent()).resolves.toContain('Đặt lịch');
    // Host and room default to the chair's site and its first room.
    await expect.poll(() => form.locator('select[name="roomId"] option').count()).toBeGreaterThan(1);
    await form.locator('input[name="title"]').fill(TITLE);
    await form.locator('input[name="start"]').fill(slot(14, 0));
    await form.locator('input[name="end"]').fill(slot(15, 30));
    const dt = page.locator('[data-testid="invite-row"][data-code="TN-DT"]');
    await dt.getByTestId('invite-check').check();
    await dt.getByTestId('invite-scope').selectOption('subtree');
    // Communes of Đại Từ are now covered: expanding shows them included.
    await dt.getByTestId('invite-toggle').click();
    await expect(page.locator('[data-testid="invite-row"][data-code="TN-DT-CUVAN"] input').isChecked()).resolves.toBe(true);
    await page.getByTestId('schedule-submit').click();
    await page.waitForFunction(() => location.hash === '#/meetings');
    await page.locator('[data-testid="meeting-item"]', { hasText: TITLE }).waitFor();

    const all = (await rest<{ meetings: MeetingJson[] }>(`/api/meetings?to=${new Date(Date.now() + 10 * 86400_000).toISOString()}`))
      .meetings;
    const m = all.find((x) => x.title === TITLE);
    const dtSite = (await sites()).find((s) => s.code === 'TN-DT');
    expect(m?.invites).toEqual([{ siteId: dtSite?.id, scope: 'subtree' }]);
    expect(m?.startsAt).toBe(new Date(`${slot(14, 0)}:00+07:00`).toISOString());

    // Same room, overlapping window.
    await page.getByTestId('schedule-meeting').click();
    await form.waitFor();
    await expect.poll(() => form.locator('select[name="roomId"] option').count()).toBeGreaterThan(1);
    await form.locator('input[name="title"]').fill(TITLE_2);
    await form.locator('input[name="start"]').fill(slot(15, 0));
    await form.locator('input[name="end"]').fill(slot(16, 0));
    await page.getByTestId('schedule-submit').click();
    const err = page.getByTestId('schedule-error');
    await err.waitFor();
    expect(await err.textContent()).toContain(TITLE);
    // What was typed stays.
    expect(await form.locator('input[name="title"]').inputValue()).toBe(TITLE_2);
    expect(page.url()).toContain('#/schedule');

    // English labels.
    await page.getByTestId('locale').selectOption('en');
    await expect(page.getByTestId('schedule-submit').textContent()).resolves.toContain('Schedule');
    await expect(page.getByRole('heading', { name: 'Schedule a meeting' }).count()).resolves.toBe(1);
    await expect(page.getByText('Invited sites').count()).resolves.toBeGreaterThan(0);
    await expect(page.getByTestId('nav-schedule').textContent()).resolves.toBe('Schedule a meeting');
    await page.context().close();
  });

  it('a commune of Đại Từ sees the new meeting in its upcoming list, with host and local time', async () => {
    const page = await signIn('xa.cuvan', PASSWORD);
    const item = page.locator('[data-testid="meeting-item"]', { hasText: TITLE });
    await item.waitFor();
    await expect(item.getByTestId('meeting-host').textContent()).resolves.toBe('Tỉnh Thái Nguyên');
    await expect(item.getByTestId('meeting-window').textContent()).resolves.toContain('14:00 – 15:30');
    await expect(item.getByTestId('meeting-phase').textContent()).resolves.toBe('Sắp diễn ra');
    // Not an admin: no admin links.
    expect(await page.getByTestId('nav-sites').count()).toBe(0);
    await page.context().close();
  });
});
