// A meeting of three sites where one (a commune) sits behind a thin link: the chair and a district
// in a host Chromium, the commune's Chromium in a network namespace shaped by shaping.ts. Shared
// by tests/integration/thin-link.test.ts and the thin-link bench.
import type { Browser, Page } from 'playwright-core';
import { launchChromium, waitFor } from './browser';
import { loginAndJoin, myPeerId, waitConnected } from './meeting-ui';
import { createNetns, type TestNetns } from './netns';
import { type SfuProcess, startSfuServer } from './sfu-process';
import { type LinkShape, shape } from './shaping';

const PASSWORD = 'lienthong123';

/** What a page receives from one remote site, from inbound-rtp. */
export interface PeerReceive {
  concealed: number;
  samples: number;
  framesDecoded: number;
  freezeCount: number;
  freezeSec: number;
  frameWidth: number;
  /** Retransmissions of lost audio asked for. */
  audioNacks: number;
}

/** Receive counters per remote peer on a page (window.__lt.session), matched by track id. */
export function receiveStats(page: Page): Promise<Record<string, PeerReceive>> {
  return page.evaluate(async () => {
    type Remote = { peerId: string; track: MediaStreamTrack };
    const s = (window as unknown as { __lt: { session: { remote: Map<string, Remote>; getStats(): Promise<{ recv?: RTCStatsReport }> } } })
      .__lt.session;
    const { recv } = await s.getStats();
    const byTrack = new Map<string, string>();
    for (const r of s.remote.values()) byTrack.set(r.track.id, r.peerId);
    const out: Record<string, PeerReceive> = {};
    recv?.forEach((st: Record<string, unknown>) => {
      const peer = st.type === 'inbound-rtp' ? byTrack.get(String(st.trackIdentifier)) : undefined;
      if (!peer) return;
      out[peer] ??= { concealed: 0, samples: 0, framesDecoded: 0, freezeCount: 0, freezeSec: 0, frameWidth: 0, audioNacks: 0 };
      const e = out[peer];
      if (st.kind === 'audio') {
        e.concealed += Number(st.concealedSamples ?? 0);
        e.samples += Number(st.totalSamplesReceived ?? 0);
        e.audioNacks += Number(st.nackCount ?? 0);
      } else {
        e.framesDecoded += Number(st.framesDecoded ?? 0);
        e.freezeCount += Number(st.freezeCount ?? 0);
        e.freezeSec += Number(st.totalFreezesDuration ?? 0);
        e.frameWidth = Math.max(e.frameWidth, Number(st.frameWidth ?? 0));
      }
    });
    return out;
  });
}

export interface WindowFigures {
  /** Concealed share of received audio samples, percent, per remote peer. */
  concealedPct: Record<string, number>;
  freezes: number;
  freezeSec: number;
  framesDecoded: Record<string, number>;
}

/** What happened between two snapshots of receiveStats. */
export function between(a: Record<string, PeerReceive>, b: Record<string, PeerReceive>, peers: string[]): WindowFigures {
  const out: WindowFigures = { concealedPct: {}, freezes: 0, freezeSec: 0, framesDecoded: {} };
  for (const p of peers) {
    const x = a[p];
    const y = b[p];
    if (!y) continue;
    const samples = y.samples - (x?.samples ?? 0);
    out.concealedPct[p] = samples > 0 ? (100 * (y.concealed - (x?.concealed ?? 0))) / samples : 100;
    out.freezes += y.freezeCount - (x?.freezeCount ?? 0);
    out.freezeSec += y.freezeSec - (x?.freezeSec ?? 0);
    out.framesDecoded[p] = y.framesDecoded - (x?.framesDecoded ?? 0);
  }
  return out;
}

export interface ThinMeeting {
  ns: TestNetns;
  sfu: SfuProcess;
  host: Browser;
  commune: Browser;
  chair: Page;
  district: Page;
  /** The commune's page, in the lobby until enterShaped. */
  page: Page;
  peers: { chair: string; district: string; commune: string };
  close(): Promise<void>;
}

