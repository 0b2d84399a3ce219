// The session's network path: the TURN relays the server issues (fetched at join, again when half
// their lifetime is gone), the fallback to them (ice-path.ts decides when), and the path in use,
// read from getStats for the page to show.
import type { types } from 'mediasoup-client';
import type { SignallingClient } from '../signalling/client';
import { IceFallback, type MediaPath, pathFromStats } from './ice-path';
import { restartIce } from './transport';

const PATH_POLL_MS = 3000;

export class MediaPaths {
  /** Path of the send transport (the recv one when nothing is sent); null until connected. */
  path: MediaPath | null = null;
  readonly fallback: IceFallback;
  private servers: { list: RTCIceServer[]; fetchedAt: number; ttlMs: number } | null = null;
  private fetching: Promise<RTCIceServer[]> | null = null;
  private poll: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly sig: SignallingClient,
    /** Current transports, send first. */
    private readonly transports: () => types.Transport[],
    private readonly changed: () => void,
    isClosed: () => boolean,
  ) {
    this.fallback = new IceFallback({ useRelay: () => this.useRelay(), isClosed });
  }

  /** The issued relays; asked for again when half their lifetime has passed. */
  iceServers(): Promise<RTCIceServer[]> {
    const s = this.servers;
    if (s && Date.now() - s.fetchedAt < s.ttlMs / 2) return Promise.resolve(s.list);
    this.fetching ??= this.sig
      .request('media:iceServers', {})
      .then(({ iceServers, ttlSeconds }) => {
        this.servers = { list: iceServers, fetchedAt: Date.now(), ttlMs: ttlSeconds * 1000 };
        return iceServers;
      })
      .finally(() => (this.fetching = null));
    return this.fetching;
  }

  /** For a new transport: the relays once the session has needed them, else none (direct first). */
  async forNewTransport(): Promise<RTCIceServer[] | undefined> {
    return this.fallback.relay ? await this.iceServers() : undefined;
  }

  /** A transport's ICE restart after network trouble: with fresh credentials when relayed. */
  async beforeRestart(t: types.Transport): Promise<void> {
    if (this.fallback.relay) await t.updateIceServers({ iceServers: await this.iceServers() });
  }

  onState(t: types.Transport, state: string): void {
    this.fallback.onState(t.id, state);
    if (state === 'connected') void this.refresh();
  }

  start(): void {
    void this.iceServers().catch(() => undefined); // at join, so a fallback does not wait for it
    this.poll = setInterval(() => void this.refresh(), PATH_POLL_MS);
  }

  stop(): void {
    clearInterval(this.poll);
  }

  private async useRelay(): Promise<void> {
    const iceServers = await this.iceServers();
    if (iceServers.length === 0) throw new Error('the server offers no TURN relay');
    for (const t of this.transports()) {
      if (t.closed) continue;
      await t.updateIceServers({ iceServers });
      if (t.connectionState !== 'connected') {
        await restartIce(this.sig, t);
      }
    }
  }

  async refresh(): Promise<void> {
    let path: MediaPath | null = null;
    for (const t of this.transports()) {
      if (t.closed || t.connectionState !== 'connected') continue;
      path = pathFromStats((await t.getStats().catch(() => new Map())).values() as Iterable<Record<string, unknown>>);
      if (path) break;
    }
    if (path !== this.path) {
      this.path = path;
      this.changed();
    }
  }
}
