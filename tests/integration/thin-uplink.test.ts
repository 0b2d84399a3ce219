// The sending side: a commune whose uplink cannot carry even the lowest video layer (128 kbit/s each way)
// stops sending its camera by itself and keeps its audio; its page says so, and the chair sees
// "audio only (weak link)" on its tile and in the console, and still hears it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mediaFlowingFrom } from '../support/browser';
import { enterShaped, openThinMeeting, shedTimeline, type ThinMeeting } from '../support/thin-link';

describe('a commune whose uplink cannot carry video', () => {
  let m: ThinMeeting;

  beforeAll(async () => {
    m = await openThinMeeting({ subnet: 87 });
    await enterShaped(m, { rateKbit: 128, lossPercent: 0 }, 'audio');
  }, 120_000);

  afterAll(async () => {
    if (m && process.env.THIN_LOG) {
      console.log(`[uplink] shed: ${await shedTimeline(m).catch((e) => String(e))}`);
      console.log(
        m.sfu
          .output()
          .split('\n')
          .filter((l) => /uplink|adaptation step|disconnect|error/i.test(l))
          .slice(-30)
          .join('\n'),
      );
    }
    await m?.close();
  });

  it('pauses its camera, says why, and is still heard', async () => {
    const notice = m.page.locator('[data-testid="adaptation-notice"][data-send-paused="true"]');
    await notice.waitFor({ timeout: 40_000 });
    expect(await notice.textContent()).toMatch(/Tạm dừng gửi hình của điểm cầu: đường lên \(~\d+ kbit\/s\)/);
    await expect.poll(() => m.chair.getByTestId('site-audio-only').count(), { timeout: 10_000 }).toBe(1);
    const shedChip = m.chair.locator('[data-testid="console-shed"][data-send-paused="true"]');
    await expect.poll(() => shedChip.count(), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await shedChip.first().textContent()).toMatch(/Gửi: chỉ tiếng/);
    // The server paused its camera producer (media:producerPaused reached the chair); its audio flows.
    const paused = () =>
      m.chair.evaluate((peer) => {
        type Remote = { peerId: string; kind: string; paused: boolean };
        const s = (window as unknown as { __lt: { session: { remote: Map<string, Remote> } } }).__lt.session;
        return [...s.remote.values()].filter((r) => r.peerId === peer && r.kind === 'video').map((r) => r.paused);
      }, m.peers.commune);
    await expect.poll(paused, { timeout: 10_000 }).toEqual([true]);
    expect(await mediaFlowingFrom(m.chair, [m.peers.commune], { video: false, windowMs: 3000 })).toBe(true);
  }, 90_000);
});
