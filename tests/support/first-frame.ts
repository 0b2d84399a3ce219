// When a page decoded its first video frame from each remote site, in ms since the page's
// navigation started (a load or a reload): an init script polls the MediaSession's inbound-rtp.
import type { BrowserContext, Page } from 'playwright-core';

const PROBE = `(() => {
  const first = {};
  window.__firstFrame = first;
  const tick = async () => {
    const s = window.__lt && window.__lt.session;
    if (s && s.status !== 'closed') {
      try {
        const byTrack = new Map();
        for (const r of s.remote.values()) byTrack.set(r.track.id, r.peerId);
        const { recv } = await s.getStats();
        if (recv) recv.forEach((st) => {
          const peer = byTrack.get(String(st.trackIdentifier));
          if (st.type === 'inbound-rtp' && st.kind === 'video' && st.framesDecoded > 0 && peer && !(peer in first)) first[peer] = performance.now();
        });
      } catch {}
    }
    if (performance.now() < 60000) setTimeout(tick, 20);
  };
  tick();
})();`;

/** Every page of the context loaded from now on records its first decoded frame per remote peer. */
export async function recordFirstFrames(context: BrowserContext): Promise<void> {
  await context.addInitScript(PROBE);
}

/** Ms from navigation start until a frame from every one of `peers` was decoded (throws after timeoutMs). */
export async function firstFrameFrom(page: Page, peers: string[], timeoutMs = 30_000): Promise<number> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const seen = await page.evaluate(() => (window as unknown as { __firstFrame?: Record<string, number> }).__firstFrame ?? {});
    if (peers.every((p) => p in seen)) return Math.round(Math.max(...peers.map((p) => seen[p]!)));
    if (Date.now() > end) throw new Error(`no frame from ${peers.filter((p) => !(p in seen)).join(', ')} in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
