// How long the web app takes to become usable in a real browser, and what it fetched: shared by the
// thin-link test and the web-load bench. Times come from the page's own clock (navigation start = 0),
// bytes and cache hits from Resource Timing (transferSize 0 = served from the browser's cache).
import type { BrowserContext, Page } from 'playwright-core';

export interface Fetched {
  url: string;
  /** Bytes over the wire, headers included; 0 when the browser's cache answered. */
  transferSize: number;
  /** Body bytes as sent (compressed) and as used (decompressed). */
  encodedBodySize: number;
  decodedBodySize: number;
  /** From the response headers (Playwright), when the response came over the network. */
  contentEncoding?: string | undefined;
  cacheControl?: string | undefined;
  status?: number | undefined;
}

export interface PageLoad {
  /** Navigation start to the login field visible and enabled (ms). */
  loginReadyMs: number;
  /** Navigation start to the last fetch of the load finished (the app fetches more after the form is up). */
  settledMs: number;
  /** The document and every resource it fetched. */
  fetched: Fetched[];
}

declare global {
  interface Window {
    __ltLoginReady?: number;
  }
}

/**
 * Runs in the page from its first moment: notes when the login field is first usable. A string, not a
 * function: tsx (the bench) would wrap a function's inner names in helpers the page does not have.
 */
const WATCH_LOGIN_FIELD = `(() => {
  const check = () => {
    if (window.__ltLoginReady !== undefined) return;
    const el = document.querySelector('input[name="username"]');
    if (el && !el.disabled && el.getBoundingClientRect().height > 0) window.__ltLoginReady = performance.now();
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true, attributes: true });
})();`;

/** Requests of each page not yet finished: Resource Timing lists a fetch only once it has ended. */
const inflight = new WeakMap<Page, Set<unknown>>();

function trackRequests(page: Page): void {
  const open = new Set<unknown>();
  inflight.set(page, open);
  page.on('request', (r) => open.add(r));
  page.on('requestfinished', (r) => open.delete(r));
  page.on('requestfailed', (r) => open.delete(r));
}

/**
 * Opens `url` in a new page of `context` and measures the load. The context's cache carries over from
 * earlier loads in it: a fresh context is a first visit, a second call in it a repeat visit.
 */
export async function loadLoginPage(context: BrowserContext, url: string, timeoutMs = 60_000): Promise<PageLoad & { page: Page }> {
  const page = await context.newPage();
  trackRequests(page);
  await page.addInitScript(WATCH_LOGIN_FIELD);
  const headers = new Map<string, { enc?: string; cc?: string; status: number }>();
  page.on('response', (r) => {
    const h = r.headers();
    headers.set(r.url(), { enc: h['content-encoding'], cc: h['cache-control'], status: r.status() });
  });
  await page.goto(url, { waitUntil: 'commit', timeout: timeoutMs });
  const field = page.locator('input[name="username"]');
  await field.waitFor({ state: 'visible', timeout: timeoutMs });
  if (!(await field.isEnabled())) throw new Error('login field visible but disabled');
  const loginReadyMs = await page.evaluate(() => window.__ltLoginReady ?? Number.NaN);
  const fetched = await settle(page, timeoutMs);
  const settledMs = Math.max(...fetched.map((f) => f.end));
  return {
    page,
    loginReadyMs,
    settledMs,
    fetched: fetched.map(({ end: _end, ...f }) => {
      const h = headers.get(f.url);
      return { ...f, contentEncoding: h?.enc, cacheControl: h?.cc, status: h?.status };
    }),
  };
}

/** Waits until no request of the page is open and none began for a second; returns every fetch. */
export async function settle(page: Page, timeoutMs: number): Promise<(Fetched & { end: number })[]> {
  const read = () =>
    page.evaluate(() =>
      [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')].map((e) => {
        const r = e as PerformanceResourceTiming;
        return {
          url: r.name,
          transferSize: r.transferSize,
          encodedBodySize: r.encodedBodySize,
          decodedBodySize: r.decodedBodySize,
          end: r.responseEnd,
        };
      }),
    );
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  for (;;) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = await read();
    const quiet = (inflight.get(page)?.size ?? 0) === 0 && now.length === last.length && now.every((e) => e.end > 0);
    last = now;
    if (quiet) return now;
    if (Date.now() > deadline) throw new Error(`page still fetching after ${timeoutMs} ms`);
  }
}

export const isScript = (f: Fetched) => /\.m?js(\?|$)/.test(new URL(f.url).pathname);
export const isAsset = (f: Fetched) => new URL(f.url).pathname.startsWith('/assets/');
/** Served by the browser's cache without asking the server. */
export const fromCache = (f: Fetched) => f.transferSize === 0 && f.decodedBodySize > 0;

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
