// A chair-led meeting with four sites in headless Chromium, driven through the UI:
// the province chair, two districts and a commune. Checks that the chair's rules
// are enforced on the media (a site without the floor is not heard), the queue,
// the speaking limit, refusals for non-chairs, presentation, roll call exports,
// and that attendance survives a server restart.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inboundByPeer, launchChromium, mediaFlowingFrom, waitFor } from '../support/browser';
import { loginAndJoin, myPeerId } from '../support/meeting-ui';
import { login, type SfuProcess, startSfuServer } from '../support/sfu-process';

const PASSWORD = 'lienthong123';
type Who = 'chair' | 'dt' | 'pl' | 'cuvan';
const USERS: Record<Who, string> = { chair: 'chutri.tinh', dt: 'daibieu.dt', pl: 'daibieu.pl', cuvan: 'xa.cuvan' };
const CODES: Record<Exclude<Who, 'chair'>, string> = { dt: 'TN-DT', pl: 'TN-PL', cuvan: 'TN-DT-CUVAN' };

/** Audio bytes and energy received from `from` over a window: both stay flat when the server forwards nothing. */
async function audioDelta(page: Page, from: string, windowMs = 1500): Promise<{ bytes: number; energy: number }> {
  const a = (await inboundByPeer(page))[from];
  await new Promise((r) => setTimeout(r, windowMs));
  const b = (await inboundByPeer(page))[from];
  return { bytes: (b?.audioBytes ?? 0) - (a?.audioBytes ?? 0), energy: (b?.audioEnergy ?? 0) - (a?.audioEnergy ?? 0) };
}

