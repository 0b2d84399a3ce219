// The health of the cascade links between media servers, as the servers last reported it (each
// reports its view of its neighbours every few seconds). A link is shown as its parent server sees
// it (the province sees every province–district link), else as the child sees it (also while the
// parent has no answer yet). A report older than `ttlMs` is dropped: a server that stopped
// reporting says nothing about its links now.
import type { NeighbourHealth } from '@lienthong/kit/contracts';
import type { CascadeLinkHealth } from '../protocol/health';
import type { Clock } from './clock';

export const CASCADE_REPORT_TTL_MS = 20_000;

export class CascadeReports {
  private readonly byServer = new Map<string, { at: number; neighbours: Map<string, NeighbourHealth> }>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs = CASCADE_REPORT_TTL_MS,
  ) {}

  /** A server's whole view of its neighbours: it replaces the last one. */
  report(server: string, neighbours: readonly NeighbourHealth[]): void {
    this.byServer.set(server, { at: this.clock.now(), neighbours: new Map(neighbours.map((n) => [n.peer, n])) });
  }

  /** The link between a server and its parent; null when neither end reported it lately. */
  between(child: string, parent: string): CascadeLinkHealth | null {
    const above = this.seen(parent, child);
    const below = this.seen(child, parent);
    // A parent that has not heard back yet knows less than a child that has.
    return above && (above.state !== 'unknown' || !below) ? above : (below ?? above);
  }

  private seen(by: string, peer: string): CascadeLinkHealth | null {
    const r = this.byServer.get(by);
    if (!r) return null;
    if (this.clock.now() - r.at > this.ttlMs) {
      this.byServer.delete(by);
      return null;
    }
    const n = r.neighbours.get(peer);
    return n ? { state: n.state, rttMs: n.rttMs, since: n.since, seenBy: by } : null;
  }
}
