// A request budget per connection: `burst` requests at once, refilled at `perSecond`.
// A second budget counts refusals: a client that keeps sending past its limit is cut off.

export interface RateLimitOptions {
  perSecond: number;
  burst: number;
  /** Refusals (refilled at the same rate) before the client is cut off. */
  refusedBeforeDisconnect: number;
}

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly perSecond: number,
    private readonly capacity: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.last = now;
  }

  /** Takes one token if there is one. */
  take(now: number): boolean {
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export type RateVerdict = 'ok' | 'refused' | 'disconnect';

/** One connection's request rate: each request is let through, refused, or ends the connection. */
export class RequestRateLimiter {
  private readonly requests: TokenBucket;
  private readonly refusals: TokenBucket;

  constructor(opts: RateLimitOptions, now: number) {
    this.requests = new TokenBucket(opts.perSecond, opts.burst, now);
    this.refusals = new TokenBucket(opts.perSecond, opts.refusedBeforeDisconnect, now);
  }

  check(now: number): RateVerdict {
    if (this.requests.take(now)) return 'ok';
    return this.refusals.take(now) ? 'refused' : 'disconnect';
  }
}
