// Join -> first remote frame: a fresh join against a rejoin within the reconnect grace (a reload).
// Two sites in headless Chromium on loopback; each round both leave and enter afresh, then both
// reload; the time is from the page's navigation start until it decoded a frame of the other site.
// `npm run bench -- rejoin` (ROUNDS=n, default 8). Issue 13: a rejoin must be as fast as a join.
import type { Page } from 'playwright-core';
import { launchChromium } from '../support/browser';
import { firstFrameFrom, recordFirstFrames } from '../support/first-frame';
import { loginAndJoin, myPeerId } from '../support/meeting-ui';
import { startSfuServer } from '../support/sfu-process';

const rounds = Number(process.env.ROUNDS ?? 8);
const sfu = await startSfuServer({ graceSeconds: 60 });
const browser = await launchChromium({ caFile: sfu.caFile });

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const line = (name: string, xs: number[]) => `${name.padEnd(22)} p50 ${pct(xs, 50)} ms  p95 ${pct(xs, 95)} ms  (${xs.join(', ')})`;

try {
  const pages = [
    await loginAndJoin(browser, sfu.httpsUrl(), 'chutri.tinh', 'lienthong123'),
    await loginAndJoin(browser, sfu.httpsUrl(), 'daibieu.dt', 'lienthong123'),
  ];
  for (const p of pages) await recordFirstFrames(p.context());
  const roomUrl = pages[0]!.url();
  const fresh: number[] = [];
  const rejoin: number[] = [];
  let ghosts = 0;
  /** Both pages navigate at once; each waits for a frame of the other's current peer. */
  const both = async (nav: (p: Page) => Promise<unknown>) => {
    await Promise.all(pages.map(nav));
    const waitPeer = async (p: Page) => {
      await p.getByTestId('room').waitFor();
      for (let i = 0; i < 200 && !(await myPeerId(p)); i++) await new Promise((r) => setTimeout(r, 50));
      return myPeerId(p);
    };
    const ids = await Promise.all(pages.map(waitPeer));
    return Promise.all(pages.map((p, i) => firstFrameFrom(p, [ids[1 - i]!])));
  };
  for (let r = 0; r < rounds; r++) {
    for (const p of pages) {
      await p.getByTestId('leave').click();
      await p.getByTestId('meeting-item').first().waitFor();
      await p.goto('about:blank');
    }
    await new Promise((res) => setTimeout(res, 1000));
    fresh.push(...(await both((p) => p.goto(roomUrl))));
    await new Promise((res) => setTimeout(res, 2000));
    rejoin.push(...(await both((p) => p.reload())));
    // A rejoin keeps the place: the chair lists the district once.
    if ((await pages[0]!.locator('[data-testid="site-tile"][data-site="TN-DT"]').count()) !== 1) ghosts++;
    await new Promise((res) => setTimeout(res, 1000));
  }
  console.log(line('fresh join', fresh));
  console.log(line('rejoin within grace', rejoin));
  console.log(`rounds where the chair saw the district twice: ${ghosts} of ${rounds}`);
} finally {
  await browser.close();
  await sfu.stop();
}
