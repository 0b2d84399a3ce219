// A commune on a 256 kbit/s link opens the web app: Chromium in a network namespace whose veth is
// shaped with tc tbf both ways, a fresh profile, the real sfu-server over HTTPS. The login form must be
// usable within 8 s, with compressed scripts; a second visit takes the hashed assets from the cache;
// after login the network and admin views stay unloaded while the meeting pages come in the background.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, waitFor } from '../support/browser';
import { createNetns, type TestNetns } from '../support/netns';
import { type SfuProcess, startSfuServer } from '../support/sfu-process';
import { shape } from '../support/shaping';
import { fromCache, isAsset, isScript, loadLoginPage, settle } from '../support/web-load';

const SUBNET = 143;
const RATE_KBIT = 256;
const RATE = `${RATE_KBIT}kbit`;
/** Time to a usable login form on a fresh profile (issue 12). */
const FIRST_LOAD_MS = 8000;
/**
 * Script bytes over the wire until the page is quiet (headers included): about 55 kB measured (entry
 * 32 kB brotli, the route tables 21 kB fetched right after). Today's uncompressed bundle was 621 kB.
 */
const SCRIPT_BYTES = 80_000;
const IMMUTABLE = 'public, max-age=31536000, immutable';

describe(`the web app on a ${RATE} link`, () => {
  let ns: TestNetns;
  let sfu: SfuProcess;
  let browser: Browser;

  beforeAll(async () => {
    ns = createNetns('thinload', SUBNET);
    sfu = await startSfuServer({ tlsNames: [ns.hostIp] });
    shape(ns, { rateKbit: RATE_KBIT, lossPercent: 0 });
    browser = await launchChromium({ executablePath: ns.chromiumWrapper, caFile: sfu.caFile });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await sfu?.stop();
    ns?.remove();
  });

  it('shows a usable login form in under 8 s with compressed scripts, and a repeat visit from the cache', async () => {
    const context = await browser.newContext();
    const url = `${sfu.httpsUrl(ns.hostIp)}/`;
    const first = await loadLoginPage(context, url);
    await first.page.close();
    const repeat = await loadLoginPage(context, url);
    const scripts = first.fetched.filter(isScript);
    const scriptBytes = scripts.reduce((s, f) => s + f.transferSize, 0);
    console.log(
      `[load-time] ${RATE} first=${Math.round(first.loginReadyMs)} ms repeat=${Math.round(repeat.loginReadyMs)} ms` +
        ` (quiet at ${Math.round(first.settledMs)} / ${Math.round(repeat.settledMs)} ms; ${scripts.length} scripts, ${scriptBytes} B over the wire)`,
    );

    expect(first.loginReadyMs).toBeGreaterThan(0);
    expect(first.loginReadyMs).toBeLessThan(FIRST_LOAD_MS);
    expect(scripts.length).toBeGreaterThan(0);
    for (const s of scripts) {
      expect(s.cacheControl, s.url).toBe(IMMUTABLE);
      // The build leaves files under 1 kB (the bundler's runtime stub) as they are.
      if (s.decodedBodySize < 1024) continue;
      expect(['br', 'gzip'], s.url).toContain(s.contentEncoding);
      expect(s.encodedBodySize, s.url).toBeLessThan(s.decodedBodySize / 2);
    }
    expect(scripts.filter((s) => s.contentEncoding === 'br').length).toBeGreaterThan(0);
    expect(scriptBytes).toBeLessThan(SCRIPT_BYTES);

    // Second visit: the page is asked for again (a new release must show), every hashed asset is not.
    const assets = repeat.fetched.filter(isAsset);
    expect(assets.map((a) => new URL(a.url).pathname).sort()).toEqual(
      first.fetched
        .filter(isAsset)
        .map((a) => new URL(a.url).pathname)
        .sort(),
    );
    expect(assets.filter((a) => !fromCache(a)).map((a) => a.url)).toEqual([]);
    const doc = repeat.fetched[0]!;
    expect(new URL(doc.url).pathname).toBe('/');
    expect(doc.transferSize).toBeGreaterThan(0);
    expect(repeat.loginReadyMs).toBeLessThan(first.loginReadyMs);
    await context.close();
  }, 60_000);

  it('logs in over the thin link without loading the network or admin views; the meeting pages follow', async () => {
    const context = await browser.newContext();
    const { page } = await loadLoginPage(context, `${sfu.httpsUrl(ns.hostIp)}/`);
    await page.locator('input[name="username"]').fill('xa.cuvan');
    await page.locator('input[name="password"]').fill('lienthong123');
    await page.getByTestId('login-submit').click();
    await page.getByTestId('meeting-item').first().waitFor({ timeout: 20_000 });
    // The lobby and room chunks are fetched while the official reads the list.
    const chunk = (name: string) => (p: string) => new RegExp(`/assets/${name}-[\\w-]+\\.js$`).test(p);
    const paths = await waitFor(
      async () => (await settle(page, 30_000)).map((f) => new URL(f.url).pathname),
      (ps) => ps.some(chunk('Lobby')) && ps.some(chunk('Room')),
      30_000,
      'the meeting pages prefetched',
    );
    for (const view of ['Network', 'Sites', 'Users', 'Schedule']) expect(paths.filter(chunk(view)), view).toEqual([]);
    await context.close();
  }, 60_000);
});
