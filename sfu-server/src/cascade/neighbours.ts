// Whether each neighbouring server answers now. NATS reconnects by itself and says nothing of the
// far side, so each server pings its neighbours: three missed answers in a row and the neighbour is
// down (its links are dropped); an answer with a new boot id means it restarted (links made again).
import { PingAnswer } from '../protocol/cascade';
import type { CascadeBus } from './bus';

export type NeighbourState = 'unknown' | 'up' | 'down';

export interface NeighbourEvents {
  up(peer: string): void;
  down(peer: string): void;
}

export interface NeighbourOptions {
  intervalMs?: number;
  timeoutMs?: number;
  /** Missed answers in a row before a neighbour is down. */
  misses?: number;
}

interface Peer {
  state: NeighbourState;
  misses: number;
  bootId?: string;
  inFlight: boolean;
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
    for (const p of peers) if (!this.peers.has(p)) this.peers.set(p, { state: 'unknown', misses: 0, inFlight: false });
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

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private round(): void {
    for (const [name, peer] of this.peers) if (!peer.inFlight) void this.probe(name, peer);
  }

  private async probe(name: string, peer: Peer): Promise<void> {
    peer.inFlight = true;
    try {
      const { bootId } = await this.bus.request(name, 'ping', {}, PingAnswer, this.opts.timeoutMs ?? 1500);
      peer.misses = 0;
      const restarted = peer.bootId !== undefined && peer.bootId !== bootId;
      peer.bootId = bootId;
      if (restarted && peer.state === 'up') this.set(name, peer, 'down');
      if (peer.state !== 'up') this.set(name, peer, 'up');
    } catch {
      peer.misses++;
      if (peer.misses >= (this.opts.misses ?? 3) && peer.state !== 'down') this.set(name, peer, 'down');
    } finally {
      peer.inFlight = false;
    }
  }

  private set(name: string, peer: Peer, state: 'up' | 'down'): void {
    if (!this.peers.has(name)) return;
    peer.state = state;
    this.events[state](name);
  }
}
