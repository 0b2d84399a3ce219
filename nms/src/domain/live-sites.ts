// Which sites are in a live meeting now, as sfu-server last said (it reports every few seconds
// while meetings run). A list older than `ttlMs` is dropped: a stopped sfu-server
// cannot leave the network's priorities raised for ever.
import type { Clock } from './clock';

export const LIVE_SITES_TTL_MS = 60_000;

export class LiveSites {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs = LIVE_SITES_TTL_MS,
  ) {}

  /** The sites in live meetings now: each report is the whole list and replaces the last one. */
  report(codes: readonly string[]): void {
    const now = this.clock.now();
    this.seen.clear();
    for (const c of codes) this.seen.set(c, now);
  }

  codes(): string[] {
    this.prune(this.clock.now());
    return [...this.seen.keys()].sort();
  }

  has(code: string): boolean {
    const at = this.seen.get(code);
    return at !== undefined && this.clock.now() - at <= this.ttlMs;
  }

  private prune(now: number): void {
    for (const [c, at] of this.seen) if (now - at > this.ttlMs) this.seen.delete(c);
  }
}
