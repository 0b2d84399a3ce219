// Join -> first decoded frame in headless Chromium on loopback (over HTTPS, the server's CA
// trusted): three sites are in the meeting sending camera and microphone; a fourth enters
// ROUNDS times afresh (from the meeting list) and, alternately, reloads its page (a rejoin within
// the reconnect grace). Each entry is split into where the time goes: the page up to its media
// session, the session up to its receive transport connected (signalling, ICE, DTLS), and from
// there to a decoded frame of every other site (consumers, keyframe). p50 / p95 per phase.
// `npm run bench -- join-first-frame` (ROUNDS=n, default 20; OTHERS_SHARES, OTHERS_LOW below). Results: docs/bench/join-first-frame.json.
import { chmodSync, mkdirSync, mkdtempSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from '../support/browser';
import { loginAndJoin, myPeerId } from '../support/meeting-ui';
import { startSfuServer } from '../support/sfu-process';
import { commit, machine } from './support/bench-meta';

const ROUNDS = Number(process.env.ROUNDS ?? 20);
/** The code measured is the code at the start (a commit during the run is not it). */
const measured = commit();
const out = join(resolve(import.meta.dirname, '../..'), 'docs/bench/join-first-frame.json');

// Records, in ms since navigation start: the media session appearing, its receive transport
// connected, and the first decoded frame per remote peer; also the media path (a fall back to the TURN
// relay would show). Stats are read (every 20 ms) only once the transport is connected: no frame can be
// decoded before, and reading them is work the page being measured would otherwise do as it joins.
const PROBE = `(() => {
  const t = { frames: {}, firstScript: performance.now() };
  window.__joinTimes = t;
  const tick = async () => {
    const s = window.__lt && window.__lt.session;
    const nav = performance.getEntriesByType('navigation')[0];
    if (nav && nav.responseEnd > 0) t.document ??= nav.responseEnd;
    if (nav && nav.domContentLoadedEventEnd > 0) t.domContentLoaded ??= nav.domContentLoadedEventEnd;
    if (s) {
      t.session ??= performance.now();
      const recv = s.recvTransport;
      if (recv && recv.connectionState === 'connected') t.connected ??= performance.now();
      if (s.mediaPath) t.path = s.mediaPath;
      if (s.lastJoin) t.joined ??= performance.now();
      if (recv) t.transports ??= performance.now();
      if (recv && recv.connectionState === 'connecting') t.recvConnecting ??= performance.now();
      // Every other site's audio and video consumed on the page (resumes then follow).
      if (s.remote && s.remote.size >= 6) t.consumed ??= performance.now();
      const snd = s.sendTransport;
      if (snd && snd.connectionState === 'connecting') t.sendConnecting ??= performance.now();
      if (snd && snd.connectionState === 'connected') t.sendConnected ??= performance.now();
      if (t.connected && recv && s.status !== 'closed') {
        try {
          const byTrack = new Map();
          for (const r of s.remote.values()) byTrack.set(r.track.id, r.peerId);
          (await recv.getStats()).forEach((st) => {
            const peer = byTrack.get(String(st.trackIdentifier));
            if (st.type === 'inbound-rtp' && st.kind === 'video' && st.packetsReceived > 0 && peer) (t.packets ??= {})[peer] ??= performance.now();
            if (st.type === 'inbound-rtp' && st.kind === 'video' && st.framesDecoded > 0 && peer && !(peer in t.frames)) t.frames[peer] = performance.now();
          });
        } catch {}
      }
    }
    if (performance.now() < 60000) setTimeout(tick, t.connected ? 20 : 10);
  };
  tick();
})();`;

interface Entry {
  kind: 'join' | 'rejoin';
  session: number;
  /** The page's document received (navigation timing responseEnd; a reload's includes the old page's teardown). */
  document?: number;
  /** The new document's first script ran (this probe, injected before any of the page's own). */
  firstScript?: number;
  /** The app's module script was parsed and run up to DOMContentLoaded (navigation timing). */
  domContentLoaded?: number;
  /** The join reply in (after router capabilities, device load and the join request). */
  joined?: number;
  /** Both transports made (two createTransport round trips). */
  transports?: number;
  /** The receive transport started ICE/DTLS (its first consume). */
  recvConnecting?: number;
  connected: number;
  firstFrame: number;
  allFrames: number;
  /** Every other site's audio and video consumed on the page. */
  consumed?: number;
  /** The first video packet from each other site (a frame follows once a keyframe is in). */
  packets?: Record<string, number>;
  path?: string;
}

async function measure(page: Page, others: string[], kind: Entry['kind']): Promise<Entry> {
  const end = Date.now() + 30_000;
  for (;;) {
    const t = await page.evaluate(
      () =>
        (window as unknown as { __joinTimes?: { session?: number; connected?: number; path?: string; frames: Record<string, number> } })
          .__joinTimes,
    );
    const frames = others.map((p) => t?.frames[p]).filter((v): v is number => v !== undefined);
    if (t?.session !== undefined && t.connected !== undefined && frames.length === others.length)
      return {
        ...(t as object),
        kind,
        session: t.session,
        connected: t.connected,
        path: t.path,
        firstFrame: Math.min(...frames),
        allFrames: Math.max(...frames),
      };
    if (Date.now() > end) throw new Error(`${kind}: not every frame in 30 s: ${JSON.stringify(t)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;
const stats = (xs: number[]) => ({
  p50: Math.round(pct(xs, 50)),
  p95: Math.round(pct(xs, 95)),
  min: Math.round(Math.min(...xs)),
  max: Math.round(Math.max(...xs)),
});

/**
 * The three staying sites stand for browsers on other machines. On this 2-core machine their
 * encoding and decoding would otherwise queue the entering page's work and the server's: their
 * Chromium runs in a cgroup of low CPU weight (cgroup v1, as root; cpu.shares OTHERS_SHARES,
 * default 128 against 1024 for each other process; at 2 their encoders starved and keyframes
 * came late). Chromium resets its processes' nice values, so nice does not hold.
 * OTHERS_LOW=0, or no writable cgroup: all at the same weight (the report says which).
 */
function lowWeightChromium(): { path: string; dir: string; cgroup: string } | undefined {
  if (process.env.OTHERS_LOW === '0') return undefined;
  const cgroup = `/sys/fs/cgroup/cpu/lt-bench-others-${process.pid}`;
  try {
    mkdirSync(cgroup);
    writeFileSync(join(cgroup, 'cpu.shares'), process.env.OTHERS_SHARES ?? '128');
  } catch (e) {
    console.log(`  (no low-weight cgroup for the staying sites: ${(e as Error).message})`);
    return undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), 'lt-low-chromium-'));
  const path = join(dir, 'chromium');
  writeFileSync(path, `#!/bin/sh\necho $$ > ${cgroup}/cgroup.procs\nexec /usr/bin/chromium "$@"\n`);
  chmodSync(path, 0o755);
  return { path, dir, cgroup };
}

const sfu = await startSfuServer({ graceSeconds: 60 });
const low = lowWeightChromium();
const browser = await launchChromium({ caFile: sfu.caFile });
const othersBrowser = low ? await launchChromium({ caFile: sfu.caFile, executablePath: low.path }) : browser;
try {
  const staying = [];
  for (const user of ['chutri.tinh', 'daibieu.dt', 'daibieu.pb'])
    staying.push(await loginAndJoin(othersBrowser, sfu.httpsUrl(), user, 'lienthong123'));
  const others = await Promise.all(staying.map(myPeerId));
  const page = await loginAndJoin(browser, sfu.httpsUrl(), 'daibieu.vn', 'lienthong123');
  await page.context().addInitScript(PROBE);
  const roomUrl = page.url();
  const entries: Entry[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    await page.getByTestId('leave').click();
    await page.getByTestId('meeting-item').first().waitFor();
    await page.goto('about:blank');
    await new Promise((res) => setTimeout(res, 1000));
    await page.goto(roomUrl);
    entries.push(await measure(page, others, 'join'));
    await new Promise((res) => setTimeout(res, 1500));
    await page.reload();
    entries.push(await measure(page, others, 'rejoin'));
    const last = entries
      .slice(-2)
      .map((e) => `${e.kind} ${Math.round(e.allFrames)} ms (${e.path ?? '?'}, connected at ${Math.round(e.connected)})`);
    console.log(`  round ${r + 1}/${ROUNDS}: ${last.join(', ')}`);
    await new Promise((res) => setTimeout(res, 1000));
  }
  const phases = (kind: Entry['kind']) => {
    const es = entries.filter((e) => e.kind === kind);
    return {
      count: es.length,
      pageToSession: stats(es.map((e) => e.session)),
      pageToDocument: stats(es.map((e) => e.document ?? Number.NaN).filter(Number.isFinite)),
      // Before the new document runs anything (a reload: the old page torn down first), then the app's scripts.
      pageToFirstScript: stats(es.map((e) => e.firstScript ?? Number.NaN).filter(Number.isFinite)),
      pageToDomContentLoaded: stats(es.map((e) => e.domContentLoaded ?? Number.NaN).filter(Number.isFinite)),
      sessionToConnected: stats(es.map((e) => e.connected - e.session)),
      // The steps inside it (absent in runs before they were recorded).
      sessionToJoined: stats(es.map((e) => (e.joined ?? Number.NaN) - e.session).filter(Number.isFinite)),
      joinedToTransports: stats(es.map((e) => (e.transports ?? Number.NaN) - (e.joined ?? Number.NaN)).filter(Number.isFinite)),
      transportsToConnecting: stats(es.map((e) => (e.recvConnecting ?? Number.NaN) - (e.transports ?? Number.NaN)).filter(Number.isFinite)),
      connectingToConnected: stats(es.map((e) => e.connected - (e.recvConnecting ?? Number.NaN)).filter(Number.isFinite)),
      connectedToAllFrames: stats(es.map((e) => e.allFrames - e.connected)),
      // Inside it: the consumers made, then the senders' keyframes (resume, PLI, encode, forward).
      connectedToConsumed: stats(es.map((e) => (e.consumed ?? Number.NaN) - e.connected).filter(Number.isFinite)),
      consumedToLastFirstPacket: stats(
        es.map((e) => Math.max(...Object.values(e.packets ?? {})) - (e.consumed ?? Number.NaN)).filter(Number.isFinite),
      ),
      firstFrame: stats(es.map((e) => e.firstFrame)),
      allFrames: stats(es.map((e) => e.allFrames)),
    };
  };
  // New video consumers that had forwarded nothing after their resume and were sent a keyframe request again.
  const metrics = await (await fetch(`${sfu.url}/metrics`)).text();
  const keyframeRetries = Number(/^lienthong_keyframe_retries_total (\S+)$/m.exec(metrics)?.[1] ?? Number.NaN);
  console.log(`keyframes asked for again by the first-frame watch: ${keyframeRetries}`);
  const result = { join: phases('join'), rejoin: phases('rejoin'), keyframeRetries };
  for (const [kind, p] of Object.entries({ join: result.join, rejoin: result.rejoin }))
    console.log(
      `${kind.padEnd(7)} every other site's frame p50 ${p.allFrames.p50} ms p95 ${p.allFrames.p95} ms (first one p50 ${p.firstFrame.p50}); ` +
        `page -> session p50 ${p.pageToSession.p50}, session -> transport connected p50 ${p.sessionToConnected.p50}, connected -> frames p50 ${p.connectedToAllFrames.p50} ms\n` +
        `        document in ${p.pageToDocument.p50} ms, its first script ${p.pageToFirstScript.p50} ms, DOMContentLoaded ${p.pageToDomContentLoaded.p50} ms; in session -> connected: join ${p.sessionToJoined.p50}, transports ${p.joinedToTransports.p50}, first consume ${p.transportsToConnecting.p50}, ICE+DTLS ${p.connectingToConnected.p50} ms; ` +
        `in connected -> frames: all consumed ${p.connectedToConsumed.p50}, then the last site's first video packet ${p.consumedToLastFirstPacket.p50} ms`,
    );
  writeFileSync(
    out,
    `${JSON.stringify({ date: new Date().toISOString(), commit: measured, machine: machine(), meeting: `4 sites (3 staying, 1 entering), Chromium headless, loopback HTTPS; the staying sites' Chromium ${low ? `at CPU weight ${process.env.OTHERS_SHARES ?? '128'} of 1024` : 'at the same CPU weight'}`, goal: 'p50 < 1000 ms', result, entries }, null, 1)}\n`,
  );
  console.log(`written to ${out}`);
} finally {
  await browser.close();
  if (othersBrowser !== browser) await othersBrowser.close();
  if (low) {
    rmSync(low.dir, { recursive: true, force: true });
    try {
      rmdirSync(low.cgroup);
    } catch {
      // a process of it still exiting: the empty group is harmless
    }
  }
  await sfu.stop();
}
