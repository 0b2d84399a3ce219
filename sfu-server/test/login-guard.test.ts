import { AppError } from '@lienthong/kit';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LOGIN_GUARD, LoginGuard } from '../src/domain/accounts/login-guard';

function clockAt(ms: number) {
  const c = { t: ms, now: () => new Date(c.t) };
  return c;
}
const codeOf = (fn: () => unknown): string | null => {
  try {
    fn();
    return null;
  } catch (e) {
    return e instanceof AppError ? e.code : 'not an AppError';
  }
};

describe('login guard', () => {
  it('counts attempts in flight against the limit, then locks the pair only', () => {
    const clock = clockAt(0);
    const g = new LoginGuard(clock, { ...DEFAULT_LOGIN_GUARD, maxFailedLogins: 2, lockoutSeconds: 60 });
    const first = g.begin('a', 'chair');
    const second = g.begin('a', 'chair');
    expect(codeOf(() => g.begin('a', 'chair'))).toBe('LOGIN_LOCKED'); // two in flight fill the limit
    g.finish(first, false);
    g.finish(second, false);
    expect(codeOf(() => g.begin('a', 'chair'))).toBe('LOGIN_LOCKED');
    expect(codeOf(() => g.begin('b', 'chair'))).toBeNull(); // another address is unaffected
    expect(codeOf(() => g.begin('a', 'other'))).toBeNull(); // and so is another account from the same address
    clock.t += 60_001;
    expect(codeOf(() => g.begin('a', 'chair'))).toBeNull();
  });

  it('rate-limits an address whatever the usernames, and says when to retry', () => {
    const clock = clockAt(0);
    const g = new LoginGuard(clock, { ...DEFAULT_LOGIN_GUARD, attemptsPerMinutePerAddress: 5 });
    for (let i = 0; i < 5; i++) g.release(g.begin('a', `user${i}`));
    try {
      g.begin('a', 'user9');
      expect.unreachable();
    } catch (e) {
      expect((e as AppError).code).toBe('RATE_LIMITED');
      expect((e as AppError).details).toEqual({ retryAfterSeconds: 60 });
    }
    clock.t += 60_001;
    expect(codeOf(() => g.begin('a', 'user9'))).toBeNull();
  });

  it('runs a bounded number of checks at once and refuses past the queue', async () => {
    const g = new LoginGuard(clockAt(0), { ...DEFAULT_LOGIN_GUARD, maxConcurrentChecks: 2, maxQueuedChecks: 3 });
    let peak = 0;
    let running = 0;
    const gates: (() => void)[] = [];
    const job = () =>
      g.check(async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((r) => gates.push(r));
        running--;
        return true;
      });
    const jobs = Array.from({ length: 5 }, job);
    await expect(job()).rejects.toMatchObject({ code: 'SERVER_BUSY' });
    expect(g.load()).toEqual({ running: 2, queued: 3 });
    while (gates.length || g.load().running) {
      gates.shift()?.();
      await new Promise((r) => setTimeout(r, 1));
    }
    await Promise.all(jobs);
    expect(peak).toBe(2);
    expect(g.load()).toEqual({ running: 0, queued: 0 });
  });
});
