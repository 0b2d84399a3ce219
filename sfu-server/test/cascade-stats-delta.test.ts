import { createParser } from '@lienthong/kit';
import { describe, expect, it } from 'vitest';
import { ReadingsKept, ReadingsSent } from '../src/cascade/stats-delta';
import { type PeerReading, StatsAnswer } from '../src/protocol/cascade-media';

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const reading = (peer: number, videos: number[], sendBps = 123_456.78): PeerReading => ({
  peerId: id(peer),
  recvLink: {
    estimateBps: 812_345.6,
    sendBps,
    rttMs: 23.456,
    lossFraction: 0.012345,
    audioStreams: 2,
    video: videos.map((v) => ({ consumerId: id(100 + v), producerPeerId: id(v), source: 'camera' as const })),
  },
  stats: { rttMs: 23.456, lossFraction: 0.012345, sendBps: 99_999.9, recvBps: 5_001, jitterMs: 4.44, layer: 2 },
});
const parser = createParser(StatsAnswer);
/** Through JSON and the bus's check, as the province gets it. */
const wire = (a: StatsAnswer): StatsAnswer => {
  const r = parser.parse(JSON.parse(JSON.stringify(a)));
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.value;
};

describe('the readings a district sends its parent each second', () => {
  it('leaves out a video list the province already holds, and the province puts it back', () => {
    const sent = new ReadingsSent();
    const kept = new ReadingsKept();
    const first = sent.answer(kept.known, [reading(1, [2, 3]), reading(2, [1])]);
    expect(first.peers.every((p) => p.recvLink?.video)).toBe(true);
    kept.take(wire(first));
    const second = sent.answer(kept.known, [reading(1, [2, 3], 200_000), reading(2, [1, 3])]);
    expect(second.peers[0]?.recvLink?.video).toBeUndefined();
    expect(second.peers[1]?.recvLink?.video).toHaveLength(2);
    expect(JSON.stringify(second).length).toBeLessThan(JSON.stringify(first).length);
    const whole = kept.take(wire(second));
    expect(whole[0]?.recvLink?.video.map((v) => v.producerPeerId)).toEqual([id(2), id(3)]);
    expect(whole[0]?.recvLink?.sendBps).toBe(200_000);
    expect(whole[1]?.recvLink?.video).toHaveLength(2);
  });

  it('rounds the figures it sends', () => {
    const a = new ReadingsSent().answer(undefined, [reading(1, [2])]);
    expect(a.peers[0]?.recvLink).toMatchObject({ estimateBps: 812_000, sendBps: 123_000, rttMs: 23, lossFraction: 0.012 });
    expect(a.peers[0]?.stats).toMatchObject({ sendBps: 100_000, recvBps: 5_000, jitterMs: 4, lossFraction: 0.012 });
  });

  it('sends every list again after an answer the province did not get', () => {
    const sent = new ReadingsSent();
    const kept = new ReadingsKept();
    kept.take(wire(sent.answer(kept.known, [reading(1, [2])])));
    sent.answer(kept.known, [reading(1, [2])]); // lost on the way
    const next = sent.answer(kept.known, [reading(1, [2])]);
    expect(next.peers[0]?.recvLink?.video).toHaveLength(1);
    expect(kept.take(wire(next))[0]?.recvLink?.video).toHaveLength(1);
  });

  it('asks for a whole answer when a list it does not hold was left out', () => {
    const kept = new ReadingsKept();
    const r = reading(1, [2]);
    const { video: _v, ...partial } = r.recvLink!;
    const out = kept.take(wire({ seq: 5, peers: [{ ...r, recvLink: partial }] }));
    expect(out[0]?.recvLink).toBeNull();
    expect(kept.known).toBeUndefined();
  });
});