describe('a chair-led meeting', () => {
  let sfu: SfuProcess;
  let browser: Browser;
  let meetingId: string;
  const pages = {} as Record<Who, Page>;
  const peer = {} as Record<Who, string>;
  const site = {} as Record<Exclude<Who, 'chair'>, string>;
  const others = (who: Who) => (Object.keys(peer) as Who[]).filter((k) => k !== who);
  const consoleRow = (code: string) => pages.chair.locator(`[data-testid="console-site"][data-code="${code}"]`);
  const floorState = (who: Who) => pages[who].getByTestId('floor-status').getAttribute('data-state');
  const mainPeer = (who: Who) => pages[who].getByTestId('main-picture').getAttribute('data-main-peer');
  const queueOrder = () =>
    pages.chair.locator('[data-testid="queue-item"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-site') ?? ''));
  const sigRequest = (who: Who, event: string, data: unknown) =>
    pages[who].evaluate(
      async ([e, d]) => {
        const sig = (window as unknown as { __lt: { sig: { request(e: string, d: unknown): Promise<unknown> } } }).__lt.sig;
        try {
          await sig.request(e as string, d);
          return 'OK';
        } catch (err) {
          return (err as { code: string }).code;
        }
      },
      [event, data] as const,
    );
  const fetchAs = async (username: string, path: string) => {
    const token = await login(sfu.url, username, PASSWORD);
    return fetch(`${sfu.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  };

  beforeAll(async () => {
    // Floor and main picture are tested here, not thin links (thin-link.test.ts): on a starved machine the
    // loopback links read as thin, and shedding then lowers or pauses the pictures this test counts frames of.
    sfu = await startSfuServer({ workers: 1, adaptation: false });
    browser = await launchChromium({
      caFile: sfu.caFile,
      args: ['--auto-select-desktop-capture-source=Entire screen', '--enable-usermedia-screen-capturing'],
    });
    for (const who of Object.keys(USERS) as Who[]) {
      pages[who] = await loginAndJoin(browser, sfu.httpsUrl(), USERS[who], PASSWORD);
      peer[who] = await myPeerId(pages[who]);
    }
    await pages.chair.getByTestId('chair-console').waitFor({ timeout: 15_000 });
    for (const k of Object.keys(CODES) as (keyof typeof CODES)[]) {
      await consoleRow(CODES[k]).waitFor({ timeout: 15_000 });
      site[k] = (await consoleRow(CODES[k]).getAttribute('data-site')) ?? '';
    }
    meetingId = (await pages.chair.getByTestId('attendance-csv').getAttribute('href'))!.split('/')[3]!;
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await sfu?.stop();
  });

  it("shows the chair another site's picture, not its own camera, on a 1366x768 screen with the console beside it", async () => {
    const shown = (who: Who) => pages[who].getByTestId('main-picture').getAttribute('data-shown-peer');
    // The chair site is the meeting's main picture for everyone else...
    for (const who of others('chair')) {
      await expect.poll(() => mainPeer(who), { timeout: 5000 }).toBe(peer.chair);
      expect(await shown(who)).toBe(peer.chair);
    }
    // ...and the chair sees another site: the one that spoke last, or the first to join.
    expect(await mainPeer('chair')).toBe(peer.chair);
    const seen = await shown('chair');
    expect(others('chair').map((w) => peer[w])).toContain(seen);
    // What the big picture plays is that site's camera, decoded (frames and a real size), not the local one.
    const picture = () =>
      pages.chair
        .getByTestId('main-picture')
        .locator('video')
        .first()
        .evaluate((v: HTMLVideoElement) => {
          const track = (v.srcObject as MediaStream | null)?.getVideoTracks()[0];
          const remote = [
            ...(
              window as never as { __lt: { session: { remote: Map<string, { peerId: string; track: MediaStreamTrack }> } } }
            ).__lt.session.remote.values(),
          ].find((r) => r.track.id === track?.id);
          // Read with what the page says it shows, in the same step: the active speaker may switch it at any time.
          const said = v.closest('[data-testid="main-picture"]')?.getAttribute('data-shown-peer') ?? null;
          return { peerId: remote?.peerId ?? null, said, width: v.videoWidth, frames: v.getVideoPlaybackQuality().totalVideoFrames };
        });
    const first = await waitFor(picture, (p) => p.width > 0 && p.frames > 0, 10_000, "the chair's main picture playing");
    expect(first.peerId).toBe(first.said);
    expect(others('chair').map((w) => peer[w])).toContain(first.peerId);
    await waitFor(picture, (p) => p.frames > first.frames, 15_000, 'more frames in the main picture');

    // A 1366x768 laptop: picture and console in one screen, nothing of the page to scroll.
    await pages.chair.setViewportSize({ width: 1366, height: 768 });
    await expect
      .poll(() => pages.chair.evaluate(() => document.scrollingElement!.scrollHeight - innerHeight), { timeout: 3000 })
      .toBeLessThanOrEqual(0);
    const box = async (testid: string) => (await pages.chair.getByTestId(testid).boundingBox())!;
    const main = await box('main-picture');
    const consoleBox = await box('chair-console');
    expect(main.width).toBeGreaterThan(600);
    expect(main.height).toBeGreaterThan(300);
    expect(consoleBox.x).toBeGreaterThanOrEqual(main.x + main.width); // beside the picture, not below it
    expect(consoleBox.y + consoleBox.height).toBeLessThanOrEqual(768);
    expect(main.y + main.height).toBeLessThanOrEqual(768);
    // The console's own list scrolls to its last row; the picture stays where it was.
    await pages.chair.getByTestId('rollcall-start').scrollIntoViewIfNeeded();
    const last = await box('rollcall-start');
    expect(last.y).toBeGreaterThanOrEqual(0);
    expect(last.y + last.height).toBeLessThanOrEqual(768);
    expect(await box('main-picture')).toEqual(main);
    await pages.chair.setViewportSize({ width: 1280, height: 800 });
  });

  it('in briefing mode a site without the floor is not heard until the chair gives it the floor', async () => {
    // Discussion (the default): everyone hears the district.
    await waitFor(() => mediaFlowingFrom(pages.pl, [peer.dt], { video: false }), Boolean, 20_000, 'pl hearing dt in discussion');

    await pages.chair.getByTestId('mode-select').selectOption('briefing');
    for (const who of ['dt', 'pl', 'cuvan'] as const) await expect.poll(() => floorState(who), { timeout: 3000 }).toBe('closed');
    // Server side: the district's audio producer is paused, every receiver was told so.
    await waitFor(
      () =>
        pages.pl.evaluate(
          (dt) =>
            [
              ...(
                window as never as { __lt: { session: { remote: Map<string, { peerId: string; kind: string; paused: boolean }> } } }
              ).__lt.session.remote.values(),
            ].find((r) => r.peerId === dt && r.kind === 'audio')?.paused,
          peer.dt,
        ),
      (p) => p === true,
      5000,
      "dt's audio paused at the server",
    );
    // Browser side: no audio bytes or energy from the district at any other site; the chair is still heard.
    // Packets already in flight, and what the jitter buffer holds (up to 500 ms on a stream that lost packets).
    await new Promise((r) => setTimeout(r, 1000));
    for (const who of others('dt')) {
      const d = await audioDelta(pages[who], peer.dt);
      expect(d.bytes, `${who} receives no audio from dt`).toBe(0);
      // Then what its jitter buffer still held plays out (longer on a starved machine: 0.0055 of energy seen
      // with no byte arriving) and nothing more is heard. The decoder's concealment may add a trace of energy;
      // real speech adds orders of magnitude more.
      await waitFor(
        () => audioDelta(pages[who], peer.dt),
        (x) => x.bytes === 0 && x.energy < 1e-4,
        8000,
        `${who}: dt's audio played out`,
      );
    }
    expect(await mediaFlowingFrom(pages.dt, [peer.chair], { video: false })).toBe(true);
    // The district's own attempt to open its microphone is refused.
    expect(
      await sigRequest('dt', 'media:resumeProducer', {
        producerId: await pages.dt.evaluate(() =>
          (window as never as { __lt: { session: { producerId(s: string): string } } }).__lt.session.producerId('mic'),
        ),
      }),
    ).toBe('FLOOR_REQUIRED');

    await consoleRow('TN-DT').getByTestId('give-floor').click();
    await expect.poll(() => floorState('dt'), { timeout: 2000 }).toBe('floor');
    for (const who of others('dt')) {
      await waitFor(() => mediaFlowingFrom(pages[who], [peer.dt], { video: false }), Boolean, 10_000, `${who} hearing dt with the floor`);
      await expect.poll(() => mainPeer(who), { timeout: 2000 }).toBe(peer.dt);
      expect((await audioDelta(pages[who], peer.dt)).energy).toBeGreaterThan(1e-3);
    }
    // Still nothing from the sites without the floor.
    expect((await audioDelta(pages.chair, peer.pl)).bytes).toBe(0);

    await pages.chair.getByTestId('take-floor').click();
    await expect.poll(() => floorState('dt'), { timeout: 2000 }).toBe('closed');
    await expect.poll(() => mainPeer('pl'), { timeout: 2000 }).toBe(peer.chair);
  });

  it('keeps speaking requests in request order; a site withdraws; the chair gives the floor from the queue', async () => {
    for (const who of ['pl', 'cuvan', 'dt'] as const) {
      await pages[who].getByTestId('request-floor').click();
      await expect.poll(() => floorState(who), { timeout: 2000 }).toBe('queued');
    }
    await expect.poll(queueOrder, { timeout: 2000 }).toEqual([site.pl, site.cuvan, site.dt]);
    expect(await pages.dt.getByTestId('queue-position').textContent()).toBe('3');
    await pages.dt.getByTestId('withdraw-floor').click();
    await expect.poll(queueOrder, { timeout: 2000 }).toEqual([site.pl, site.cuvan]);
    await pages.chair.getByTestId('queue-give').first().click();
    await expect.poll(() => floorState('pl'), { timeout: 2000 }).toBe('floor');
    await expect.poll(queueOrder, { timeout: 2000 }).toEqual([site.cuvan]);
    await expect.poll(() => pages.cuvan.getByTestId('queue-position').textContent(), { timeout: 2000 }).toBe('1');
    await pages.chair.getByTestId('take-floor').click();
  });

  it('the speaking limit shows a countdown and returns the floor when it runs out', async () => {
    await pages.chair.getByTestId('speaking-limit').fill('10');
    await pages.chair.getByTestId('speaking-limit-apply').click();
    const given = Date.now();
    await pages.chair.getByTestId('queue-give').first().click(); // the commune, still queued
    await expect.poll(() => floorState('cuvan'), { timeout: 2000 }).toBe('floor');
    // What the countdown shows must match the time since the floor was given (a starved CI browser can take seconds
    // to answer), within a second of rounding; and it must go down.
    const countdown = async () => {
      const text = (await pages.cuvan.getByTestId('floor-countdown').textContent()) ?? '';
      const m = /(\d\d):(\d\d)/.exec(text);
      return { left: m ? Number(m[1]) * 60 + Number(m[2]) : Number.NaN, elapsed: (Date.now() - given) / 1000 };
    };
    const first = await countdown();
    expect(first.left).toBeLessThanOrEqual(10);
    expect(first.left).toBeGreaterThanOrEqual(Math.floor(10 - first.elapsed) - 1);
    await expect.poll(async () => (await countdown()).left, { timeout: 3000 }).toBeLessThan(first.left);
    await waitFor(() => mediaFlowingFrom(pages.chair, [peer.cuvan], { video: false }), Boolean, 8000, 'chair hearing the commune');
    await expect.poll(() => floorState('cuvan'), { timeout: 13_000, interval: 250 }).toBe('closed');
    await expect.poll(() => mainPeer('dt'), { timeout: 2000 }).toBe(peer.chair);
    await new Promise((r) => setTimeout(r, 500));
    expect((await audioDelta(pages.chair, peer.cuvan)).bytes).toBe(0);
  });

  it("refuses a non-chair's chair actions with a coded error and changes nothing", async () => {
    const attempts: [string, unknown][] = [
      ['chair:setMode', { mode: 'discussion' }],
      ['chair:giveFloor', { siteId: site.pl }],
      ['chair:mute', { siteId: site.cuvan, muted: true }],
      ['chair:muteAll', {}],
      ['chair:lock', { locked: true }],
      ['chair:remove', { siteId: site.cuvan }],
      ['chair:handOver', { siteId: site.dt }],
      ['chair:setSpeakingLimit', { seconds: null }],
      ['rollcall:start', {}],
    ];
    for (const [event, data] of attempts) expect(await sigRequest('dt', event, data), event).toBe('NOT_CHAIR');
    expect(await pages.chair.getByTestId('mode-select').inputValue()).toBe('briefing');
    expect(await pages.chair.getByTestId('speaking-limit').inputValue()).toBe('10');
    expect(await pages.dt.getByTestId('locked-badge').count()).toBe(0);
    expect(await consoleRow('TN-DT-CUVAN').getAttribute('data-mic')).toBe('closed');
    expect(await floorState('pl')).toBe('closed');
  });

  it('one presentation at a time, shown large to all; the chair stops it', async () => {
    await pages.cuvan.getByTestId('present-toggle').click();
    for (const who of others('cuvan')) {
      await pages[who].locator(`[data-testid="presentation"][data-peer="${peer.cuvan}"]`).waitFor({ timeout: 10_000 });
    }
    await waitFor(
      async () => (await inboundByPeer(pages.dt))[peer.cuvan]?.framesDecoded ?? 0,
      (n) => n > 0,
      10_000,
      'frames from the commune',
    );
    expect(await sigRequest('pl', 'presentation:start', {})).toBe('PRESENTATION_BUSY');
    await pages.chair.getByTestId('stop-presentation').click();
    for (const who of others('cuvan')) await expect.poll(() => pages[who].getByTestId('presentation').count(), { timeout: 3000 }).toBe(0);
    await expect.poll(() => pages.cuvan.getByTestId('present-toggle').textContent(), { timeout: 3000 }).toMatch(/Trình chiếu màn hình/);
  });

  it('roll call results appear in the CSV and the printable minutes, and survive a restart', async () => {
    await pages.chair.getByTestId('rollcall-start').click();
    await pages.dt.getByTestId('headcount-input').fill('12');
    await pages.dt.getByTestId('rollcall-answer').click();
    await pages.pl.getByTestId('headcount-input').fill('7');
    await pages.pl.getByTestId('rollcall-answer').click();
    const row = (code: string) => pages.chair.locator(`[data-testid="rollcall-row"][data-code="${code}"]`);
    await expect.poll(() => row('TN-DT').getAttribute('data-status'), { timeout: 2000 }).toBe('present');
    await expect.poll(() => row('TN-PL').getAttribute('data-status'), { timeout: 2000 }).toBe('present');
    await row('TN-DT-CUVAN').getByTestId('mark-late').click();
    await row('TN-DH').getByTestId('absent-reason').fill('Đi công tác tại Hà Nội');
    await row('TN-DH').getByTestId('mark-absent').click();
    await expect.poll(() => row('TN-DH').getAttribute('data-status'), { timeout: 2000 }).toBe('absent');
    await pages.chair.getByTestId('rollcall-end').click();
    await pages.chair.getByTestId('rollcall-start').waitFor({ timeout: 2000 });

    const check = async () => {
      const res = await fetchAs('chutri.tinh', `/api/meetings/${meetingId}/attendance.csv`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/csv; charset=utf-8/);
      const bytes = new Uint8Array(await res.arrayBuffer());
      expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const lines = new TextDecoder().decode(bytes.slice(3)).trim().split('\r\n');
      expect(lines[0]).toBe('STT,Mã đơn vị,Đơn vị,Trạng thái,Số người,Lý do,Thời gian');
      const byCode = new Map(lines.slice(1).map((l) => [l.split(',')[1], l.split(',')]));
      expect(byCode.get('TN-DT')!.slice(3, 6)).toEqual(['Có mặt', '12', '']);
      expect(byCode.get('TN-PL')!.slice(3, 6)).toEqual(['Có mặt', '7', '']);
      expect(byCode.get('TN-DT-CUVAN')![3]).toBe('Đến muộn');
      expect(byCode.get('TN-DH')!.slice(3, 6)).toEqual(['Vắng', '', 'Đi công tác tại Hà Nội']);
      expect(byCode.get('TN-DT')![6]).toMatch(/^\d\d\/\d\d\/\d{4} \d\d:\d\d:\d\d$/);
      expect(byCode.get('TN-VN')![3]).toBe('Chưa điểm danh');

      const minutes = await fetchAs('chutri.tinh', `/api/meetings/${meetingId}/minutes`);
      expect(minutes.headers.get('content-type')).toMatch(/text\/html; charset=utf-8/);
      const html = await minutes.text();
      expect(html).toContain('Biên bản điểm danh');
      expect(html).toContain('Hội nghị giao ban trực tuyến toàn tỉnh (demo)');
      expect(html).toContain('Đi công tác tại Hà Nội');
      expect(html).toMatch(/Huyện Đại Từ<\/td><td>Có mặt<\/td><td>12</);
      expect(html).toContain('có mặt: 2; đến muộn: 1; vắng: 1');
      // A district that is neither chair nor host may not read the attendance.
      expect((await fetchAs('daibieu.pl', `/api/meetings/${meetingId}/attendance.csv`)).status).toBe(403);
      return lines;
    };
    const before = await check();
    await sfu.restart();
    expect(await check()).toEqual(before);
  });
});
