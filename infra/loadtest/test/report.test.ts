// The load test's arithmetic: percentiles, receive rates from cumulative counters, server CPU
// from /proc samples, and when a site counts as failed.
import type { LoadTestUsageReply } from '@lienthong/sfu-server/protocol';
import { describe, expect, it } from 'vitest';
import { parseOptions, UsageError } from '../args';
import {
  buildReport,
  formatReport,
  growth,
  inboundCounters,
  percentile,
  processLoads,
  type ReceiveCounters,
  receiveRate,
  type SiteResult,
  scoreSummary,
  sitePassed,
  slopePerHour,
  spread,
} from '../report';

const counters = (at: number, c: Partial<ReceiveCounters> = {}): ReceiveCounters => ({
  at,
  bytes: 0,
  packets: 0,
  lost: 0,
  videoFrames: 0,
  audioStreams: 0,
  videoStreams: 0,
  widest: 0,
  narrowest: 0,
  ...c,
});

const site = (n: number, o: Partial<SiteResult> = {}): SiteResult => ({
  site: n,
  username: `u${n}`,
  joined: true,
  joinMs: 100 * n,
  firstFrameMs: 200 * n,
  receiveKbps: 500,
  lossPercent: 0,
  videoFps: 30,
  audioStreams: 2,
  videoStreams: 2,
  videoLayersSent: 2,
  widestVideo: 640,
  narrowestVideo: 160,
  receivedPackets: 1000,
  errors: [],
  ...o,
});

describe('percentile (nearest rank)', () => {
  it('picks ranks from the sorted list, whatever the input order', () => {
    const v = [50, 10, 40, 20, 30];
    expect(percentile(v, 50)).toBe(30);
    expect(percentile(v, 95)).toBe(50);
    expect(percentile(v, 0)).toBe(10);
    expect(percentile([7], 95)).toBe(7);
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(hundred, 95)).toBe(95);
    expect(percentile(hundred, 50)).toBe(50);
  });

  it('refuses an empty list; spread of nothing is null', () => {
    expect(() => percentile([], 50)).toThrow();
    expect(spread([])).toBeNull();
    expect(spread([3, 1, 2])).toEqual({ count: 3, p50: 2, p95: 3, max: 3 });
  });
});

describe('receiveRate', () => {
  it('turns counter deltas into kbit/s, loss percent and frames per second', () => {
    const r = receiveRate(
      counters(1000, { bytes: 10_000, packets: 100, lost: 0, videoFrames: 10 }),
      counters(3000, { bytes: 60_000, packets: 190, lost: 10, videoFrames: 70 }),
    );
    expect(r.kbps).toBeCloseTo(200); // 50 000 bytes in 2 s
    expect(r.lossPercent).toBeCloseTo(10); // 10 lost of 100
    expect(r.videoFps).toBeCloseTo(30);
    expect(r.packets).toBe(90);
  });

  it('is zero for an empty interval and never negative (a stream that went away)', () => {
    expect(receiveRate(counters(5), counters(5, { bytes: 100 }))).toEqual({ kbps: 0, lossPercent: 0, videoFps: 0, packets: 0 });
    const r = receiveRate(counters(0, { bytes: 1000, packets: 10 }), counters(1000, { bytes: 0, packets: 0 }));
    expect(r.kbps).toBe(0);
    expect(r.lossPercent).toBe(0);
  });
});

describe('processLoads', () => {
  const usage = (sampledAt: number, p: [string, number, number, number][]): LoadTestUsageReply => ({
    ok: true,
    sampledAt,
    processes: p.map(([name, pid, cpuSeconds, rssBytes]) => ({ name, pid, cpuSeconds, rssBytes })),
    consumerScores: { audio: [], video: [], paused: { audio: 0, video: 0 } },
    live: { sockets: 0, routers: 0, transports: 0, producers: 0, consumers: 0, listeners: 0, handles: 0 },
  });

  it('gives cores per process over the interval and the later RSS', () => {
    const loads = processLoads(
      usage(0, [
        ['node', 1, 10, 100],
        ['worker-0', 2, 5, 50],
      ]),
      usage(10_000, [
        ['node', 1, 12, 120],
        ['worker-0', 2, 20, 60],
      ]),
    );
    expect(loads.map((l) => [l.name, l.cores, l.rssBytes])).toEqual([
      ['node', 0.2, 120],
      ['worker-0', 1.5, 60],
    ]);
  });

  it('leaves out a worker replaced in between (new pid: its CPU time restarted)', () => {
    const loads = processLoads(usage(0, [['worker-0', 2, 50, 1]]), usage(1000, [['worker-0', 3, 1, 1]]));
    expect(loads).toEqual([]);
  });
});

describe('scoreSummary', () => {
  it('counts, averages and finds the worst score of the histogram', () => {
    expect(scoreSummary([0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 7], 3)).toEqual({ consumers: 10, paused: 3, mean: 9.3, min: 5, below7: 1 });
    expect(scoreSummary(new Array(11).fill(0))).toEqual({ consumers: 0, paused: 0, mean: null, min: null, below7: 0 });
  });
});

