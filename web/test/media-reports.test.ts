import { describe, expect, it } from 'vitest';

describe('the technical check result from loopback statistics', () => {
  it('camera and microphone by what came back, the round trip of the nominated pair, loss on what came back', async () => {
    const { loopbackResult } = await import('../src/lib/media/selftest-result');
    const recv = [
      { type: 'inbound-rtp', kind: 'video', framesDecoded: 40, packetsReceived: 95, packetsLost: 5 },
      { type: 'inbound-rtp', kind: 'audio', packetsReceived: 100, packetsLost: 0 },
    ];
    const send = [
      { type: 'candidate-pair', nominated: false, state: 'succeeded', currentRoundTripTime: 0.5 },
      { type: 'candidate-pair', nominated: true, state: 'succeeded', currentRoundTripTime: 0.012 },
    ];
    expect(loopbackResult(recv, send)).toEqual({ camera: true, microphone: true, rttMs: 12, lossFraction: 0.025 });
    expect(loopbackResult([{ type: 'inbound-rtp', kind: 'video', framesDecoded: 0, packetsReceived: 3 }], [])).toEqual({
      camera: false,
      microphone: false,
      rttMs: null,
      lossFraction: 0,
    });
    expect(loopbackResult([], [])).toMatchObject({ camera: false, microphone: false, lossFraction: null });
  });
});

describe('freeze reports from the receiving browser', () => {
  it('sums the freezes of the video it receives; audio and other stats do not count', async () => {
    const { freezesOf } = await import('../src/lib/media/receive-report');
    expect(
      freezesOf([
        { type: 'inbound-rtp', kind: 'video', freezeCount: 2 },
        { type: 'inbound-rtp', kind: 'video', freezeCount: 1 },
        { type: 'inbound-rtp', kind: 'audio', freezeCount: 9 },
        { type: 'outbound-rtp', kind: 'video', freezeCount: 9 },
        { type: 'inbound-rtp', kind: 'video' },
      ]),
    ).toBe(3);
  });

  it('says the first count, then only changes', async () => {
    const { startReceiveReports } = await import('../src/lib/media/receive-report');
    const sent: number[] = [];
    let count = 0;
    const stop = startReceiveReports(
      async () => [{ type: 'inbound-rtp', kind: 'video', freezeCount: count }],
      async (n) => sent.push(n),
      5,
    );
    await new Promise((r) => setTimeout(r, 30));
    count = 2;
    await new Promise((r) => setTimeout(r, 30));
    stop();
    expect(sent).toEqual([0, 2]);
  });
});

describe('quality report columns for the video received', () => {
  it('the layer as sampled, the freezes since the previous sample (a new page restarts the count)', async () => {
    const { qualityColumns } = await import('../src/lib/quality/series');
    const base = { rttMs: 20, lossFraction: 0, sendBps: 1, recvBps: 1, jitterMs: 1, grade: 'good' as const };
    const c = qualityColumns([
      { ...base, at: 3000, layer: 0, freezes: 4 },
      { ...base, at: 1000, layer: 2, freezes: 0 },
      { ...base, at: 2000, layer: 2, freezes: 3 },
      { ...base, at: 4000 },
      { ...base, at: 5000, layer: 1, freezes: 1 },
    ]);
    expect(c.layer).toEqual([2, 2, 0, null, 1]);
    expect(c.freezes).toEqual([0, 3, 1, null, 1]);
  });
});
