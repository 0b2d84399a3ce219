import { describe, expect, it } from 'vitest';
import { type AudioCounters, NO_REPAIR, nextRepair, REPAIR_TUNING, type StreamRepair, withAudioNack } from '../src/lib/media/audio-repair';

/** Feeds 2 s samples of 100 packets each with `lost` lost (and as many NACKs). */
function run(samples: { lost: number; nacks?: number; received?: number; rtt?: number }[], from: StreamRepair = NO_REPAIR) {
  let s = from;
  let c: AudioCounters = s.last ?? { received: 0, lost: 0, nacks: 0 };
  let at = 0;
  const targets: (number | null)[] = [];
  s = nextRepair(s, at, c, null);
  for (const x of samples) {
    at += 2000;
    c = { received: c.received + (x.received ?? 100 - x.lost), lost: c.lost + x.lost, nacks: c.nacks + (x.nacks ?? x.lost) };
    s = nextRepair(s, at, c, x.rtt ?? 120);
    targets.push(s.targetMs);
  }
  return { s, targets };
}

describe('audio repair on lossy streams', () => {
  it('leaves a clean stream to the browser', () => {
    expect(run(Array(10).fill({ lost: 0 })).targets.every((t) => t === null)).toBe(true);
  });

  it('waits for retransmissions on a lossy stream: round trip plus margin, within bounds', () => {
    const twice = (x: { lost: number; rtt: number }) => run([x, x]).targets;
    expect(twice({ lost: 5, rtt: 120 })).toEqual([null, 300]); // 270 -> at least 300
    expect(twice({ lost: 5, rtt: 250 })).toEqual([null, 400]);
    expect(twice({ lost: 5, rtt: 900 })).toEqual([null, REPAIR_TUNING.maxBufferMs]);
  });

  it('counts NACKs as loss: repaired packets no longer show as lost', () => {
    const repaired = { lost: 0, nacks: 4, received: 100 };
    expect(run([repaired, repaired]).targets).toEqual([null, 300]);
  });

  it('keeps the target through small round-trip changes (each change stretches the audio)', () => {
    const { targets } = run([
      { lost: 5, rtt: 250 },
      { lost: 5, rtt: 250 },
      { lost: 5, rtt: 280 },
      { lost: 5, rtt: 400 },
    ]);
    expect(targets).toEqual([null, 400, 400, 500]);
  });

  it('goes back to the browser target only after the stream has been clean for a while', () => {
    const lossy = run([{ lost: 5 }, { lost: 5 }]);
    const clean = run(Array(20).fill({ lost: 0 }), lossy.s);
    const steps = REPAIR_TUNING.cleanHoldMs / 2000;
    expect(clean.targets.slice(0, steps - 2).every((t) => t === 300)).toBe(true);
    expect(clean.targets.at(-1)).toBeNull();
  });

  it('one lossy sample (a hiccup of a busy machine) does not grow the buffer', () => {
    expect(run([{ lost: 5 }, { lost: 0 }, { lost: 5 }, { lost: 0 }]).targets).toEqual([null, null, null, null]);
  });

  it('a muted stream (nothing received) changes nothing', () => {
    const lossy = run([{ lost: 5 }, { lost: 5 }]);
    const quiet = run(Array(30).fill({ lost: 0, nacks: 0, received: 0 }), lossy.s);
    expect(quiet.targets.every((t) => t === 300)).toBe(true);
  });
});

describe('withAudioNack', () => {
  const caps = {
    codecs: [
      {
        kind: 'audio' as const,
        mimeType: 'audio/opus',
        preferredPayloadType: 100,
        clockRate: 48000,
        channels: 2,
        rtcpFeedback: [{ type: 'transport-cc', parameter: '' }],
      },
      {
        kind: 'video' as const,
        mimeType: 'video/VP8',
        preferredPayloadType: 101,
        clockRate: 90000,
        rtcpFeedback: [{ type: 'nack', parameter: '' }],
      },
    ],
    headerExtensions: [],
  };

  it('adds NACK to Opus only, once', () => {
    const once = withAudioNack(caps);
    const twice = withAudioNack(once);
    expect(twice.codecs?.[0]?.rtcpFeedback).toEqual([
      { type: 'transport-cc', parameter: '' },
      { type: 'nack', parameter: '' },
    ]);
    expect(twice.codecs?.[1]).toEqual(caps.codecs[1]);
    expect(caps.codecs[0]?.rtcpFeedback).toHaveLength(1); // the input is not changed
  });
});
