import type { ProducerAnnouncement } from '@lienthong/sfu-server/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KnownProducers } from '../src/lib/media/producers';
import {
  ICE_RESTART_DELAY_MS,
  ISOLATED_AFTER_MS,
  iceWatchdog,
  Reconnector,
  type RecoverySteps,
  rejoinDelayMs,
  type SessionStatus,
} from '../src/lib/media/reconnect';

/** Steps that record what ran; `rejoin` answers from a queue (true resumed, false lost, an Error throws). */
function harness(answers: (boolean | Error)[], graceMs: number | null = null) {
  const log: string[] = [];
  const statuses: SessionStatus[] = [];
  let closed = false;
  const steps: RecoverySteps = {
    rejoin: async () => {
      log.push('rejoin');
      const a = answers.shift() ?? true;
      if (a instanceof Error) throw a;
      return a;
    },
    restartIce: async () => {
      log.push('ice');
    },
    rebuildMedia: async () => {
      log.push('rebuild');
    },
    setStatus: (s) => statuses.push(s),
    isClosed: () => closed,
    graceMs: () => graceMs,
    warn: () => undefined,
  };
  return { r: new Reconnector(steps), log, statuses, close: () => (closed = true) };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('reconnect state machine', () => {
  it('shows reconnecting as soon as signalling drops, and recovers with an ICE restart when the server kept our media', async () => {
    const h = harness([true]);
    h.r.onSignallingDown();
    expect(h.statuses).toEqual(['reconnecting']);
    expect(h.log).toEqual([]);
    h.r.onSignallingUp();
    expect(h.r.recovering).toBe(true);
    await vi.runAllTimersAsync();
    expect(h.log).toEqual(['rejoin', 'ice']);
    expect(h.statuses).toEqual(['reconnecting', 'reconnecting', 'connected']);
    expect(h.r.lastPath).toBe('ice-restart');
    expect(h.r.recovering).toBe(false);
  });

  it('rebuilds all media when the server lost it (worker restart, or our place expired)', async () => {
    const h = harness([false]);
    await h.r.recover();
    expect(h.log).toEqual(['rejoin', 'rebuild']);
    expect(h.statuses).toEqual(['reconnecting', 'connected']);
    expect(h.r.lastPath).toBe('rebuild');
  });

  it('ignores the first connection and a connection after a completed recovery', async () => {
    const h = harness([true, true]);
    h.r.onSignallingUp();
    expect(h.r.recovering).toBe(false);
    h.r.onSignallingDown();
    h.r.onSignallingUp();
    await vi.runAllTimersAsync();
    h.r.onSignallingUp();
    await vi.runAllTimersAsync();
    expect(h.log).toEqual(['rejoin', 'ice']);
  });

  it('retries a failed re-join after 0.5 s, 1 s, 2 s, then every 3 s, staying in reconnecting', async () => {
    expect([0, 1, 2, 3, 4, 10].map(rejoinDelayMs)).toEqual([500, 1000, 2000, 3000, 3000, 3000]);
    const down = new Error('TIMEOUT');
    const h = harness([down, down, down, down, false]);
    const done = h.r.recover();
    const rejoins = () => h.log.filter((l) => l === 'rejoin').length;
    await vi.advanceTimersByTimeAsync(0);
    expect(rejoins()).toBe(1);
    await vi.advanceTimersByTimeAsync(499);
    expect(rejoins()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(rejoins()).toBe(2);
    await vi.advanceTimersByTimeAsync(999);
    expect(rejoins()).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(rejoins()).toBe(3);
    await vi.advanceTimersByTimeAsync(2000);
    expect(rejoins()).toBe(4);
    expect(h.statuses).toEqual(['reconnecting']);
    await vi.advanceTimersByTimeAsync(2999);
    expect(rejoins()).toBe(4);
    await vi.advanceTimersByTimeAsync(1);
    await done;
    expect(h.log).toEqual(['rejoin', 'rejoin', 'rejoin', 'rejoin', 'rejoin', 'rebuild']);
    expect(h.statuses).toEqual(['reconnecting', 'connected']);
  });

  it('without a known grace, keeps retrying until the session is closed, then stops without claiming connected', async () => {
    const h = harness(Array.from({ length: 100 }, () => new Error('down')));
    const done = h.r.recover();
    await vi.advanceTimersByTimeAsync(60_000);
    const before = h.log.length;
    expect(before).toBeGreaterThan(20);
    expect(h.statuses).toEqual(['reconnecting']);
    h.close();
    await vi.runAllTimersAsync();
    await done;
    expect(h.log.length).toBe(before);
    expect(h.statuses).toEqual(['reconnecting']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a reset during a recovery runs exactly one more round after it', async () => {
    const h = harness([false, true]);
    const first = h.r.recover();
    const second = h.r.recover();
    const third = h.r.recover();
    expect(second).toBe(first);
    expect(third).toBe(first);
    await vi.runAllTimersAsync();
    expect(h.log).toEqual(['rejoin', 'rebuild', 'rejoin', 'ice']);
    expect(h.statuses).toEqual(['reconnecting', 'connected', 'reconnecting', 'connected']);
  });

  it('does nothing once closed', async () => {
    const h = harness([true]);
    h.close();
    h.r.onSignallingDown();
    h.r.onSignallingUp();
    await vi.runAllTimersAsync();
    expect(h.statuses).toEqual([]);
    expect(h.log).toEqual([]);
  });
});

describe('reconnect grace', () => {
  it('out for longer than the grace: expired, no automatic rejoin; one click rejoins', async () => {
    const h = harness([false], 5000);
    h.r.onSignallingDown();
    await vi.advanceTimersByTimeAsync(4999);
    expect(h.statuses).toEqual(['reconnecting']);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.statuses).toEqual(['reconnecting', 'expired']);
    expect(h.r.hasExpired).toBe(true);
    h.r.onSignallingUp();
    await vi.runAllTimersAsync();
    expect(h.log).toEqual([]);
    await h.r.rejoinNow();
    expect(h.log).toEqual(['rejoin', 'rebuild']);
    expect(h.statuses).toEqual(['reconnecting', 'expired', 'reconnecting', 'connected']);
    expect(h.r.hasExpired).toBe(false);
  });

  it('signalling back but every re-join failing: the retries stop at the grace', async () => {
    const h = harness(
      Array.from({ length: 100 }, () => new Error('down')),
      10_000,
    );
    h.r.onSignallingDown();
    h.r.onSignallingUp();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(h.statuses.at(-1)).toBe('expired');
    const tries = h.log.length;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(h.log.length).toBe(tries);
    expect(h.r.recovering).toBe(false);
    expect(h.statuses.at(-1)).toBe('expired');
  });

  it('back within the grace: connected, and the grace timer is gone (a later drop gets a whole grace again)', async () => {
    const h = harness([true, true], 5000);
    h.r.onSignallingDown();
    await vi.advanceTimersByTimeAsync(4000);
    h.r.onSignallingUp();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.statuses.at(-1)).toBe('connected');
    expect(vi.getTimerCount()).toBe(0);
    h.r.onSignallingDown();
    await vi.advanceTimersByTimeAsync(4999);
    expect(h.statuses.at(-1)).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(1);
    expect(h.statuses.at(-1)).toBe('expired');
  });
});

describe('ICE watchdog', () => {
  it('restarts ICE once a transport has been in trouble for the quiet time', () => {
    const restart = vi.fn();
    const onState = iceWatchdog(restart, () => true);
    onState('disconnected');
    vi.advanceTimersByTime(ICE_RESTART_DELAY_MS - 1);
    expect(restart).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(restart).toHaveBeenCalledTimes(1);
    onState('failed');
    vi.advanceTimersByTime(ICE_RESTART_DELAY_MS);
    expect(restart).toHaveBeenCalledTimes(2);
    expect(ICE_RESTART_DELAY_MS).toBe(1000);
  });

  it('restarts once for a burst of trouble, counting from the last report', () => {
    const restart = vi.fn();
    const onState = iceWatchdog(restart, () => true);
    onState('disconnected');
    vi.advanceTimersByTime(600);
    onState('failed');
    vi.advanceTimersByTime(600);
    expect(restart).not.toHaveBeenCalled();
    vi.advanceTimersByTime(400);
    expect(restart).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(10_000);
    expect(restart).toHaveBeenCalledTimes(1);
  });

  it('ignores healthy states, and leaves the restart to the re-join when signalling is down meanwhile', () => {
    const restart = vi.fn();
    let socketUp = true;
    const onState = iceWatchdog(restart, () => socketUp);
    for (const s of ['new', 'connecting', 'connected', 'closed']) onState(s);
    vi.advanceTimersByTime(5000);
    expect(vi.getTimerCount()).toBe(0);
    onState('disconnected');
    socketUp = false;
    vi.advanceTimersByTime(ICE_RESTART_DELAY_MS);
    expect(restart).not.toHaveBeenCalled();
  });
});

describe('known producers', () => {
  const ann = (producerId: string, peerId = 'x'): ProducerAnnouncement => ({
    producerId,
    peerId,
    kind: 'video',
    source: 'camera',
    paused: false,
  });

  it('keeps announcements that raced a join, and drops those closed meanwhile', () => {
    const k = new KnownProducers();
    k.announced(ann('old'));
    k.beginJoin();
    k.announced(ann('raced'));
    k.announced(ann('closed-meanwhile'));
    k.closed('closed-meanwhile');
    k.endJoin([ann('a'), ann('b')]);
    expect(k.list().map((a) => a.producerId)).toEqual(['a', 'b', 'raced']);
    expect(k.has('old')).toBe(false);
    k.announced(ann('later'));
    k.paused('a', true);
    expect(k.list().find((a) => a.producerId === 'a')?.paused).toBe(true);
    k.closed('b');
    expect(k.list().map((a) => a.producerId)).toEqual(['a', 'raced', 'later']);
  });
});

describe('a page whose media server still carries the meeting (a district cut off from the province)', () => {
  function isolatedHarness(alive: { now: boolean }) {
    const statuses: SessionStatus[] = [];
    let rejoins = 0;
    const r = new Reconnector({
      rejoin: async () => {
        rejoins++;
        return false;
      },
      restartIce: async () => {},
      rebuildMedia: async () => {},
      setStatus: (s) => statuses.push(s),
      isClosed: () => false,
      graceMs: () => 5000,
      mediaAlive: () => alive.now,
    });
    return { r, statuses, rejoins: () => rejoins };
  }

  it('says it meets locally while media flows, never expires, and rejoins by itself when signalling is back', async () => {
    const alive = { now: true };
    const h = isolatedHarness(alive);
    h.r.onSignallingUp();
    h.r.onSignallingDown();
    expect(h.statuses.at(-1)).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(ISOLATED_AFTER_MS - 1);
    expect(h.statuses.at(-1)).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(1);
    expect(h.statuses.at(-1)).toBe('isolated');
    // Far past the grace: still in the meeting locally, not expired.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(h.statuses).not.toContain('expired');
    expect(h.statuses.at(-1)).toBe('isolated');
    h.r.onSignallingUp();
    await vi.advanceTimersByTimeAsync(0);
    expect([h.rejoins(), h.statuses.at(-1)]).toEqual([1, 'connected']);
  });

  it('once it met locally, its media stopping does not expire it either: it rejoins when signalling is back', async () => {
    const alive = { now: true };
    const h = isolatedHarness(alive);
    h.r.onSignallingUp();
    h.r.onSignallingDown();
    await vi.advanceTimersByTimeAsync(20_000);
    expect(h.statuses.at(-1)).toBe('isolated');
    // The district dropped our media (the province gave our place away): reconnecting, not expired.
    alive.now = false;
    await vi.advanceTimersByTimeAsync(30_000);
    expect([h.statuses.at(-1), h.r.hasExpired]).toEqual(['reconnecting', false]);
    h.r.onSignallingUp();
    await vi.advanceTimersByTimeAsync(0);
    expect([h.rejoins(), h.statuses.at(-1)]).toEqual([1, 'connected']);
  });

  it('media dead from the start of the outage: expires at the grace as before', async () => {
    const h = isolatedHarness({ now: false });
    h.r.onSignallingDown();
    await vi.advanceTimersByTimeAsync(5000);
    expect([h.statuses.at(-1), h.r.hasExpired]).toEqual(['expired', true]);
  });
});
