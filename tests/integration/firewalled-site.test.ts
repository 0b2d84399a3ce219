// A commune PC behind its own firewall (nftables inside its network namespace, as a site's
// router would filter) joins the meeting over HTTPS in Chromium, with the internal CA installed:
//   open network                         -> media over UDP
//   UDP dropped, TCP to the SFU allowed  -> media over ICE-TCP
//   only TCP to HTTPS and TURN/TLS       -> media through coturn over TLS
// In each, a host browser and the commune decode each other's video and hear each other's audio,
// the room shows the path, and the time from entering the room to media both ways is printed.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inboundByPeer, launchChromium, mediaFlowingFrom, waitFor } from '../support/browser';
import { loginAndJoin, myPeerId, waitConnected } from '../support/meeting-ui';
import { createNetns, outboundOnly, type TestNetns } from '../support/netns';
import { freePort } from '../support/ports';
import { type SfuProcess, startSfuServer } from '../support/sfu-process';

const PASSWORD = 'lienthong123';

type Path = 'udp' | 'ice-tcp' | 'turn-tls';
const WORDING: Record<Path, string> = {
  udp: 'Kết nối: UDP trực tiếp',
  'ice-tcp': 'Kết nối: TCP (ICE-TCP)',
  'turn-tls': 'Kết nối: qua máy chủ TURN (TLS)',
};

/** Logs in and stops in the lobby, camera and microphone open: the next click enters the room. */
async function toLobby(browser: Browser, baseUrl: string, username: string): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  page.on('pageerror', (e) => console.warn(`[${username}] page error: ${e.message}`));
  await page.goto(`${baseUrl}/#/login`);
  await page.locator('input[name="username"]').fill(username);
  await page.locator('input[name="password"]').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('meeting-item').first().waitFor({ timeout: 20_000 });
  await page.getByTestId('join-meeting').first().click();
  await page.getByTestId('lobby-preview').waitFor({ timeout: 20_000 });
  return page;
}

/** The first frame and the first audible audio from `peer` have been decoded on `page`. */
async function decodedFrom(page: Page, peer: string): Promise<boolean> {
  const s = (await inboundByPeer(page))[peer];
  return !!s && s.framesDecoded > 0 && s.audioEnergy > 0;
}

describe('a commune behind a firewall', () => {
  let ns: TestNetns;
  let sfu: SfuProcess;
  let hostBrowser: Browser;
  let chair: Page;
  let chairPeer: string;
  const times: Partial<Record<Path, number>> = {};

  beforeAll(async () => {
    ns = createNetns('fw', 83);
    const turn = { port: await freePort(), tlsPort: await freePort() };
    sfu = await startSfuServer({ listenIp: '0.0.0.0', announcedAddress: ns.hostIp, graceSeconds: 2, turn });
    hostBrowser = await launchChromium({ caFile: sfu.caFile });
    chair = await loginAndJoin(hostBrowser, sfu.httpsUrl(), 'chutri.tinh', PASSWORD);
    chairPeer = await myPeerId(chair);
  }, 120_000);

  afterAll(async () => {
    if (Object.keys(times).length > 0)
      console.log(`[connect-time] udp=${times.udp ?? '-'} ice-tcp=${times['ice-tcp'] ?? '-'} turn-tls=${times['turn-tls'] ?? '-'} ms`);
    await hostBrowser?.close();
    await sfu?.stop();
    ns?.remove();
  });

  /** The commune joins from the namespace; media both ways, the path shown, the time taken. */
  async function joinThrough(expected: Path, username: string): Promise<{ page: Page; browser: Browser }> {
    const browser = await launchChromium({ executablePath: ns.chromiumWrapper, caFile: sfu.caFile });
    const page = await toLobby(browser, sfu.httpsUrl(ns.hostIp), username);
    const t0 = Date.now();
    await page.getByTestId('enter-room').click();
    await waitConnected(page, 40_000);
    const commune = await myPeerId(page);
    await waitFor(
      async () => (await decodedFrom(page, chairPeer)) && (await decodedFrom(chair, commune)),
      Boolean,
      40_000,
      `media both ways over ${expected}`,
    );
    times[expected] = Date.now() - t0;
    // Still flowing (not a first burst): video frames and audio keep being decoded both ways.
    expect(await mediaFlowingFrom(page, [chairPeer])).toBe(true);
    expect(await mediaFlowingFrom(chair, [commune])).toBe(true);
    const badge = page.getByTestId('media-path');
    await expect.poll(() => badge.getAttribute('data-path'), { timeout: 10_000 }).toBe(expected);
    expect(await badge.textContent()).toContain(WORDING[expected]);
    expect(await page.evaluate(() => (window as unknown as { __lt: { session: { mediaPath: string } } }).__lt.session.mediaPath)).toBe(
      expected,
    );
    return { page, browser };
  }

  it('with nothing filtered, connects over UDP', async () => {
    ns.openFirewall();
    const { browser } = await joinThrough('udp', 'xa.cuvan');
    await browser.close();
  });

  it('with UDP dropped (only TCP to the SFU allowed), connects over ICE-TCP', async () => {
    ns.firewall(outboundOnly(`ip daddr ${ns.hostIp} meta l4proto tcp`));
    try {
      const { browser } = await joinThrough('ice-tcp', 'xa.hungson');
      await browser.close();
    } finally {
      ns.openFirewall();
    }
  });

  it('with only TCP to HTTPS and the TURN/TLS port allowed, connects through TURN over TLS; the technical check says so too', async () => {
    const turnTls = Number(/turns:[^:]+:(\d+)/.exec(await turnUrls())?.[1]);
    expect(turnTls).toBeGreaterThan(0);
    ns.firewall(outboundOnly(`ip daddr ${ns.hostIp} tcp dport { ${sfu.httpsPort}, ${turnTls} }`));
    try {
      const { page, browser } = await joinThrough('turn-tls', 'xa.labang');
      // The technical-check page, from the same PC: its own media back through the relay.
      await page.goto(`${sfu.httpsUrl(ns.hostIp)}/#/selftest`);
      await page.getByTestId('selftest-start').click();
      await waitConnected(page, 40_000);
      const badge = page.getByTestId('media-path');
      await expect.poll(() => badge.getAttribute('data-path'), { timeout: 20_000 }).toBe('turn-tls');
      expect(await badge.textContent()).toContain(WORDING['turn-tls']);
      await waitFor(
        () => inboundByPeer(page),
        (s) => Object.values(s).some((p) => p.framesDecoded > 10 && p.audioEnergy > 0),
        30_000,
        'own media back through TURN/TLS',
      );
      await browser.close();
    } finally {
      ns.openFirewall();
    }
  });

  /** The TURN URLs the server hands a signed-in user (read in the chair's page, as the client does). */
  async function turnUrls(): Promise<string> {
    return chair.evaluate(async () => {
      const sig = (window as unknown as { __lt: { sig: { request(e: string, d: object): Promise<{ iceServers: { urls: string[] }[] }> } } })
        .__lt.sig;
      const res = await sig.request('media:iceServers', {});
      return res.iceServers.flatMap((s) => s.urls).join(' ');
    });
  }
});
