// What stands between a password guesser and the password check. Failures lock one address
// for one account (five bad passwords from one PC must not lock the chair out everywhere);
// many failures from many addresses lock the account itself (distributed guessing); every
// address has an attempt rate; and password hashing (scrypt, slow on purpose) runs a few at a
// time so a login flood cannot starve the rest of the server. Attempts in flight count
// against the limit before their hash finishes, and the lock is checked again after it.
import { type Clock, fail } from '../shared';

export interface LoginGuardOptions {
  /** Failed logins from one address for one account before that pair is locked. */
  maxFailedLogins: number;
  lockoutSeconds: number;
  /** Failed logins for one account from all addresses, within lockoutSeconds, before the account locks. */
  accountFailuresBeforeLock: number;
  /** Login attempts one address may make per minute, whatever the username. */
  attemptsPerMinutePerAddress: number;
  /** Password checks running at once, and waiting; beyond that a login is refused as busy. */
  maxConcurrentChecks: number;
  maxQueuedChecks: number;
}

export const DEFAULT_LOGIN_GUARD: LoginGuardOptions = {
  maxFailedLogins: 5,
  lockoutSeconds: 900,
  accountFailuresBeforeLock: 50,
  attemptsPerMinutePerAddress: 30,
  maxConcurrentChecks: 2,
  maxQueuedChecks: 32,
};

interface PairState {
  failures: number;
  pending: number;
  lockedUntil: number;
  touched: number;
}

export interface LoginTicket {
  readonly pairKey: string;
  readonly username: string;
  done: boolean;
}

/** Keeps the maps bounded under a flood of made-up usernames and addresses. */
const MAX_TRACKED = 50_000;

export class LoginGuard {
  private readonly pairs = new Map<string, PairState>();
  private readonly attempts = new Map<string, number[]>();
  private readonly accountFailures = new Map<string, number[]>();
  private running = 0;
  private readonly queue: (() => void)[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly opts: LoginGuardOptions,
  ) {}

  /** Before the password is checked: refuses, or reserves one failure slot for this attempt. */
  begin(address: string, username: string): LoginTicket {
    const now = this.clock.now().getTime();
    this.rateLimit(address, now);
    const pairKey = `${address}\u0000${username}`;
    const pair = this.pair(pairKey, now);
    if (pair.lockedUntil > now) this.refuseLocked(pair.lockedUntil);
    if (pair.failures + pair.pending >= this.opts.maxFailedLogins) {
      fail('LOGIN_LOCKED', 'Too many login attempts for this account from this address; wait and try again', {
        retryAfterSeconds: Math.ceil(this.opts.lockoutSeconds / 10),
      });
    }
    pair.pending++;
    return { pairKey, username, done: false };
  }

  /** After the check. A right password still fails when the pair was locked meanwhile. */
  finish(ticket: LoginTicket, ok: boolean): void {
    if (ticket.done) return;
    ticket.done = true;
    const now = this.clock.now().getTime();
    const pair = this.pair(ticket.pairKey, now);
    pair.pending = Math.max(0, pair.pending - 1);
    if (ok) {
      if (pair.lockedUntil > now) this.refuseLocked(pair.lockedUntil);
      pair.failures = 0;
      return;
    }
    pair.failures++;
    if (pair.failures >= this.opts.maxFailedLogins) {
      pair.failures = 0;
      pair.lockedUntil = now + this.opts.lockoutSeconds * 1000;
    }
  }

  /** Releases a reservation that ended before the password was looked at (disabled, locked...). */
  release(ticket: LoginTicket): void {
    if (ticket.done) return;
    ticket.done = true;
    const pair = this.pairs.get(ticket.pairKey);
    if (pair) pair.pending = Math.max(0, pair.pending - 1);
  }

  /** Counts a failure against the account as a whole; true when it should now lock. */
  accountFailed(username: string): boolean {
    const now = this.clock.now().getTime();
    const since = now - this.opts.lockoutSeconds * 1000;
    const list = (this.accountFailures.get(username) ?? []).filter((t) => t > since);
    list.push(now);
    this.bounded(this.accountFailures).set(username, list);
    if (list.length < this.opts.accountFailuresBeforeLock) return false;
    this.accountFailures.delete(username);
    return true;
  }

  /** An administrator's unlock: every address's lock and failure count for this account. */
  unlockAccount(username: string): void {
    const suffix = `\u0000${username}`;
    for (const [key, pair] of this.pairs) {
      if (key.endsWith(suffix)) {
        pair.failures = 0;
        pair.lockedUntil = 0;
      }
    }
    this.accountFailures.delete(username);
  }

  /** Runs a password check when a slot is free; refuses at once when too many are waiting. */
  async check<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= this.opts.maxConcurrentChecks) {
      if (this.queue.length >= this.opts.maxQueuedChecks) fail('SERVER_BUSY', 'Too many logins at once; try again in a moment');
      await new Promise<void>((resolve) => this.queue.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await fn();
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.running--;
    }
  }

  /** Checks waiting and running now (for tests and metrics). */
  load(): { running: number; queued: number } {
    return { running: this.running, queued: this.queue.length };
  }

  private rateLimit(address: string, now: number): void {
    const since = now - 60_000;
    const list = (this.attempts.get(address) ?? []).filter((t) => t > since);
    if (list.length >= this.opts.attemptsPerMinutePerAddress) {
      this.attempts.set(address, list);
      const retryAfterSeconds = Math.max(1, Math.ceil((list[0]! + 60_000 - now) / 1000));
      fail('RATE_LIMITED', 'Too many login attempts from this address; wait and try again', { retryAfterSeconds });
    }
    list.push(now);
    this.bounded(this.attempts).set(address, list);
  }

  private pair(key: string, now: number): PairState {
    let p = this.pairs.get(key);
    if (!p) {
      p = { failures: 0, pending: 0, lockedUntil: 0, touched: now };
      this.bounded(this.pairs).set(key, p);
    }
    p.touched = now;
    return p;
  }

  private refuseLocked(until: number): never {
    const lockedUntil = new Date(until).toISOString();
    fail('LOGIN_LOCKED', `Too many failed logins for this account from this address; try again after ${lockedUntil}`, {
      lockedUntil,
      retryAfterSeconds: Math.max(1, Math.ceil((until - this.clock.now().getTime()) / 1000)),
    });
  }

  /** Forgets the oldest entries (insertion order) once a map holds too many. */
  private bounded<V>(map: Map<string, V>): Map<string, V> {
    if (map.size >= MAX_TRACKED) {
      let drop = Math.ceil(MAX_TRACKED / 10);
      for (const k of map.keys()) {
        if (drop-- <= 0) break;
        map.delete(k);
      }
    }
    return map;
  }
}
