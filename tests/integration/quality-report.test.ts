// The quality report of a meeting: two sites meet in Chromium, one reloads (drops out and comes
// back); the server keeps what it measured of each site's link and those moments, answers them to
// the chair (not to another site), shows them as charts, and still has them after a restart.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, waitFor } from '../support/browser';
import { loginAndJoin, waitConnected } from '../support/meeting-ui';
import { login, type SfuProcess, startSfuServer } from '../support/sfu-process';

const PASSWORD = 'lienthong123';

interface Report {
  title: string;
  sites: {
    siteCode: string;
    worstGrade: string;
    dropouts: number;
    samples: {
      at: number;
      rttMs: number | null;
      recvBps: number;
      sendBps: number;
      lossFraction: number;
      layer?: number | null;
      freezes?: number;
    }[];
    events: { at: number; kind: string }[];
  }[];
}

describe('the quality report of a meeting', () => {
  let sfu: SfuProcess;
  let browser: Browser;
  let chair: Page;
  let district: Page;
  let meetingId: string;

  // Logins are rate limited per address: one token per user for the whole file.
  const tokens = new Map<string, string>();
  const report = async (username = 'chutri.tinh') => {
    if (!tokens.has(username)) tokens.set(username, await login(sfu.url, username, PASSWORD));
    const token = tokens.get(username)!;
    const r = await fetch(`${sfu.url}/api/meetings/${meetingId}/quality`, { headers: { authorization: `Bearer ${token}` } });
    return { status: r.status, body: (await r.json()) as Report & { error?: { code: string } } };
  };
  const site = (r: Report, code: string) => r.sites.find((s) => s.siteCode === code);

  beforeAll(async () => {
    sfu = await startSfuServer({ graceSeconds: 60 });
    browser = await launchChromium({ caFile: sfu.caFile });
    chair = await loginAndJoin(browser, sfu.httpsUrl(), 'chutri.tinh', PASSWORD);
    district = await loginAndJoin(browser, sfu.httpsUrl(), 'daibieu.dt', PASSWORD);
    meetingId = /#\/room\/([^/?]+)/.exec(chair.url())![1]!;
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await sfu?.stop();
  });

  it('keeps samples of each site while they meet, and when one drops out and comes back', async () => {
    // A sample at the first reading and then at most every 10 s per site.
    const first = await waitFor(
      () => report(),
      // The round trip comes with the site's first RTCP report, which a loaded machine may send after a sample or two.
      (r) =>
        r.status === 200 &&
        ['TN', 'TN-DT'].every((c) => (site(r.body, c)?.samples.length ?? 0) >= 2 && site(r.body, c)!.samples.some((x) => x.rttMs !== null)),
      40_000,
      'two samples of each site, one with a round trip',
    );
    for (const code of ['TN', 'TN-DT']) {
      const s = site(first.body, code)!;
      // Real figures of a live link: media both ways, a measured round trip.
      expect(
        s.samples.some((x) => x.recvBps > 50_000 && x.sendBps > 50_000),
        code,
      ).toBe(true);
      expect(
        s.samples.some((x) => x.rttMs !== null && x.rttMs >= 0),
        code,
      ).toBe(true);
      expect(s.events.map((e) => e.kind)).toContain('joined');
      expect(s.dropouts).toBe(0);
    }
    // The video side: the layer each site receives (the server's consumers), and the freezes each
    // browser reports (a count, from 0) in the samples that follow its first report.
    const video = await waitFor(
      () => report(),
      (r) =>
        ['TN', 'TN-DT'].every((c) => {
          const samples = site(r.body, c)?.samples ?? [];
          return samples.some((x) => typeof x.layer === 'number') && samples.some((x) => typeof x.freezes === 'number');
        }),
      30_000,
      'layers and freeze counts in the samples',
    );
    for (const code of ['TN', 'TN-DT']) {
      const samples = site(video.body, code)!.samples;
      expect(
        samples.filter((x) => typeof x.layer === 'number').every((x) => x.layer! >= 0 && x.layer! <= 2),
        code,
      ).toBe(true);
      expect(
        samples.filter((x) => typeof x.freezes === 'number').every((x) => x.freezes! >= 0),
        code,
      ).toBe(true);
    }
    // The district reloads its page: it drops out and comes back within the grace.
    const before = Date.now();
    await district.reload();
    await waitConnected(district);
    const after = await waitFor(
      () => report(),
      (r) => (site(r.body, 'TN-DT')?.events ?? []).some((e) => e.kind === 'reconnected'),
      15_000,
      'the district back in the log',
    );
    const dt = site(after.body, 'TN-DT')!;
    expect(dt.dropouts).toBe(1);
    const lost = dt.events.find((e) => e.kind === 'disconnected')!;
    const back = dt.events.find((e) => e.kind === 'reconnected')!;
    expect(lost.at).toBeGreaterThanOrEqual(before - 1000);
    expect(back.at).toBeGreaterThanOrEqual(lost.at);
    expect(site(after.body, 'TN')!.dropouts).toBe(0);
  });

  it('is for the chair and those who run the meeting, not for another site', async () => {
    expect((await report('xa.cuvan')).status).toBe(403);
    expect((await report('daibieu.dt')).status).toBe(403);
    const anon = await fetch(`${sfu.url}/api/meetings/${meetingId}/quality`);
    expect(anon.status).toBe(401);
    await report();
    const token = tokens.get('chutri.tinh')!;
    const unknown = await fetch(`${sfu.url}/api/meetings/no-such-meeting/quality`, { headers: { authorization: `Bearer ${token}` } });
    expect(unknown.status).toBe(404);
  });

  it('shows each site as charts, in Vietnamese, from the chair console', async () => {
    const [page] = await Promise.all([chair.context().waitForEvent('page'), chair.getByTestId('quality-link').click()]);
    await page.getByTestId('quality-site').first().waitFor({ timeout: 15_000 });
    expect(await page.locator('h2').textContent()).toContain('Báo cáo chất lượng');
    const codes = await page.getByTestId('quality-site').evaluateAll((els) => els.map((e) => e.getAttribute('data-code')));
    expect([...codes].sort()).toEqual(['TN', 'TN-DT']);
    const dt = page.locator('[data-testid="quality-site"][data-code="TN-DT"]');
    expect(await dt.getAttribute('data-dropouts')).toBe('1');
    await dt.locator('summary').click();
    for (const chart of ['quality-chart-latency', 'quality-chart-loss', 'quality-chart-rate', 'quality-chart-video']) {
      const c = dt.getByTestId(chart);
      await c.locator('canvas').waitFor({ timeout: 5000 });
      expect(Number(await c.getAttribute('data-points')), chart).toBeGreaterThanOrEqual(2);
    }
    await page.close();
  });

  it('still has every sample and event after a restart of the server', async () => {
    const before = (await report()).body;
    await sfu.restart();
    const after = (await report()).body;
    for (const code of ['TN', 'TN-DT']) {
      const b = site(before, code)!;
      const a = site(after, code)!;
      expect(a.samples.length).toBeGreaterThanOrEqual(b.samples.length);
      expect(a.samples.slice(0, b.samples.length)).toEqual(b.samples);
      expect(a.events.slice(0, b.events.length)).toEqual(b.events);
    }
  });
});
