// Every few seconds each server tells a meeting all the producers that start on it. Events
// (announce, pause, close) are immediate but can be lost while a link is cut; the roster repairs
// that: what a roster lacks is gone, what it adds is new, and a server not heard from for three
// rosters is taken as gone with everything it sent. The whole list goes when it changed, on joining,
// when a neighbour comes back, when another server asks, and every 30 s; in between only its digest
// (16 hex digits), which a big meeting's list would otherwise cost each link every 3 s. A server
// whose view of the sender's producers does not match the digest asks for the whole list.
import { createHash } from 'node:crypto';
import type { ProducerEvent, Roster, RosterMessage } from '../protocol/cascade';
import type { CascadeBus } from './bus';

export interface RosterSource {
  /** This server's own producers in a meeting, as the roster lists them. */
  own(meetingId: string): Roster['producers'];
  /** Remote producers known here, by origin. */
  known(meetingId: string): { producerId: string; origin: string }[];
  /** Apply what a roster or a silence implies, as if the event had arrived. */
  apply(e: ProducerEvent): void;
}

export const ROSTER_EVERY_MS = 3000;
/** The whole list goes at least this often, digest or not. */
export const WHOLE_EVERY_MS = 30_000;
/** Asks for another server's whole list, and answers to such asks, no more often than this per meeting. */
const ASK_GAP_MS = 5000;

/** The producers a roster lists, as one short string (order does not matter). */
export function rosterDigest(producerIds: readonly string[]): string {
  return createHash('sha256')
    .update([...producerIds].sort().join(','))
    .digest('hex')
    .slice(0, 16);
}

export class RosterKeeper {
  private readonly heard = new Map<string, Map<string, number>>();
  private readonly unsubscribe = new Map<string, () => void>();
  /** The last whole list sent per meeting: its digest and when. */
  private readonly whole = new Map<string, { digest: string; at: number }>();
  /** When a whole list was last asked for (`meeting/origin`) or sent on an ask (`meeting`). */
  private readonly asked = new Map<string, number>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly bus: Pick<CascadeBus, 'serverId' | 'onRosters'> & { publishRoster(r: RosterMessage): void },
    private readonly source: RosterSource,
    private readonly everyMs = ROSTER_EVERY_MS,
    private readonly now: () => number = Date.now,
  ) {}

  join(meetingId: string): void {
    if (this.unsubscribe.has(meetingId)) return;
    this.heard.set(meetingId, new Map());
    this.unsubscribe.set(
      meetingId,
      this.bus.onRosters(meetingId, (r) => this.receive(r)),
    );
    this.send(meetingId);
    if (!this.timer) {
      this.timer = setInterval(() => this.tick(), this.everyMs);
      this.timer.unref();
    }
  }

  leave(meetingId: string): void {
    this.unsubscribe.get(meetingId)?.();
    this.unsubscribe.delete(meetingId);
    this.heard.delete(meetingId);
    this.whole.delete(meetingId);
    for (const key of [...this.asked.keys()]) if (key === meetingId || key.startsWith(`${meetingId}/`)) this.asked.delete(key);
  }

  /** Any message from an origin shows it is alive. */
  heardFrom(meetingId: string, origin: string): void {
    this.heard.get(meetingId)?.set(origin, this.now());
  }

  /** Send the whole list now (joining, after a link came back: the far side learns at once). */
  send(meetingId: string): void {
    const producers = this.source.own(meetingId);
    this.whole.set(meetingId, { digest: rosterDigest(producers.map((p) => p.producerId)), at: this.now() });
    this.bus.publishRoster({ meetingId, origin: this.bus.serverId, producers });
  }

  /** Each interval: the whole list if it changed (or is due), else its digest. */
  private sendDue(meetingId: string): void {
    const producers = this.source.own(meetingId);
    const digest = rosterDigest(producers.map((p) => p.producerId));
    const last = this.whole.get(meetingId);
    if (!last || last.digest !== digest || this.now() - last.at >= WHOLE_EVERY_MS) this.send(meetingId);
    else this.bus.publishRoster({ meetingId, origin: this.bus.serverId, digest });
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    for (const m of [...this.unsubscribe.keys()]) this.leave(m);
  }

  private tick(): void {
    for (const meetingId of this.unsubscribe.keys()) {
      this.sendDue(meetingId);
      const heard = this.heard.get(meetingId)!;
      for (const [origin, at] of heard) {
        if (this.now() - at < 3 * this.everyMs) continue;
        heard.delete(origin);
        this.closeAllOf(meetingId, origin, new Set());
      }
    }
  }

  private receive(m: RosterMessage): void {
    this.heardFrom(m.meetingId, m.origin);
    if ('want' in m) {
      if (m.want === this.bus.serverId && this.once(m.meetingId)) this.send(m.meetingId);
    } else if ('digest' in m) {
      const mine = this.source
        .known(m.meetingId)
        .filter((k) => k.origin === m.origin)
        .map((k) => k.producerId);
      if (rosterDigest(mine) !== m.digest && this.once(`${m.meetingId}/${m.origin}`))
        this.bus.publishRoster({ meetingId: m.meetingId, origin: this.bus.serverId, want: m.origin });
    } else this.receiveWhole(m);
  }

  /** True at most once per ASK_GAP_MS for a key. */
  private once(key: string): boolean {
    const at = this.asked.get(key);
    if (at !== undefined && this.now() - at < ASK_GAP_MS) return false;
    this.asked.set(key, this.now());
    return true;
  }

  private receiveWhole(r: Roster): void {
    const listed = new Set(r.producers.map((p) => p.producerId));
    const known = new Set(this.source.known(r.meetingId).map((k) => k.producerId));
    for (const p of r.producers) {
      if (known.has(p.producerId)) continue;
      this.source.apply({
        meetingId: r.meetingId,
        origin: r.origin,
        producerId: p.producerId,
        event: 'announce',
        kind: p.kind,
        appData: p.appData,
      });
    }
    this.closeAllOf(r.meetingId, r.origin, listed);
  }

  private closeAllOf(meetingId: string, origin: string, keep: Set<string>): void {
    for (const k of this.source.known(meetingId)) {
      if (k.origin !== origin || keep.has(k.producerId)) continue;
      this.source.apply({ meetingId, origin, producerId: k.producerId, event: 'close', kind: 'video', appData: {} });
    }
  }
}
