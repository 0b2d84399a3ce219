import { describe, expect, it } from 'vitest';
import { ConnectionCaps, roomForPeer } from '../src/domain/limits/connection-caps';
import { RequestRateLimiter, TokenBucket } from '../src/domain/limits/token-bucket';

describe('request budget per connection', () => {
  it('lets a burst through, then the sustained rate', () => {
    const b = new TokenBucket(10, 5, 0);
    expect([1, 2, 3, 4, 5, 6].map(() => b.take(0))).toEqual([true, true, true, true, true, false]);
    expect(b.take(100)).toBe(true); // 0.1 s at 10/s: one more
    expect(b.take(100)).toBe(false);
  });

  it('refuses past the budget, and cuts off a client that keeps going', () => {
    const r = new RequestRateLimiter({ perSecond: 1, burst: 2, refusedBeforeDisconnect: 3 }, 0);
    expect(Array.from({ length: 7 }, () => r.check(0))).toEqual(['ok', 'ok', 'refused', 'refused', 'refused', 'disconnect', 'disconnect']);
  });

  it('never cuts off a client that slows down', () => {
    const r = new RequestRateLimiter({ perSecond: 10, burst: 2, refusedBeforeDisconnect: 2 }, 0);
    for (let t = 0; t < 10_000; t += 50) expect(r.check(t)).not.toBe('disconnect');
  });
});

describe('connections per key', () => {
  it('caps each key and gives a slot back once', () => {
    const caps = new ConnectionCaps(2);
    const a = caps.acquire('u1')!;
    expect(caps.acquire('u1')).not.toBeNull();
    expect(caps.acquire('u1')).toBeNull();
    expect(caps.acquire('u2')).not.toBeNull();
    a();
    a();
    expect(caps.count('u1')).toBe(1);
  });
});

describe('meeting participants per user', () => {
  const p = (peerId: string, connected: boolean, disconnectedAt: number | null = null) => ({ peerId, connected, disconnectedAt });

  it('refuses past the cap of connected participants', () => {
    expect(roomForPeer([p('a', true), p('b', true)], 2)).toEqual({ ok: false });
    expect(roomForPeer([p('a', true)], 2)).toEqual({ ok: true, evict: [] });
  });

  it('makes room by removing the oldest disconnected ones', () => {
    expect(roomForPeer([p('a', true), p('b', false, 20), p('c', false, 10)], 2)).toEqual({ ok: true, evict: ['c', 'b'] });
    expect(roomForPeer([p('a', false, 5), p('b', false, 1)], 2)).toEqual({ ok: true, evict: ['b'] });
  });
});