/** Chair and district in the meeting; the commune logged in and waiting in the lobby (link not shaped yet). */
export async function openThinMeeting(opts: { subnet: number; adaptation?: boolean }): Promise<ThinMeeting> {
  const ns = createNetns(`thin${opts.subnet}`, opts.subnet);
  const sfu = await startSfuServer({
    listenIp: '0.0.0.0',
    announcedAddress: ns.hostIp,
    tlsNames: [ns.hostIp],
    graceSeconds: 10,
    // THIN_LOG=debug: the server logs every adaptation sample (to record sequences for the unit tests).
    logLevel: (process.env.THIN_LOG as 'debug' | 'info' | undefined) ?? 'info',
    ...(opts.adaptation === undefined ? {} : { adaptation: opts.adaptation }),
  });
  const host = await launchChromium({ caFile: sfu.caFile });
  const chair = await loginAndJoin(host, sfu.httpsUrl(), 'chutri.tinh', PASSWORD);
  const district = await loginAndJoin(host, sfu.httpsUrl(), 'daibieu.dt', PASSWORD);
  const commune = await launchChromium({ executablePath: ns.chromiumWrapper, caFile: sfu.caFile });
  const page = await (await commune.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  page.on('pageerror', (e) => console.warn(`[commune] page error: ${e.message}`));
  await page.goto(`${sfu.httpsUrl(ns.hostIp)}/#/login`);
  await page.locator('input[name="username"]').fill('xa.cuvan');
  await page.locator('input[name="password"]').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('meeting-item').first().waitFor({ timeout: 20_000 });
  await page.getByTestId('join-meeting').first().click();
  await page.getByTestId('lobby-preview').waitFor({ timeout: 20_000 });
  return {
    ns,
    sfu,
    host,
    commune,
    chair,
    district,
    page,
    peers: { chair: await myPeerId(chair), district: await myPeerId(district), commune: '' },
    async close() {
      await commune.close().catch(() => undefined);
      await host.close().catch(() => undefined);
      await sfu.stop();
      ns.remove();
    },
  };
}

/**
 * Shapes the commune's link, enters the room; returns ms from entering to the first remote frame
 * (`until: 'audio'`: to the first remote audio, for links too thin for any video).
 */
export async function enterShaped(m: ThinMeeting, s: LinkShape, until: 'frame' | 'audio' = 'frame'): Promise<number> {
  shape(m.ns, s);
  const t0 = Date.now();
  await m.page.getByTestId('enter-room').click();
  await waitConnected(m.page, 60_000);
  m.peers.commune = await myPeerId(m.page);
  // Keep what the server says it shed, with the time, for the test's report.
  await m.page.evaluate(() => {
    const w = window as unknown as { __lt: { sig: { on(e: string, f: (d: unknown) => void): void } }; __shed: unknown[] };
    w.__shed = [];
    w.__lt.sig.on('media:adaptation', (d) => w.__shed.push({ at: Date.now(), d }));
  });
  await waitFor(
    () => receiveStats(m.page),
    (r) => Object.values(r).some((p) => (until === 'frame' ? p.framesDecoded > 0 : p.samples > 0)),
    60_000,
    `a first remote ${until} at the commune`,
  );
  return Date.now() - t0;
}

/** The commune's own rows of every media:adaptation it received: [ms since the first, step, kbit/s, sending paused]. */
export async function shedTimeline(m: ThinMeeting): Promise<string> {
  const events = await m.page.evaluate(
    () => (window as unknown as { __shed: { at: number; d: { sites: Record<string, unknown>[] } }[] }).__shed,
  );
  const t0 = events[0]?.at ?? 0;
  return events
    .map((e) => {
      const mine = e.d.sites.find((s) => s.peerId === m.peers.commune);
      return mine ? `${((e.at - t0) / 1000).toFixed(1)}s:${mine.step}@${mine.linkKbps}${mine.sendVideoPaused ? '/cam-paused' : ''}` : null;
    })
    .filter(Boolean)
    .join(' ');
}
