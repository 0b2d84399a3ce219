// The cascade's repair of lost events (rosters) and its view of neighbours (pings), with a fake bus:
// what each does on its own, without NATS or mediasoup.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Neighbours } from '../src/cascade/neighbours';
import { RosterKeeper, type RosterSource, rosterDigest } from '../src/cascade/roster';
import type { ProducerEvent, RosterMessage } from '../src/protocol/cascade';

const M = 'meeting-1';
const entry = (producerId: string) => ({ producerId, kind: 'video' as const, paused: false, appData: {} });

function rosterWorld() {
  let now = 0;
  const sent: RosterMessage[] = [];
  const mine = ['mine-1'];
  let deliver: (r: RosterMessage) => void = () => {};
  const known = new Map<string, string>(); // producerId -> origin
  const applied: ProducerEvent[] = [];
  const source: RosterSource = {
    own: () => mine.map(entry),
    known: () => [...known].map(([producerId, origin]) => ({ producerId, origin })),
    apply: (e) => {
      applied.push(e);
      if (e.event === 'announce') known.set(e.producerId, e.origin);
      if (e.event === 'close') known.delete(e.producerId);
    },
  };
  const bus = {
    serverId: 'd2',
    publishRoster: (r: RosterMessage) => sent.push(r),
    onRosters: (_m: string, h: (r: RosterMessage) => void) => {
      deliver = h;
      return () => {};
    },
  };
  const keeper = new RosterKeeper(bus, source, 1000, () => now);
  return {
    keeper,
    sent,
    mine,
    applied,
    known,
    deliver: (r: RosterMessage) => deliver(r),
    advance: (ms: number) => {
      now += ms;
      vi.advanceTimersByTime(ms);
    },
  };
}

describe('cascade rosters', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends its own producers on joining and every interval after', () => {
    const w = rosterWorld();
    w.keeper.join(M);
    expect(w.sent).toEqual([{ meetingId: M, origin: 'd2', producers: [entry('mine-1')] }]);
    w.advance(3000);
    expect(w.sent).toHaveLength(4);
    w.keeper.stop();
  });

  it('sends the whole list only when it changed, and every 30 s; a digest in between', () => {
    const w = rosterWorld();
    w.keeper.join(M);
    w.advance(3000);
    expect(w.sent.map((r) => Object.keys(r).at(-1))).toEqual(['producers', 'digest', 'digest', 'digest']);
    expect(w.sent[1]).toEqual({ meetingId: M, origin: 'd2', digest: rosterDigest(['mine-1']) });
    w.mine.push('mine-2');
    w.advance(1000);
    expect(w.sent.at(-1)).toEqual({ meetingId: M, origin: 'd2', producers: [entry('mine-1'), entry('mine-2')] });
    w.sent.length = 0;
    w.advance(30_000);
    expect(w.sent.filter((r) => 'producers' in r)).toHaveLength(1);
    expect(w.sent.filter((r) => 'digest' in r)).toHaveLength(29);
    w.keeper.stop();
  });

  it("asks for an origin's whole list when its digest does not match what is known here, at most once in 5 s", () => {
    const w = rosterWorld();
    w.keeper.join(M);
    w.deliver({ meetingId: M, origin: 'd1', producers: [entry('a'), entry('b')] });
    w.sent.length = 0;
    w.deliver({ meetingId: M, origin: 'd1', digest: rosterDigest(['b', 'a']) });
    expect(w.sent).toEqual([]);
    // d1 has a producer whose announcement was lost here.
    const changed = rosterDigest(['a', 'b', 'c']);
    w.deliver({ meetingId: M, origin: 'd1', digest: changed });
    w.deliver({ meetingId: M, origin: 'd1', digest: changed });
    expect(w.sent).toEqual([{ meetingId: M, origin: 'd2', want: 'd1' }]);
    w.deliver({ meetingId: M, origin: 'd1', producers: [entry('a'), entry('b'), entry('c')] });
    expect(w.applied.at(-1)).toMatchObject({ event: 'announce', producerId: 'c', origin: 'd1' });
    w.keeper.stop();
  });

  it('sends its whole list when another server asks for it by name, at most once in 5 s', () => {
    const w = rosterWorld();
    w.keeper.join(M);
    w.sent.length = 0;
    w.deliver({ meetingId: M, origin: 'p', want: 'd1' });
    expect(w.sent).toEqual([]);
    w.deliver({ meetingId: M, origin: 'p', want: 'd2' });
    w.deliver({ meetingId: M, origin: 'd3', want: 'd2' });
    expect(w.sent).toEqual([{ meetingId: M, origin: 'd2', producers: [entry('mine-1')] }]);
    w.keeper.stop();
  });

  it('adds what a roster lists and this server missed, and closes what it no longer lists, for that origin only', () => {
    const w = rosterWorld();
    w.keeper.join(M);
    w.known.set('from-p', 'p');
    w.deliver({ meetingId: M, origin: 'd1', producers: [entry('a'), entry('b')] });
    expect(w.applied.map((e) => `${e.event}:${e.producerId}:${e.origin}`)).toEqual(['announce:a:d1', 'announce:b:d1']);
    w.deliver({ meetingId: M, origin: 'd1', producers: [entry('b')] });
    expect(w.applied.at(-1)).toMatchObject({ event: 'close', producerId: 'a', origin: 'd1' });
    expect([...w.known.keys()].sort()).toEqual(['b', 'from-p']);
    w.keeper.stop();
  });

  it('takes an origin not heard from for three rosters as gone, with everything it sent', () => {
    const w = rosterWorld();
    w.keeper.join(M);
    w.deliver({ meetingId: M, origin: 'd1', producers: [entry('a')] });
    w.deliver({ meetingId: M, origin: 'p', producers: [entry('c')] });
    w.advance(2000);
    w.keeper.heardFrom(M, 'p'); // an event from p keeps it alive
    w.advance(2000);
    expect([...w.known.keys()]).toEqual(['c']);
    expect(w.applied.at(-1)).toMatchObject({ event: 'close', producerId: 'a' });
    w.keeper.stop();
  });
});

describe('cascade neighbours', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('is up on an answer, down after three misses, and down then up when the boot id changes', async () => {
    let answer: (() => Promise<{ bootId: string }>) | undefined = async () => ({ bootId: 'boot-1' });
    const events: string[] = [];
    const bus = { request: (() => (answer ? answer() : Promise.reject(new Error('timeout')))) as never };
    const n = new Neighbours(
      bus,
      { up: (p) => events.push(`up:${p}`), down: (p, restarted) => events.push(restarted ? `restarted:${p}` : `down:${p}`) },
      { intervalMs: 100, misses: 3 },
    );
    n.watch(['p']);
    await vi.advanceTimersByTimeAsync(1);
    expect(events).toEqual(['up:p']);
    answer = undefined;
    await vi.advanceTimersByTimeAsync(200);
    expect(n.state('p')).toBe('up'); // two misses are not enough
    await vi.advanceTimersByTimeAsync(100);
    expect(events).toEqual(['up:p', 'down:p']);
    answer = async () => ({ bootId: 'boot-1' });
    await vi.advanceTimersByTimeAsync(100);
    answer = async () => ({ bootId: 'boot-2' });
    await vi.advanceTimersByTimeAsync(100);
    // Silent, then restarted: a neighbour told of the first drops what it sent (cascade-node's ping answer).
    expect(events).toEqual(['up:p', 'down:p', 'up:p', 'restarted:p', 'up:p']);
    n.watch([]);
    expect(n.all()).toEqual({});
    n.stop();
  });
});
