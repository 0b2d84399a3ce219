// Debian's Chromium driven by playwright-core, with fake camera and microphone.
// playwright gives every launch a fresh temporary profile.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

/**
 * A HOME whose NSS database (the one Chromium reads on Linux) trusts `caFile` as a root: the way IT installs
 * the internal CA on an official's PC (certutil), so HTTPS pages load with no interstitial and no flags.
 */
export function homeTrusting(caFile: string): string {
  const home = mkdtempSync(join(tmpdir(), 'lt-chromium-home-'));
  const db = `sql:${join(home, '.pki/nssdb')}`;
  mkdirSync(join(home, '.pki/nssdb'), { recursive: true });
  execFileSync('certutil', ['-N', '--empty-password', '-d', db]);
  execFileSync('certutil', ['-A', '-t', 'C,,', '-n', 'lienthong-test', '-i', caFile, '-d', db]);
  return home;
}

export async function launchChromium(
  opts: {
    executablePath?: string;
    args?: string[];
    /** A CA certificate (PEM) the browser trusts, e.g. startSfuServer's `caFile`. */
    caFile?: string;
    /** More environment for the browser process (e.g. to run it inside a namespace wrapper). */
    env?: Record<string, string>;
  } = {},
): Promise<Browser> {
  const home = opts.caFile ? homeTrusting(opts.caFile) : undefined;
  const browser = await chromium.launch({
    executablePath: opts.executablePath ?? '/usr/bin/chromium',
    headless: true,
    ...(home || opts.env ? { env: { ...process.env, ...(home ? { HOME: home } : {}), ...opts.env } as Record<string, string> } : {}),
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      '--allow-loopback-in-peer-connection',
      '--autoplay-policy=no-user-gesture-required',
      ...(opts.args ?? []),
    ],
  });
  if (home) browser.on('disconnected', () => rmSync(home, { recursive: true, force: true }));
  return browser;
}

export interface InboundByPeer {
  [peerId: string]: { framesDecoded: number; videoBytes: number; audioBytes: number; audioEnergy: number; frameWidth: number };
}

/**
 * Real decode statistics from the page's MediaSession (window.__lt.session):
 * inbound-rtp per remote peer, matched through the consumer's track id.
 */
export function inboundByPeer(page: Page): Promise<InboundByPeer> {
  return page.evaluate(async () => {
    type Remote = { peerId: string; kind: string; track: MediaStreamTrack };
    const s = (
      window as unknown as { __lt?: { session?: { remote: Map<string, Remote>; getStats(): Promise<{ recv?: RTCStatsReport }> } } }
    ).__lt?.session;
    if (!s) return {};
    const { recv } = await s.getStats();
    const out: Record<string, { framesDecoded: number; videoBytes: number; audioBytes: number; audioEnergy: number; frameWidth: number }> =
      {};
    const byTrack = new Map<string, string>();
    for (const r of s.remote.values()) byTrack.set(r.track.id, r.peerId);
    recv?.forEach((st: Record<string, unknown>) => {
      if (st.type !== 'inbound-rtp') return;
      const peer = byTrack.get(String(st.trackIdentifier));
      if (!peer) return;
      out[peer] ??= { framesDecoded: 0, videoBytes: 0, audioBytes: 0, audioEnergy: 0, frameWidth: 0 };
      const e = out[peer];
      if (st.kind === 'video') {
        e.framesDecoded += Number(st.framesDecoded ?? 0);
        e.videoBytes += Number(st.bytesReceived ?? 0);
        e.frameWidth = Math.max(e.frameWidth, Number(st.frameWidth ?? 0));
      } else {
        e.audioBytes += Number(st.bytesReceived ?? 0);
        e.audioEnergy += Number(st.totalAudioEnergy ?? 0);
      }
    });
    return out;
  });
}

export async function waitFor<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: T = await fn();
  while (!ok(last)) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 250));
    last = await fn();
  }
  return last;
}

