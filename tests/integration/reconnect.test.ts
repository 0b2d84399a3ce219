// A site that drops out of a meeting, in headless Chromium through the UI. The commune's
// browser runs in its own network namespace so that its link alone can be cut.
//   a reload within the reconnect grace  -> the same place (one tile at the others), the first
//                                           remote frame as soon as a fresh join's
//   a 30 s cut (grace 45 s)              -> back by itself, without a reload
//   a cut longer than the grace (3 s)    -> told on the page; one click rejoins
// Each ends with every site decoding every other.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inboundByPeer, launchChromium, mediaFlowingFrom, waitFor } from '../support/browser';
import { firstFrameFrom, recordFirstFrames } from '../support/first-frame';
import { loginAndJoin, myPeerId, placesOfSite, waitConnected } from '../support/meeting-ui';
import { createNetns, type TestNetns } from '../support/netns';
import { type SfuProcess, startSfuServer } from '../support/sfu-process';

const PASSWORD = 'lienthong123';
type Site = 'chair' | 'district' | 'commune';
const ACCOUNTS: Record<Site, string> = { chair: 'chutri.tinh', district: 'daibieu.dt', commune: 'xa.cuvan' };
const CODES: Record<Site, string> = { chair: 'TN', district: 'TN-DT', commune: 'TN-DT-CUVAN' };

/** A meeting of some of the sites: the commune's browser in the namespace, the others on the host. */
class Meeting {
  readonly pages: Partial<Record<Site, Page>> = {};
  readonly peer: Partial<Record<Site, string>> = {};
  private browsers: Browser[] = [];

  constructor(
    readonly sfu: SfuProcess,
    private readonly ns: TestNetns,
  ) {}

  async join(sites: Site[]): Promise<void> {
    const host = await launchChromium({ caFile: this.sfu.caFile });
    const inNs = await launchChromium({ executablePath: this.ns.chromiumWrapper, caFile: this.sfu.caFile });
    this.browsers = [host, inNs];
    for (const s of sites) {
      const page =
        s === 'commune'
          ? await loginAndJoin(inNs, this.sfu.httpsUrl(this.ns.hostIp), ACCOUNTS[s], PASSWORD)
          : await loginAndJoin(host, this.sfu.httpsUrl(), ACCOUNTS[s], PASSWORD);
      this.pages[s] = page;
      this.peer[s] = await myPeerId(page);
    }
  }

  page(s: Site): Page {
    return this.pages[s]!;
  }

  others(s: Site): string[] {
    return (Object.keys(this.peer) as Site[]).filter((k) => k !== s).map((k) => this.peer[k]!);
  }

  /** Every site sees and hears every other site now (decode counters moving). */
  async everyoneDecodesEveryone(timeoutMs: number): Promise<void> {
    for (const s of Object.keys(this.pages) as Site[]) {
      await waitFor(() => mediaFlowingFrom(this.page(s), this.others(s)), Boolean, timeoutMs, `${s} receiving every other site`).catch(
        async (e) => {
          for (const x of Object.keys(this.pages) as Site[]) console.log('state at', x, await sessionDump(this.page(x)));
          throw e;
        },
      );
    }
  }

  /** How many places `viewer` shows `site` in (thumbnail or main picture; a ghost beside a new peer would make two). */
  tiles(viewer: Site, site: Site): Promise<number> {
    return placesOfSite(this.page(viewer), CODES[site]);
  }

  async close(): Promise<void> {
    for (const b of this.browsers) await b.close();
  }
}

/** What a page's session holds, for a failure's message. */
async function sessionDump(page: Page): Promise<string> {
  const state = await page.evaluate(() => {
    type Remote = { peerId: string; kind: string; paused: boolean; track: MediaStreamTrack };
    const w = window as never as { __lt: { session: { status: string; peerId: string; remote: Map<string, Remote> } } };
    const s = w.__lt.session;
    const camera = (s as never as { producers: Map<string, { paused: boolean }> }).producers.get('camera');
    return {
      status: s.status,
      peerId: s.peerId,
      cameraPaused: camera?.paused,
      shed: document.querySelector('[data-testid=adaptation-notice]')?.textContent ?? null,
      remote: [...s.remote.values()].map((r) => `${r.peerId}:${r.kind}:${r.paused ? 'paused' : 'on'}:${r.track.readyState}`),
    };
  });
  return `${JSON.stringify(state)} ${JSON.stringify(await inboundByPeer(page))}`;
}

const markNoReload = (page: Page) => page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
const stillNoReload = (page: Page) => page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload === true);
const status = (page: Page) => page.getByTestId('session-status').getAttribute('data-status');

let ns: TestNetns;
beforeAll(() => {
  ns = createNetns('rejoin', 95);
});
afterAll(() => ns?.remove());

