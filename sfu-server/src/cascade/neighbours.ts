// Whether each neighbouring server answers now. NATS reconnects by itself and says nothing of the
// far side, so each server pings its neighbours: three missed answers in a row and the neighbour is
// down (its links are dropped); an answer with a new boot id means it restarted (links made again).
// Each answer's round trip is kept too: the NMS shows it beside the WAN link the cascade rides on.
import type { NeighbourHealth } from '@lienthong/kit/contracts';
import { PingAnswer } from '../protocol/cascade';
import type { CascadeBus } from './bus';

export type NeighbourState = 'unknown' | 'up' | 'down';

export interface NeighbourEvents {
  up(peer: string): void;
  /** `restarted`: it answered with a new boot id; else it stopped answering. */
  down(peer: string, restarted: boolean): void;
}

export interface NeighbourOptions {
  intervalMs?: number;
  timeoutMs?: number;
  /** Missed answers in a row before a neighbour is down. */
  misses?: number;
  /** Milliseconds since the epoch (tests set it). */
  now?: () => number;
}

interface Peer {
  state: NeighbourState;
  misses: number;
  bootId?: string;
  inFlight: boolean;
  /** When the state last changed (or watching began). */
  since: number;
  /** The last answered ping's round trip; null until one is answered. */
  rttMs: number | null;
}

export class Neighbours {
  private readonly peers = new Map<string, Peer>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly bus: Pick<CascadeBus, 'request'>,
    private readonly events: NeighbourEvents,
    private readonly opts: NeighbourOptions = {},
  ) {}

  /** Watch these neighbours (others are forgotten). */
  watch(peers: readonly string[]): void {
    const since = this.now();
    for (const p of peers) if (!this.peers.has(p)) this.peers.set(p, { state: 'unknown', misses: 0, inFlight: false, since, rttMs: null });
    for (const p of [...this.peers.keys()]) if (!peers.includes(p)) this.peers.delete(p);
    if (!this.timer) {
      this.timer = setInterval(() => this.round(), this.opts.intervalMs ?? 2000);
      this.timer.unref();
      this.round();
    }
  }

  state(peer: string): NeighbourState {
    return this.peers.get(peer)?.state ?? 'unknown';
  }

  all(): Record<string, NeighbourState> {
    return Object.fromEntries([...this.peers].map(([k, v]) => [k, v.state]));
  }

  /** Each neighbour's state, since when, its last round trip and the pings missed in a row. */
  health(): NeighbourHealth[] {
    return [...this.peers].map(([peer, p]) => ({
      peer,
      state: p.state,
      since: new Date(p.since).toISOString(),
      // A round trip from before a cut says nothing about the link now.
      rttMs: p.state === 'up' ? p.rttMs : null,
      missed: p.misses,
    }));
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  private round(): void {
    for (const [name, peer] of this.peers) if (!peer.inFlight) void this.probe(name, peer);
  }

  private async probe(name: string, peer: Peer): Promise<void> {
    peer.inFlight = true;
    const sent = this.now();
    try {
      const { bootId } = await this.bus.request(name, 'ping', {}, PingAnswer, this.opts.timeoutMs ?? 1500);
      peer.rttMs = this.now() - sent;
      peer.misses = 0;
      const restarted = peer.bootId !== undefined && peer.bootId !== bootId;
      peer.bootId = bootId;
      if (restarted && peer.state === 'up') this.set(name, peer, 'down', true);
      if (peer.state !== 'up') this.set(name, peer, 'up');
    } catch {
      peer.misses++;
      if (peer.misses >= (this.opts.misses ?? 3) && peer.state !== 'down') this.set(name, peer, 'down');
    } finally {
      peer.inFlight = false;
    }
  }

  private set(name: string, peer: Peer, state: 'up' | 'down', restarted = false): void {
    if (!this.peers.has(name)) return;
    peer.state = state;
    peer.since = this.now();
    if (state === 'up') this.events.up(name);
    else this.events.down(name, restarted);
  }
}
