// One meeting over two real sfu-server processes, the province's and Đại Từ district's, joined by the
// cascade (NATS on loopback). Every page uses the one province URL; the province runs the meeting and
// places the media of Đại Từ's sites on the district server, which sends each stream across once.
// Asserted in Chromium: the commune's media goes to the district server, everyone decodes everyone,
// a chair action at the province takes effect at the commune, and when the district server dies its
// sites are back on the province server by themselves.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { inboundByPeer, launchChromium, mediaFlowingFrom, mediaServerPort, sessionDump, waitFor } from '../support/browser';
import { loginAndJoin, myPeerId } from '../support/meeting-ui';
import { freeMediaBasePort, freePort } from '../support/ports';
import { cascadeConfig, login, loginAdmin, type SfuProcess, startSfuServer } from '../support/sfu-process';

const PASSWORD = 'lienthong123';
const DISTRICT = 'huyen-dai-tu';

describe('one meeting over a province and a district server', () => {
  let nats: ChildProcess;
  let province: SfuProcess;
  let district: SfuProcess;
  let districtBase = 0;
  let browser: Browser;
  const pages: Record<'chair' | 'commune', Page> = {} as never;
  const peer: Record<'chair' | 'commune', string> = {} as never;

  beforeAll(async () => {
    const natsPort = await freePort();
    nats = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(natsPort)], { stdio: 'ignore' });
    const natsUrl = `nats://127.0.0.1:${natsPort}`;
    province = await startSfuServer({ extraConfig: cascadeConfig(natsUrl, 'tinh', '', [DISTRICT]), adaptation: false });
    districtBase = await freeMediaBasePort(1);
    const districtHttps = await freePort();
    // The admin gives Đại Từ its own server, under the id the district server is configured with.
    const token = await loginAdmin(province.url);
    const sites = (await (await fetch(`${province.url}/api/sites`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      sites: { id: string; code: string }[];
    };
    const dt = sites.sites.find((s) => s.code === 'TN-DT')!;
    const made = await fetch(`${province.url}/api/servers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ id: DISTRICT, name: 'Máy chủ Huyện Đại Từ', url: `https://127.0.0.1:${districtHttps}`, siteId: dt.id }),
    });
    expect(made.status).toBe(201);
    district = await startSfuServer({
      extraConfig: cascadeConfig(natsUrl, DISTRICT, 'tinh', []),
      basePort: districtBase,
      httpsPort: districtHttps,
      adaptation: false,
    });
    browser = await launchChromium({ caFile: province.caFile });
    // One URL for everyone: the province's.
    pages.chair = await loginAndJoin(browser, province.httpsUrl(), 'chutri.tinh', PASSWORD);
    pages.commune = await loginAndJoin(browser, province.httpsUrl(), 'xa.cuvan', PASSWORD);
    for (const k of ['chair', 'commune'] as const) peer[k] = await myPeerId(pages[k]);
  }, 180_000);

  beforeEach(({ onTestFailed }) =>
    onTestFailed(async () => {
      for (const k of ['chair', 'commune'] as const) console.log(`${k} ${await sessionDump(pages[k]).catch(() => '?')}`);
      console.log(`province:\n${province.output().slice(-3000)}\ndistrict:\n${district.output().slice(-3000)}`);
    }),
  );

  afterAll(async () => {
    await browser?.close();
    await district?.stop();
    await province?.stop();
    nats?.kill('SIGKILL');
  });

  it("sends the commune's media to the district server and the chair's to the province's", async () => {
    await expect.poll(() => mediaServerPort(pages.commune), { timeout: 20_000 }).toBe(districtBase);
    const chairPort = await waitFor(
      () => mediaServerPort(pages.chair),
      (p) => p !== null,
      20_000,
      'the chair connected',
    );
    expect(chairPort).not.toBe(districtBase);
  });

  it('each site decodes and hears the other, across the two servers', async () => {
    for (const [who, other] of [
      ['chair', 'commune'],
      ['commune', 'chair'],
    ] as const) {
      const stats = await waitFor(
        () => inboundByPeer(pages[who]),
        (s) => (s[peer[other]]?.framesDecoded ?? 0) > 0 && (s[peer[other]]?.audioEnergy ?? 0) > 0,
        30_000,
        `${who} receiving ${other}`,
      );
      expect(stats[peer[other]]!.framesDecoded).toBeGreaterThan(0);
    }
    // The province reads the commune's link from the district server (one request a second for all its
    // peers): its quality figures reach /metrics as the chair's own site's do.
    const rate = (text: string, site: string) =>
      Number(new RegExp(`^lienthong_site_send_bits_per_second\\{site="${site}"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
    const text = await waitFor(
      async () => (await fetch(`${province.url}/metrics`)).text(),
      (t) => rate(t, 'TN-DT-CUVAN') > 0 && rate(t, 'TN') > 0,
      20_000,
      "the commune's quality figures at the province",
    );
    expect(rate(text, 'TN-DT-CUVAN')).toBeGreaterThan(10_000);
  });

  it("the chair's mute at the province silences the commune on the district server, and unmute gives it back", async () => {
    const row = pages.chair.locator('[data-testid="console-site"][data-code="TN-DT-CUVAN"]');
    await row.getByTestId('mute-site').click();
    await expect.poll(() => mediaFlowingFrom(pages.chair, [peer.commune], { video: false }), { timeout: 15_000 }).toBe(false);
    await row.getByTestId('unmute-site').click();
    await expect.poll(() => mediaFlowingFrom(pages.chair, [peer.commune], { video: false }), { timeout: 15_000 }).toBe(true);
  });

  it("the chair's recording at the province has the commune's picture, which lives on the district server", async () => {
    const button = pages.chair.getByTestId('console-record');
    await button.click();
    await pages.chair.locator('[data-testid="console-record"][data-recording="true"]').waitFor({ timeout: 20_000 });
    await new Promise((r) => setTimeout(r, 10_000));
    await button.click();
    await pages.chair.locator('[data-testid="console-record"][data-recording="false"]').waitFor({ timeout: 20_000 });
    const token = await login(province.url, 'chutri.tinh', PASSWORD);
    const meetingId = /#\/room\/([^/?]+)/.exec(pages.chair.url())![1]!;
    const api = (path: string) => fetch(`${province.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    const done = await waitFor(
      async () =>
        ((await (await api(`/api/meetings/${meetingId}/recordings`)).json()) as { recordings: { id: string; state: string }[] }).recordings,
      (l) => l.length === 1 && l[0]!.state === 'done',
      20_000,
      'the recording finished',
    );
    const dir = mkdtempSync(join(tmpdir(), 'lt-cascade-rec-'));
    try {
      const file = join(dir, 'r.mp4');
      writeFileSync(file, Buffer.from(await (await api(`/api/recordings/${done[0]!.id}/file?download=true`)).arrayBuffer()));
      // The main picture is the chair's; the first thumbnail (top of the right column) the commune's.
      const cell = execFileSync('ffmpeg', [
        '-v',
        'error',
        '-ss',
        '8',
        '-i',
        file,
        '-frames:v',
        '1',
        '-vf',
        'crop=320:180:960:0',
        '-f',
        'rawvideo',
        '-pix_fmt',
        'rgb24',
        '-',
      ]);
      const mean = cell.reduce((a, b) => a + b, 0) / cell.length;
      const spread = Math.sqrt(cell.reduce((a, b) => a + (b - mean) ** 2, 0) / cell.length);
      // Chromium's fake camera: a green frame with a moving shape; an empty cell is black.
      expect(mean, 'commune thumbnail brightness').toBeGreaterThan(20);
      expect(spread, 'commune thumbnail detail').toBeGreaterThan(5);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);

  it('when the district server dies, its site is back on the province server by itself within 30 s', async () => {
    district.child.kill('SIGKILL');
    const t0 = Date.now();
    await expect.poll(() => mediaServerPort(pages.commune), { timeout: 30_000, interval: 500 }).not.toBe(districtBase);
    await waitFor(
      () => mediaFlowingFrom(pages.chair, [peer.commune]),
      (ok) => ok,
      30_000 - (Date.now() - t0),
      'the commune seen again at the province',
    );
    // And the commune sees the chair again (its consumers are on the province server now).
    await waitFor(
      () => mediaFlowingFrom(pages.commune, [peer.chair]),
      (ok) => ok,
      15_000,
      'the chair seen again at the commune',
    );
    console.log(`commune back on the province server ${Date.now() - t0} ms after the district server died`);
  });
});
