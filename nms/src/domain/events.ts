// Events with de-duplication: the same thing about the same object inside the window folds
// into one event with a count, so a trap flood or a poll loop cannot fill the store.
import type { EventKind, EventView } from '../protocol/health';
import type { Clock } from './clock';

export interface NewEvent {
  kind: EventKind;
  severity: EventView['severity'];
  source: EventView['source'];
  deviceId?: string | null;
  linkId?: string | null;
  siteCode?: string | null;
  interface?: string | null;
  message: string;
  details?: unknown;
  /** A key the source gives (Alertmanager: fingerprint, status, start): its duplicates fold at any age. */
  sourceKey?: string;
}

export interface EventStore {
  insert(e: NewEvent & { at: number; dedupKey: string }): number;
  bump(id: number, at: number): void;
  /** Newest event with this key at or after `since`, if any. */
  findRecent(dedupKey: string, since: number): { id: number } | undefined;
}

export function dedupKey(e: NewEvent): string {
  // A different severity or a different state transition is news, never a duplicate:
  // folding "unknown -> up" and "up -> down" together would hide a link going down.
  return [
    e.kind,
    e.severity,
    e.deviceId ?? '',
    e.linkId ?? '',
    e.interface ?? '',
    e.kind === 'vendor_trap' || e.kind === 'poll_error' || e.kind === 'link_state' ? e.message : '',
  ].join('|');
}

export class EventLog {
  private readonly listeners: ((e: NewEvent & { id: number; duplicate: boolean }) => void)[] = [];

  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
    private readonly windowMs = 5 * 60_000,
  ) {}

  onEvent(fn: (e: NewEvent & { id: number; duplicate: boolean }) => void): void {
    this.listeners.push(fn);
  }

  /** Records the event or folds it into a recent duplicate; returns the event id. */
  record(e: NewEvent): { id: number; duplicate: boolean } {
    const at = this.clock.now();
    const key = e.sourceKey ?? dedupKey(e);
    const recent = this.store.findRecent(key, e.sourceKey ? 0 : at - this.windowMs);
    let out: { id: number; duplicate: boolean };
    if (recent) {
      this.store.bump(recent.id, at);
      out = { id: recent.id, duplicate: true };
    } else {
      out = { id: this.store.insert({ ...e, at, dedupKey: key }), duplicate: false };
    }
    for (const l of this.listeners) l({ ...e, ...out });
    return out;
  }
}

/** Token bucket per source: a flooding sender is cut off, and told about once. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly perSecond: number,
    private readonly burst: number,
  ) {}

  allow(source: string): boolean {
    const now = this.clock.now();
    const b = this.buckets.get(source) ?? { tokens: this.burst, at: now };
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.perSecond);
    b.at = now;
    const ok = b.tokens >= 1;
    if (ok) b.tokens -= 1;
    this.buckets.set(source, b);
    if (this.buckets.size > 10_000) this.buckets.clear(); // spoofed-source floods must not grow memory
    return ok;
  }
}
