// Recording a meeting: three sites meet in Chromium, the chair starts recording from the console,
// everyone sees the notice; 20 s later the chair stops. The server (GStreamer fed by mediasoup plain
// RTP, no browser) wrote an MP4 whose video is H.264 of the expected length, not blank, with audio
// that has energy. A second start gives a second file, which goes on while a site leaves and comes
// back. The chair plays it in the page; a site that is not the host gets 403.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchChromium, mediaFlowingFrom, sessionDump, waitFor } from '../support/browser';
import { loginAndJoin, myPeerId } from '../support/meeting-ui';
import { login, type SfuProcess, startSfuServer } from '../support/sfu-process';

const PASSWORD = 'lienthong123';

interface Listed {
  id: string;
  startedAt: string;
  endedAt: string | null;
  state: string;
  durationMs: number | null;
  sizeBytes: number | null;
  playable: boolean;
  startedByName: string;
}

describe('recording a meeting', () => {
  let sfu: SfuProcess;
  let browser: Browser;
  const pages: Record<'chair' | 'district' | 'commune', Page> = {} as never;
  let meetingId: string;
  let tmp: string;
  const tokens = new Map<string, string>();
  const token = async (user: string) => {
    if (!tokens.has(user)) tokens.set(user, await login(sfu.url, user, PASSWORD));
    return tokens.get(user)!;
  };
  const api = async (path: string, user = 'chutri.tinh', headers: Record<string, string> = {}) =>
    fetch(`${sfu.url}${path}`, { headers: { authorization: `Bearer ${await token(user)}`, ...headers } });
  const list = async () => ((await (await api(`/api/meetings/${meetingId}/recordings`)).json()) as { recordings: Listed[] }).recordings;
  const everyone = () => Object.values(pages);
  const record = async (on: boolean) => {
    const button = pages.chair.getByTestId('console-record');
    await button.waitFor();
    expect(await button.getAttribute('data-recording')).toBe(String(!on));
    await button.click();
    await pages.chair.locator(`[data-testid="console-record"][data-recording="${on}"]`).waitFor({ timeout: 20_000 });
  };
  const download = async (r: Listed, name: string) => {
    const res = await api(`/api/recordings/${r.id}/file?download=true`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment/);
    const file = join(tmp, name);
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    return file;
  };

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'lt-rec-'));
    // Two workers, two sites per router: the commune's streams reach the recorder piped from the other worker.
    sfu = await startSfuServer({
      workers: 2,
      maxPeersPerRouter: 2,
      graceSeconds: 45,
      // Recording is tested here, not thin links (thin-link.test.ts): on a starved machine the loopback link
      // reads as thin, and shedding then rightly pauses the chair's thumbnails (a returning site's picture).
      adaptation: false,
    });
    browser = await launchChromium({ caFile: sfu.caFile });
    pages.chair = await loginAndJoin(browser, sfu.httpsUrl(), 'chutri.tinh', PASSWORD);
    pages.district = await loginAndJoin(browser, sfu.httpsUrl(), 'daibieu.dt', PASSWORD);
    pages.commune = await loginAndJoin(browser, sfu.httpsUrl(), 'xa.cuvan', PASSWORD);
    meetingId = /#\/room\/([^/?]+)/.exec(pages.chair.url())![1]!;
    const peers = await Promise.all(everyone().map(myPeerId));
    await waitFor(
      () => mediaFlowingFrom(pages.chair, peers.slice(1), { video: true }),
      (ok) => ok,
      40_000,
      'the chair receiving both sites',
    );
  }, 180_000);

  // A failure says what the server logged (warnings and errors: the pipeline's own words among them).
  beforeEach(({ onTestFailed }) => onTestFailed(() => console.log(`sfu-server said:\n${sfu.output().slice(-6000)}`)));

  afterAll(async () => {
    await browser?.close();
    await sfu?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('records 20 s of a three-site meeting to an MP4 with picture and sound, and everyone sees it', async () => {
    expect(await list()).toEqual([]);
    const clickedAt = Date.now();
    await record(true);
    for (const p of everyone()) await p.getByTestId('recording-notice').waitFor({ timeout: 10_000 });
    expect(await pages.commune.getByTestId('recording-notice').textContent()).toMatch(/ghi hình/);
    const during = await list();
    expect(during.map((r) => r.state)).toEqual(['recording']);
    await new Promise((r) => setTimeout(r, 20_000));
    await record(false);
    const wallMs = Date.now() - clickedAt;
    for (const p of everyone()) await p.getByTestId('recording-notice').waitFor({ state: 'detached', timeout: 10_000 });

    const [first] = await list();
    expect(first?.state).toBe('done');
    // The file covers the time the server recorded: at least the 20 s the chair saw, and no more than
    // what passed between the start and the stop the server answered (the page's clicks add a little).
    const span = Date.parse(first!.endedAt!) - Date.parse(first!.startedAt);
    expect(first?.durationMs).toBeGreaterThan(19_000);
    expect(Math.abs(first!.durationMs! - span), `file ${first?.durationMs} ms, recorded ${span} ms`).toBeLessThan(2000);
    const file = await download(first!, 'first.mp4');
    const probe = JSON.parse(
      execFileSync('ffprobe', [
        '-v',
        'error',
        '-show_entries',
        'stream=codec_type,codec_name,width,height:format=duration',
        '-of',
        'json',
        file,
      ]).toString(),
    ) as { streams: { codec_type: string; codec_name: string; width?: number }[]; format: { duration: string } };
    expect(probe.streams.find((s) => s.codec_type === 'video')).toMatchObject({ codec_name: 'h264', width: 1280 });
    expect(probe.streams.find((s) => s.codec_type === 'audio')).toMatchObject({ codec_name: 'aac' });
    expect(Math.abs(Number(probe.format.duration) * 1000 - first!.durationMs!)).toBeLessThan(200);
    // No longer than the time between the chair's two clicks (a loaded machine stretches that, not the file).
    expect(Number(probe.format.duration) * 1000).toBeLessThan(wallMs + 500);

    // The main picture (top left three quarters) at 15 s: a camera's picture, not the black background.
    const rgb = (crop: string) =>
      execFileSync('ffmpeg', [
        '-v',
        'error',
        '-ss',
        '15',
        '-i',
        file,
        '-frames:v',
        '1',
        '-vf',
        crop,
        '-f',
        'rawvideo',
        '-pix_fmt',
        'rgb24',
        '-',
      ]);
    const main = rgb('crop=960:540:0:0,scale=96:54');
    const mean = main.reduce((a, b) => a + b, 0) / main.length;
    const spread = Math.sqrt(main.reduce((a, b) => a + (b - mean) ** 2, 0) / main.length);
    expect(main.length).toBe(96 * 54 * 3);
    // Chromium's fake camera is a dark green frame with a moving shape (black would read 0).
    expect(mean, 'main picture brightness').toBeGreaterThan(20);
    expect(spread, 'main picture detail').toBeGreaterThan(5);
    // Two thumbnails drawn as well: the right column's first two cells are not black.
    for (const y of [0, 180]) {
      const cell = rgb(`crop=320:180:960:${y}`);
      expect(cell.reduce((a, b) => a + b, 0) / cell.length, `thumbnail at y=${y}`).toBeGreaterThan(20);
    }
    // Chromium's fake microphones beep: the mix has energy (AAC silence reads about -91 dB).
    const stats = execFileSync('sh', ['-c', `ffmpeg -v info -i '${file}' -af volumedetect -vn -f null - 2>&1`]).toString();
    const maxDb = Number(/max_volume: (-?[\d.]+) dB/.exec(stats)?.[1]);
    expect(maxDb, stats.slice(-400)).toBeGreaterThan(-30);
  }, 90_000);

  it('a second start gives a second file that survives a site leaving and joining again; played in the page by the chair, refused to other sites', async () => {
    await record(true);
    await new Promise((r) => setTimeout(r, 3000));
    // The commune leaves the meeting and comes back while the recording runs.
    const left = await myPeerId(pages.commune);
    await pages.commune.getByTestId('leave').click();
    await pages.commune.getByTestId('join-meeting').first().waitFor({ timeout: 10_000 });
    await new Promise((r) => setTimeout(r, 3000));
    await pages.commune.getByTestId('join-meeting').first().click();
    await pages.commune.getByTestId('lobby-preview').waitFor({ timeout: 20_000 });
    await pages.commune.getByTestId('enter-room').click();
    // After the heavier tests before it a rejoin can be slow on a 2-core machine: allow it.
    await pages.commune
      .getByTestId('recording-notice')
      .waitFor({ timeout: 40_000 })
      .catch(async (e: Error) => {
        const shown = (await pages.commune.locator('main').textContent())?.replace(/\s+/g, ' ').slice(0, 400);
        throw new Error(`${e.message}\ncommune shows: ${shown}\ncommune ${await sessionDump(pages.commune)}`);
      });
    const back = await waitFor(
      () => myPeerId(pages.commune),
      (id) => id !== '' && id !== left,
      20_000,
      "the commune's new place",
    );
    await waitFor(
      () => mediaFlowingFrom(pages.chair, [back], { video: true }),
      (ok) => ok,
      45_000,
      'the commune back in the meeting',
    ).catch(async (e: Error) => {
      const server = sfu
        .output()
        .split('\n')
        .filter((l) => /"level":[45]0/.test(l))
        .slice(-15);
      throw new Error(
        `${e.message}\nchair ${await sessionDump(pages.chair)}\ncommune ${await sessionDump(pages.commune)}\ndistrict ${await sessionDump(pages.district)}\n${server.join('\n')}`,
      );
    });
    await new Promise((r) => setTimeout(r, 4000));
    await record(false);
    const both = await waitFor(
      () => list(),
      (l) => l.length === 2 && l.every((r) => r.state === 'done'),
      10_000,
      'two finished recordings',
    );
    expect(new Set(both.map((r) => r.id)).size).toBe(2);
    expect(both[1]!.durationMs).toBeGreaterThan(10_000);
    expect(Math.abs(both[1]!.durationMs! - (Date.parse(both[1]!.endedAt!) - Date.parse(both[1]!.startedAt)))).toBeLessThan(2000);
    // At its end the file shows the main picture and both other sites again (the commune came back).
    const second = await download(both[1]!, 'second.mp4');
    const at = String((both[1]!.durationMs! - 1500) / 1000);
    const shown = [0, 180, 360].filter((y) => {
      const cell = execFileSync('ffmpeg', [
        '-v',
        'error',
        '-ss',
        at,
        '-i',
        second,
        '-frames:v',
        '1',
        '-vf',
        `crop=320:180:960:${y}`,
        '-f',
        'rawvideo',
        '-pix_fmt',
        'rgb24',
        '-',
      ]);
      return cell.reduce((a, b) => a + b, 0) / cell.length > 20;
    });
    expect(shown).toHaveLength(2);

    // The player asks for ranges.
    const part = await api(`/api/recordings/${both[1]!.id}/file`, 'chutri.tinh', { range: 'bytes=0-99' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 0-99/${both[1]!.sizeBytes}`);
    expect((await part.arrayBuffer()).byteLength).toBe(100);

    // Not the host: neither the list nor the file.
    for (const user of ['daibieu.dt', 'xa.cuvan']) {
      expect((await api(`/api/meetings/${meetingId}/recordings`, user)).status, user).toBe(403);
      expect((await api(`/api/recordings/${both[0]!.id}/file`, user)).status, user).toBe(403);
    }
    expect((await api('/api/recordings/00000000-0000-0000-0000-000000000000/file')).status).toBe(404);

    // The chair leaves the room, opens the list from the meetings page and plays the first recording there.
    const viewer = pages.chair;
    await viewer.getByTestId('leave').click();
    await viewer.goto(`${sfu.httpsUrl()}/#/meetings`);
    await viewer.getByTestId('recordings-link').first().click();
    await viewer.getByTestId('recording-row').nth(1).waitFor({ timeout: 15_000 });
    expect(await viewer.getByTestId('recording-row').count()).toBe(2);
    await viewer.getByTestId('recording-play').first().click();
    const video = viewer.getByTestId('recording-player');
    const playing = await waitFor(
      () => video.evaluate((v: HTMLVideoElement) => ({ w: v.videoWidth, t: v.currentTime, d: v.duration, err: v.error?.code ?? 0 })),
      (s) => s.w === 1280 && s.t > 1,
      20_000,
      'the recording playing in the page',
    );
    expect(playing.err).toBe(0);
    expect(Math.abs(playing.d * 1000 - both[0]!.durationMs!)).toBeLessThan(500);
  }, 150_000);
});