describe('rejoining within the reconnect grace (45 s)', () => {
  let m: Meeting;

  beforeAll(async () => {
    const sfu = await startSfuServer({ listenIp: '0.0.0.0', announcedAddress: ns.hostIp, graceSeconds: 45 });
    m = new Meeting(sfu, ns);
    await m.join(['chair', 'district', 'commune']);
    await m.everyoneDecodesEveryone(30_000);
  }, 180_000);

  afterAll(async () => {
    await m?.close();
    await m?.sfu.stop();
  });

  it('a reloaded page is back in its own place and decodes the others within 20 s; the others see it once', async () => {
    const district = m.page('district');
    await recordFirstFrames(district.context());
    await district.reload();
    const ms = await firstFrameFrom(district, m.others('district'));
    console.log(`reload -> first frame from both other sites: ${ms} ms`);
    // Page load, join and both first frames: 1.0-1.5 s on the machine this was written on (the reload that
    // re-joined as a ghost took over 3 s there); on this one, where three browsers fill both cores (Chromium
    // 156.0.8078.114), 3.4-4.9 s with this file alone, 5.9 s and once 13.5 s inside the suite. The bound
    // catches a reload that hangs; the ghost shows below as a second tile; bench join-first-frame gives the figure.
    expect(ms).toBeLessThan(20_000);
    await waitConnected(district);
    expect(await myPeerId(district)).toBe(m.peer.district);
    // The others consume its new media, and list it once: no ghost of the old page beside it.
    await m.everyoneDecodesEveryone(20_000);
    for (const viewer of ['chair', 'commune'] as const) {
      expect(await m.tiles(viewer, 'district')).toBe(1);
      expect(await m.page(viewer).locator(`[data-testid="site-tile"][data-site="TN-DT"].disconnected`).count()).toBe(0);
    }
  });

  it('a commune whose network drops for 30 s comes back by itself, without a reload', async () => {
    const commune = m.page('commune');
    await markNoReload(commune);
    const cutAt = Date.now();
    ns.cut();
    try {
      await commune.locator('[data-testid="session-status"][data-status="reconnecting"]').waitFor({ timeout: 20_000 });
      await new Promise((r) => setTimeout(r, Math.max(0, 30_000 - (Date.now() - cutAt))));
    } finally {
      ns.restore();
    }
    await waitConnected(commune, 30_000);
    console.log(`30 s cut: connected again ${Date.now() - cutAt - 30_000} ms after the link came back`);
    expect(await stillNoReload(commune)).toBe(true);
    expect(await myPeerId(commune)).toBe(m.peer.commune);
    await m.everyoneDecodesEveryone(30_000);
    expect(await m.tiles('chair', 'commune')).toBe(1);
    expect(await m.tiles('district', 'commune')).toBe(1);
  });
});

describe('out for longer than the reconnect grace (3 s)', () => {
  let m: Meeting;

  beforeAll(async () => {
    const sfu = await startSfuServer({ listenIp: '0.0.0.0', announcedAddress: ns.hostIp, graceSeconds: 3 });
    m = new Meeting(sfu, ns);
    await m.join(['chair', 'commune']);
    await m.everyoneDecodesEveryone(30_000);
  }, 180_000);

  afterAll(async () => {
    await m?.close();
    await m?.sfu.stop();
  });

  it('the site is told it is out, rejoins with one click, and everyone decodes everyone again', async () => {
    const commune = m.page('commune');
    await markNoReload(commune);
    ns.cut();
    try {
      // Told on the page (Vietnamese by default), with the one-click rejoin.
      const notice = commune.getByTestId('rejoin-notice');
      await notice.waitFor({ timeout: 30_000 });
      expect(await notice.textContent()).toContain('không còn trong cuộc họp');
      expect(await commune.getByTestId('rejoin').textContent()).toBe('Vào lại cuộc họp');
      expect(await status(commune)).toBe('expired');
      // The server gave the place away: the chair no longer lists the commune.
      await waitFor(
        () => m.tiles('chair', 'commune'),
        (n) => n === 0,
        20_000,
        'the commune gone from the chair',
      );
    } finally {
      ns.restore();
    }
    // Signalling comes back by itself, but the page does not rejoin on its own: it waits for the click.
    await waitFor(
      () => commune.evaluate(() => (window as never as { __lt: { sig: { socket: { connected: boolean } } } }).__lt.sig.socket.connected),
      Boolean,
      20_000,
      'signalling back at the commune',
    );
    await new Promise((r) => setTimeout(r, 1500));
    expect(await status(commune)).toBe('expired');
    expect(await m.tiles('chair', 'commune')).toBe(0);

    await commune.getByTestId('rejoin').click();
    await waitConnected(commune, 30_000);
    expect(await commune.getByTestId('rejoin-notice').count()).toBe(0);
    expect(await stillNoReload(commune)).toBe(true);
    m.peer.commune = await myPeerId(commune);
    await m.everyoneDecodesEveryone(30_000);
    expect(await m.tiles('chair', 'commune')).toBe(1);
  });
});