/** Media from every listed peer is arriving now: decode counters move over a short window. */
export async function mediaFlowingFrom(page: Page, peers: string[], opts: { video?: boolean; windowMs?: number } = {}): Promise<boolean> {
  const a = await inboundByPeer(page);
  await new Promise((r) => setTimeout(r, opts.windowMs ?? 1500));
  const b = await inboundByPeer(page);
  return peers.every((p) => {
    const x = a[p];
    const y = b[p];
    if (!y) return false;
    const audioMoves = y.audioBytes > 0 && y.audioBytes !== x?.audioBytes && y.audioEnergy > 0;
    const videoMoves = y.framesDecoded > 0 && y.framesDecoded !== x?.framesDecoded;
    return audioMoves && (opts.video === false || videoMoves);
  });
}

/** What a page's MediaSession holds and receives, for a failing wait's message. */
export async function sessionDump(page: Page): Promise<string> {
  const state = await page.evaluate(() => {
    type Remote = { peerId: string; kind: string; paused: boolean; track: MediaStreamTrack };
    type Session = { status: string; peerId: string; remote: Map<string, Remote>; producers: Map<string, { paused: boolean }> };
    const s = (window as never as { __lt?: { session?: Session } }).__lt?.session;
    if (!s) return null;
    const remote = [...s.remote.values()].map((r) => `${r.peerId}:${r.kind}:${r.track.readyState}${r.paused ? ':paused' : ''}`);
    const sending = [...s.producers.entries()].map(([source, p]) => `${source}${p.paused ? ':paused' : ''}`); // private field, read for diagnosis
    return { status: s.status, peerId: s.peerId, sending, remote };
  });
  return JSON.stringify({ state, inbound: await inboundByPeer(page), video: await videoRtp(page) });
}

/** Video RTP counters both ways (sent per simulcast layer, received per stream), for a failing wait's message. */
function videoRtp(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const s = (window as never as { __lt?: { session?: { getStats(): Promise<{ send?: RTCStatsReport; recv?: RTCStatsReport }> } } }).__lt
      ?.session;
    if (!s) return [];
    const { send, recv } = await s.getStats();
    const out: string[] = [];
    send?.forEach((st: Record<string, unknown>) => {
      if (st.type === 'outbound-rtp' && st.kind === 'video')
        out.push(`out ${st.rid ?? ''} ${st.frameWidth ?? 0}w enc=${st.framesEncoded} pli=${st.pliCount} lim=${st.qualityLimitationReason}`);
    });
    recv?.forEach((st: Record<string, unknown>) => {
      if (st.type === 'inbound-rtp' && st.kind === 'video')
        out.push(`in ${st.trackIdentifier} pkts=${st.packetsReceived} dec=${st.framesDecoded} pli=${st.pliCount} fir=${st.firCount}`);
    });
    return out;
  });
}

/** The media server end (address and port) of a page's sending transport: its selected ICE pair. */
function mediaServerEnd(page: Page): Promise<{ address: string; port: number } | null> {
  return page.evaluate(async () => {
    const s = (window as never as { __lt?: { session?: { getStats(): Promise<{ send?: RTCStatsReport }> } } }).__lt?.session;
    const { send } = (await s?.getStats()) ?? {};
    let remoteId = '';
    send?.forEach((st: Record<string, unknown>) => {
      if (st.type === 'transport' && st.selectedCandidatePairId) {
        const pair = send.get(String(st.selectedCandidatePairId)) as Record<string, unknown> | undefined;
        remoteId = String(pair?.remoteCandidateId ?? '');
      }
    });
    const remote = remoteId ? (send?.get(remoteId) as Record<string, unknown> | undefined) : undefined;
    return remote ? { address: String(remote.address ?? remote.ip), port: Number(remote.port) } : null;
  });
}

/** Which media server a page sends to: its port, or its address. */
export const mediaServerPort = async (page: Page): Promise<number | null> => (await mediaServerEnd(page))?.port ?? null;
export const mediaServerAddress = async (page: Page): Promise<string | null> => (await mediaServerEnd(page))?.address ?? null;
