// Every few seconds each server tells a meeting all the producers that start on it. Events
// (announce, pause, close) are immediate but can be lost while a link is cut; the roster repairs
// that: what a roster lacks is gone, what it adds is new, and a server not heard from for three
// rosters is taken as gone with everything it sent.
import type { ProducerEvent, Roster } from '../protocol/cascade';
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

export class RosterKeeper {
  private readonly heard = new Map<string, Map<string, number>>();
  private readonly unsubscribe = new Map<string, () => void>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly bus: Pick<CascadeBus, 'serverId' | 'publishRoster' | 'onRosters'>,
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
  }

  /** Any message from an origin shows it is alive. */
  heardFrom(meetingId: string, origin: string): void {
    this.heard.get(meetingId)?.set(origin, this.now());
  }

  /** Send now (after a link came back, so the far side learns at once). */
  send(meetingId: string): void {
    this.bus.publishRoster({ meetingId, origin: this.bus.serverId, producers: this.source.own(meetingId) });
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    for (const m of [...this.unsubscribe.keys()]) this.leave(m);
  }

  private tick(): void {
    for (const meetingId of this.unsubscribe.keys()) {
      this.send(meetingId);
      const heard = this.heard.get(meetingId)!;
      for (const [origin, at] of heard) {
        if (this.now() - at < 3 * this.everyMs) continue;
        heard.delete(origin);
        this.closeAllOf(meetingId, origin, new Set());
      }
    }
  }

  private receive(r: Roster): void {
    this.heardFrom(r.meetingId, r.origin);
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