describe('buildReport', () => {
  const base = {
    url: 'https://x:8443',
    sites: 3,
    holdSeconds: 10,
    hold: null,
    series: [],
    video: { width: 640, height: 360, fps: 15 },
    layers: 'main' as const,
    speakerEvery: 0,
    server: null,
    client: { cores: 1.9, machineCores: 2 },
  };

  it('summarises joined sites and counts a site without a frame or media as failed', () => {
    const r = buildReport(base, [site(1), site(2, { firstFrameMs: null }), site(3, { joined: false, joinMs: null, errors: ['boom'] })], []);
    expect(r.joined).toBe(2);
    expect(r.failed).toBe(2);
    expect(r.joinMs).toEqual({ count: 2, p50: 100, p95: 200, max: 200 });
    expect(r.firstFrameMs).toEqual({ count: 1, p50: 200, p95: 200, max: 200 });
    expect(r.errors).toEqual(['site 3: boom']);
    expect(formatReport(r)).toContain('3 sites, 2 joined, 2 failed');
    expect(formatReport(r)).toContain('1.90 of 2 cores (saturated');
  });

  it('a lone site passes without receiving anything (there is nobody to receive)', () => {
    expect(sitePassed(site(1, { firstFrameMs: null, receiveKbps: 0 }), 1)).toBe(true);
    expect(sitePassed(site(1, { receiveKbps: 0 }), 2)).toBe(false);
  });
});

describe('growth through the hold', () => {
  it('fits a least-squares slope per hour, flat for a steady figure and zero with one sample', () => {
    expect(slopePerHour([])).toBe(0);
    expect(slopePerHour([{ t: 5, y: 1 }])).toBe(0);
    // 1 MB a minute with noise around it: 60 MB/h.
    const pts = Array.from({ length: 31 }, (_, i) => ({ t: i * 60, y: 100 + i + (i % 2 ? 0.3 : -0.3) }));
    expect(slopePerHour(pts)).toBeCloseTo(60, 0);
    expect(slopePerHour(pts.map((p) => ({ ...p, y: 7 })))).toBe(0);
  });

  it('reports first, last and slope of memory and of every live count', () => {
    const live = { sockets: 4, routers: 1, transports: 8, producers: 8, consumers: 24, listeners: 300, handles: 40 };
    const series = [0, 600, 1200, 1800].map((t, i) => ({ t, rssMB: 150 + i * 2, ...live, listeners: 300 + i * 10 }));
    const g = growth(series)!;
    expect(g.rssMB).toEqual({ first: 150, last: 156, perHour: expect.closeTo(12, 5) });
    expect(g.sockets).toEqual({ first: 4, last: 4, perHour: 0 });
    expect(g.listeners.perHour).toBeCloseTo(60, 5);
    expect(growth(series.slice(0, 1))).toBeNull();
  });
});

describe('receive counters', () => {
  it('add up inbound streams, leave out the probation stream, and keep the widest and narrowest pictures', () => {
    const c = inboundCounters(
      [
        { type: 'inbound-rtp', kind: 'audio', ssrc: 1, bytesReceived: 100, packetsReceived: 10, packetsLost: 1 },
        { type: 'inbound-rtp', kind: 'video', ssrc: 2, bytesReceived: 1000, packetsReceived: 20, framesDecoded: 30, frameWidth: 160 },
        { type: 'inbound-rtp', kind: 'video', ssrc: 3, bytesReceived: 5000, packetsReceived: 50, framesDecoded: 30, frameWidth: 640 },
        { type: 'inbound-rtp', kind: 'video', ssrc: 1234, bytesReceived: 9999, packetsReceived: 99, frameWidth: 1280 },
        { type: 'outbound-rtp', kind: 'video', ssrc: 4, bytesSent: 1, frameWidth: 1920 },
      ],
      1234,
    );
    expect(c).toMatchObject({
      bytes: 6100,
      packets: 80,
      lost: 1,
      videoFrames: 60,
      audioStreams: 1,
      videoStreams: 2,
      widest: 640,
      narrowest: 160,
    });
  });
});

describe('command line', () => {
  it("asks for the web app's layers with site 1 speaking unless told otherwise", () => {
    const o = parseOptions(['--password', 'x'], {});
    expect(o).toMatchObject({ layers: 'main', speakerEvery: 0, sites: 4 });
    expect(parseOptions(['--password', 'x', '--layers', 'low', '--speaker-every', '10'], {})).toMatchObject({
      layers: 'low',
      speakerEvery: 10,
    });
  });

  it('refuses a layer choice or a rotation it does not know', () => {
    expect(() => parseOptions(['--password', 'x', '--layers', 'high'], {})).toThrow(UsageError);
    expect(() => parseOptions(['--password', 'x', '--speaker-every=-1'], {})).toThrow(UsageError);
    expect(() => parseOptions(['--password', 'x', '--speaker-every', 'often'], {})).toThrow(UsageError);
  });
});
