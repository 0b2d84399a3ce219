import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { firstFrameRetries, type WatchedConsumer, watchFirstFrame } from '../src/media/first-frame-watch';

class FakeConsumer implements WatchedConsumer {
  closed = false;
  paused = false;
  producerPaused = false;
  packets = 0;
  asked = 0;
  async getStats() {
    return [
      { type: 'outbound-rtp', packetCount: this.packets },
      { type: 'inbound-rtp', packetCount: 500 }, // the producer's side: not what this consumer forwarded
    ];
  }
  async requestKeyFrame() {
    this.asked++;
  }
}

const looks = [1000, 2000, 3000];
const advance = (ms: number) => vi.advanceTimersByTimeAsync(ms);

describe('first-frame watch', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('asks for a keyframe again at each look while the consumer has forwarded nothing, then stops', async () => {
    const c = new FakeConsumer();
    const before = firstFrameRetries();
    watchFirstFrame(c, looks);
    await advance(999);
    expect(c.asked).toBe(0);
    await advance(1);
    expect(c.asked).toBe(1);
    await advance(1000);
    expect(c.asked).toBe(2);
    await advance(1000);
    expect(c.asked).toBe(3);
    await advance(10_000);
    expect(c.asked).toBe(3);
    expect(firstFrameRetries() - before).toBe(3);
  });

  it('stops at the first look that finds packets forwarded', async () => {
    const c = new FakeConsumer();
    watchFirstFrame(c, looks);
    await advance(1000);
    expect(c.asked).toBe(1);
    c.packets = 12;
    await advance(5000);
    expect(c.asked).toBe(1);
  });

  it('does not ask while the consumer or its producer is paused, nor once closed or cancelled', async () => {
    const paused = new FakeConsumer();
    paused.paused = true;
    watchFirstFrame(paused, looks);
    const muted = new FakeConsumer();
    muted.producerPaused = true;
    watchFirstFrame(muted, looks);
    await advance(1500);
    expect(paused.asked + muted.asked).toBe(0);
    muted.producerPaused = false; // the sender unmutes: the later looks apply
    await advance(1000);
    expect(muted.asked).toBe(1);

    const closed = new FakeConsumer();
    watchFirstFrame(closed, looks);
    closed.closed = true;
    const cancelled = new FakeConsumer();
    const stop = watchFirstFrame(cancelled, looks);
    stop();
    await advance(10_000);
    expect(closed.asked + cancelled.asked).toBe(0);
  });

  it('ends quietly when the consumer fails meanwhile', async () => {
    const c = new FakeConsumer();
    c.getStats = () => Promise.reject(new Error('Consumer closed'));
    watchFirstFrame(c, looks);
    await advance(10_000);
    expect(c.asked).toBe(0);
  });
});
