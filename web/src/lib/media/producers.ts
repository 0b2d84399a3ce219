// The remote producers a session knows of: the last join reply plus every announcement since,
// including those that arrived while the join was in flight (they may be missing from its reply).
import type { ProducerAnnouncement } from '@lienthong/sfu-server/protocol';

export class KnownProducers {
  private known = new Map<string, ProducerAnnouncement>();
  private arrivedDuringJoin: Map<string, ProducerAnnouncement> | null = null;

  beginJoin(): void {
    this.arrivedDuringJoin = new Map();
  }

  /** The reply is the server's list at join time; announcements that raced it are kept too. */
  endJoin(reply: readonly ProducerAnnouncement[]): void {
    this.known = new Map([...reply.map((p): [string, ProducerAnnouncement] => [p.producerId, p]), ...(this.arrivedDuringJoin ?? [])]);
    this.arrivedDuringJoin = null;
  }

  announced(a: ProducerAnnouncement): void {
    this.known.set(a.producerId, a);
    this.arrivedDuringJoin?.set(a.producerId, a);
  }

  closed(producerId: string): void {
    this.known.delete(producerId);
    this.arrivedDuringJoin?.delete(producerId);
  }

  paused(producerId: string, paused: boolean): void {
    const a = this.known.get(producerId);
    if (a) a.paused = paused;
  }

  has(producerId: string): boolean {
    return this.known.has(producerId);
  }

  list(): ProducerAnnouncement[] {
    return [...this.known.values()];
  }
}
