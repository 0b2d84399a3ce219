import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TUNING,
  type Demand,
  decide,
  initialLinkState,
  type LinkSample,
  type LinkState,
  needKbps,
  SHED_STEPS,
} from '../src/domain/adaptation/ladder';
import { demandOf, shedCounts, type VideoConsumerView, videoPlan } from '../src/domain/adaptation/plan';
import type { SiteAdaptation } from '../src/protocol';
import { AdaptationLoop } from '../src/signalling/adaptation';
import { call, type Fixture, fakeConference, MEETING, socketOf } from './support/fake-signalling';

// Two remote sites, each with a microphone and a camera: the commune of a three-site meeting.
const TWO_SITES: Demand = { audioStreams: 2, videoStreams: 2, keptStreams: 1 };
const stepName = (s: LinkState) => SHED_STEPS[s.step];

/** Feeds samples (one a second from t=0) and returns the step after each. */
function run(samples: Omit<LinkSample, 'at'>[], d: Demand = TWO_SITES, start = initialLinkState(0)): { steps: string[]; state: LinkState } {
  let state = start;
  const steps: string[] = [];
  samples.forEach((s, i) => {
    state = decide(state, { ...s, at: (i + 1) * 1000 }, d);
    steps.push(stepName(state) ?? '?');
  });
  return { steps, state };
}

const kbit = (estimateKbps: number | null, rttMs: number | null = 5, sendKbps = 0): Omit<LinkSample, 'at'> => ({
  estimateBps: estimateKbps === null ? null : estimateKbps * 1000,
  rttMs,
  sendBps: sendKbps * 1000,
});
const repeat = <T>(n: number, v: T): T[] => Array.from({ length: n }, () => v);

describe('adaptation ladder (domain/adaptation/ladder.ts)', () => {
  it('needs more at each step up, audio alone at the bottom', () => {
    const needs = SHED_STEPS.map((_, i) => needKbps(i, TWO_SITES, DEFAULT_TUNING));
    expect(needs).toEqual([...needs].sort((a, b) => b - a));
    expect(needs[3]).toBe(2 * DEFAULT_TUNING.audioKbps);
  });

  it('steps down at once to the step the estimate fits (after the settle time), never below audio', () => {
    const { steps, state } = run([kbit(230), kbit(230), kbit(230), kbit(230)]);
    // Not on the first sample (one dip is not a thin link): once it lasted 1.5 s, straight to main-only.
    expect(steps).toEqual(['none', 'none', 'main-only', 'main-only']);
    expect(state.reason).toBe('bandwidth');
    expect(run(repeat(4, kbit(40))).steps.at(-1)).toBe('audio-only');
  });

  it('steps down one step when packets queue (round trip grows) on a link near its estimate', () => {
    const q = kbit(2000, 400, 1500);
    const { steps, state } = run([kbit(2000), q, q, q, q]);
    expect(steps).toEqual(['none', 'none', 'none', 'low', 'low']); // the last one is within the settle time
    expect(state.reason).toBe('delay');
    // Recorded on a busy host: late receiver reports (390 ms) with the link far from full: nothing shed.
    expect(run(repeat(6, kbit(3240, 390, 300))).steps).toEqual(repeat(6, 'none'));
  });

  it('steps up only after the next step has fitted for the hold time', () => {
    const start: LinkState = { ...initialLinkState(0), step: 2, reason: 'bandwidth' };
    // low needs 2×45+2×110 = 310 kbit/s, ×1.2 headroom = 372
    const hold = DEFAULT_TUNING.upHoldMs / 1000;
    const fits = run(repeat(hold + 2, kbit(400)), TWO_SITES, start).steps;
    expect(fits.slice(0, hold)).toEqual(repeat(hold, 'main-only'));
    expect(fits[hold]).toBe('low');
    // Just above the bare need but within the headroom: stays.
    expect(run(repeat(12, kbit(330)), TWO_SITES, start).steps.at(-1)).toBe('main-only');
    // A dip restarts the wait.
    const dip = run([...repeat(hold - 1, kbit(400)), kbit(320), ...repeat(hold - 1, kbit(400))], TWO_SITES, start).steps;
    expect(dip.at(-1)).toBe('main-only');
  });

  it('doubles the wait after a step up that failed, and back to normal after one that held', () => {
    const start: LinkState = { ...initialLinkState(0), step: 2, reason: 'bandwidth' };
    const up = run(repeat(DEFAULT_TUNING.upHoldMs / 1000 + 1, kbit(400)), TWO_SITES, start).state;
    expect(stepName(up)).toBe('low');
    // Up at t=5 s; it does not fit from t=6 s and goes back down once that lasted (both within the fail window).
    const dipped = decide(up, { ...kbit(250), at: 6000 }, TWO_SITES);
    expect(stepName(dipped)).toBe('low');
    const failed = decide(dipped, { ...kbit(250), at: 6000 + DEFAULT_TUNING.settleMs }, TWO_SITES);
    expect(stepName(failed)).toBe('main-only');
    expect(failed.upHoldMs).toBe(2 * DEFAULT_TUNING.upHoldMs);
    const held = decide(up, { ...kbit(400), at: 7000 + DEFAULT_TUNING.failWindowMs }, TWO_SITES);
    expect(stepName(held)).toBe('low');
    expect(held.upHoldMs).toBe(DEFAULT_TUNING.upHoldMs);
  });

  it('a lossy link that turns clean has recovered: failed trials under loss no longer slow the way back', () => {
    // Shed to audio only on a lossy link whose trials failed: the wait grew to its maximum.
    const start: LinkState = { ...initialLinkState(0), step: 3, reason: 'bandwidth', upHoldMs: DEFAULT_TUNING.maxUpHoldMs, lossyAt: 0 };
    const lossy = { ...kbit(300, 5, 90), lossFraction: 0.05 };
    const clean = { ...kbit(900, 5, 90), lossFraction: 0 };
    // Still lossy: the long wait stays.
    expect(run(repeat(10, lossy), TWO_SITES, start).state.upHoldMs).toBe(DEFAULT_TUNING.maxUpHoldMs);
    // Lifted: clean for `recoveredMs`, then the normal wait: video back within ten seconds.
    const { steps, state } = run([...repeat(2, lossy), ...repeat(10, clean)], TWO_SITES, start);
    expect(state.upHoldMs).toBe(DEFAULT_TUNING.upHoldMs);
    expect(steps.slice(0, 4)).toEqual(repeat(4, 'audio-only'));
    expect(steps.at(-1)).toBe('none');
    // One clean receiver report inside a lossy stretch is not a recovery.
    const blip = run([lossy, clean, lossy, clean, lossy], TWO_SITES, start).state;
    expect(blip.upHoldMs).toBe(DEFAULT_TUNING.maxUpHoldMs);
  });

  it('with every video paused, tries the next step when the link is calm (the estimate cannot show it fits)', () => {
    const start: LinkState = { ...initialLinkState(0), step: 3, reason: 'bandwidth' };
    // 150 kbit/s estimate, 90 sent: the estimate is capped by what is sent, not by the link.
    // It tries (main-only), and comes back down since 150 kbit/s does not carry a video.
    expect(run(repeat(7, kbit(150, 5, 90)), TWO_SITES, start).steps).toContain('main-only');
    expect(run(repeat(7, kbit(300, 5, 90)), TWO_SITES, start).steps.at(-1)).toBe('main-only');
    // Still queueing: no trial.
    expect(run(repeat(10, kbit(150, 400, 90)), TWO_SITES, start).steps).toEqual(repeat(10, 'audio-only'));
    // Estimate no better than what is sent: no trial.
    expect(run(repeat(10, kbit(100, 5, 90)), TWO_SITES, start).steps).toEqual(repeat(10, 'audio-only'));
    // A lossy link: no trial for half a minute.
    const lossy = { ...kbit(300, 5, 90), lossFraction: 0.05 };
    const steps = run(repeat(40, lossy), TWO_SITES, start).steps;
    expect(steps.slice(0, 29)).toEqual(repeat(29, 'audio-only'));
    expect(steps).toContain('main-only');
  });

  it('keeps its step without an estimate and with no video to shed', () => {
    expect(run(repeat(5, kbit(null))).steps).toEqual(repeat(5, 'none'));
    expect(run(repeat(5, kbit(95)), { audioStreams: 2, videoStreams: 0, keptStreams: 0 }).steps).toEqual(repeat(5, 'none'));
  });

  it('follows a recorded thin link: sheds within seconds, holds while thin and lossy, comes back after it is lifted', () => {
    // [estimate kbit/s, rtt ms, sent kbit/s, loss %], one a second, from sfu-server's debug log of a commune
    // at 256 kbit/s with 5 % loss each way (tests/integration/thin-link.test.ts, THIN_LOG=debug).
    const thin: [number | null, number | null, number, number | null][] = [
      [null, null, 0, null],
      [600, null, 161, 0],
      [221, null, 679, 0],
      [147, 304, 1252, 10.9],
      [83, 289, 579, 10.9],
      [54, 289, 128, 10.9],
      [54, 289, 85, 10.9],
      [54, 289, 86, 10.9],
      [54, 289, 86, 10.9],
      [54, 30, 85, 7.8],
      [54, 30, 85, 7.8],
      [54, 30, 85, 7.8],
      [54, 30, 85, 7.8],
      [47, 30, 92, 6.2],
      [47, 30, 84, 6.2],
      [47, 30, 84, 4.3],
      [47, 1, 85, 4.3],
      [47, 1, 83, 4.3],
      [514, 1, 107, 4.3],
      [514, 1, 85, 5.1],
      [514, 1, 85, 5.1],
      [514, 1, 83, 5.1],
      [514, 1, 85, 5.1],
      [462, 1, 95, 5.1],
      [462, 1, 84, 5.1],
      [462, 1, 84, 5.1],
      [462, 1, 85, 4.7],
      [462, 1, 83, 4.7],
      [560, 1, 95, 4.7],
      [560, 1, 84, 4.7],
      [560, 1, 85, 4.7],
      [560, 1, 83, 4.7],
      [560, 28, 84, 7.4],
      [514, 28, 95, 7.4],
    ];
    // After the shaping was lifted (as logged in another run): the estimate climbs, no loss.
    const lifted: [number, number, number, number][] = [
      [560, 1, 85, 0],
      [560, 1, 86, 0],
      [800, 1, 90, 0],
      ...repeat(20, [1512, 1, 300, 0] as [number, number, number, number]),
    ];
    const sample = ([est, rtt, sent, loss]: [number | null, number | null, number, number | null]) => ({
      ...kbit(est, rtt, sent),
      lossFraction: loss === null ? null : loss / 100,
    });
    const { steps } = run([...thin, ...lifted].map(sample));
    // Shed to audio only within 5 s of the first estimate, and stays there while the link is thin and lossy.
    expect(steps.slice(0, 6)).toContain('audio-only');
    expect(steps.slice(6, thin.length)).toEqual(repeat(thin.length - 6, 'audio-only'));
    const back = steps.slice(thin.length).indexOf('none');
    expect(back).toBeGreaterThan(0);
    expect(back).toBeLessThan(15);
  });
});

describe('adaptation plan (domain/adaptation/plan.ts)', () => {
  const consumers: VideoConsumerView[] = [
    { consumerId: 'c-chair', producerPeerId: 'chair', source: 'camera' },
    { consumerId: 'c-dist', producerPeerId: 'district', source: 'camera' },
    { consumerId: 's-dist', producerPeerId: 'district', source: 'screen' },
  ];

  it('lowers every video, then keeps the main picture and the presentation, then pauses all', () => {
    expect(videoPlan(0, consumers, 'chair').every((a) => !a.shed && a.maxSpatialLayer === null)).toBe(true);
    expect(videoPlan(1, consumers, 'chair').every((a) => !a.shed && a.maxSpatialLayer === 0)).toBe(true);
    const mainOnly = videoPlan(2, consumers, 'chair');
    expect(mainOnly.filter((a) => a.shed).map((a) => a.consumerId)).toEqual(['c-dist']);
    expect(shedCounts(mainOnly)).toEqual({ paused: 1, lowered: 2 });
    expect(videoPlan(3, consumers, 'chair').every((a) => a.shed)).toBe(true);
  });

  it('keeps one camera at main-only when the main picture is this site itself', () => {
    const plan = videoPlan(2, consumers.slice(0, 2), 'me');
    expect(plan.filter((a) => !a.shed)).toHaveLength(1);
    expect(demandOf(2, consumers.slice(0, 2), 'me').keptStreams).toBe(1);
  });
});

describe('adaptation loop over the fakes (signalling/adaptation.ts)', () => {
  async function meeting(f: Fixture) {
    const ids: Record<string, string> = {};
    for (const site of ['tn', 'dt', 'pb']) {
      const ctx = socketOf(f, site);
      await call(ctx, 'meeting:join', { meetingId: MEETING.id, rtpCapabilities: { codecs: [] } });
      ids[site] = ctx.session.peerId!;
    }
    return ids;
  }

  /** What pb receives: the cameras of tn and dt. */
  const cameras = (ids: Record<string, string>) => [
    { consumerId: 'v-tn', producerPeerId: ids.tn!, source: 'camera' as const },
    { consumerId: 'v-dt', producerPeerId: ids.dt!, source: 'camera' as const },
  ];

  it('sheds a thin receiver’s video (never audio), tells the room, and gives it back', async () => {
    const f = fakeConference();
    const ids = await meeting(f);
    const media = f.media[0]!;
    const video = cameras(ids);
    const thin = { estimateBps: 200_000, sendBps: 150_000, rttMs: 200, lossFraction: 0.05, audioStreams: 2, video };
    media.links.set(ids.pb!, thin);
    media.links.set(ids.tn!, { ...thin, estimateBps: 3_000_000, rttMs: 2, lossFraction: 0 });
    const loop = new AdaptationLoop(f.conference, { enabled: true, logger: silentLogger, now: () => f.clock.t });
    for (let i = 0; i < 4; i++) {
      f.clock.t += 1000;
      await loop.tick();
    }
    const shed = media.shed.get(ids.pb!)!;
    expect(shed.map((a) => a.consumerId).sort()).toEqual(['v-dt', 'v-tn']);
    expect(shed.filter((a) => a.shed)).toHaveLength(1); // main-only: the chair's picture stays
    expect(media.shed.get(ids.tn!)!.every((a) => !a.shed && a.maxSpatialLayer === null)).toBe(true);
    // The chair's console gets every site's row; a site only its own and the sites that send no video.
    const lastTo = (socket: string) => (f.push.eventsTo(socket, 'media:adaptation') as { sites: SiteAdaptation[] }[]).at(-1)!.sites;
    const last = () => lastTo('sock-tn');
    expect(last().find((s) => s.peerId === ids.pb)).toMatchObject({ siteId: 'pb', step: 'main-only', paused: 1, lowered: 1 });
    expect(last().find((s) => s.peerId === ids.tn)).toMatchObject({ step: 'none', paused: 0 });

    // The site's own report of its uplink reaches everyone.
    loop.uplink(f.conference.rooms.values().next().value!, ids.pb!, true, 120);
    expect(last().find((s) => s.peerId === ids.pb)).toMatchObject({ sendVideoPaused: true, uplinkKbps: 120 });
    expect(lastTo('sock-pb').map((s) => s.peerId)).toEqual([ids.pb]);
    // dt (no link read here, so no row of its own) draws pb as sound only, and is not sent tn's row.
    expect(lastTo('sock-dt').map((s) => s.peerId)).toEqual([ids.pb]);

    // The link recovers: back to everything within 15 s.
    media.links.set(ids.pb!, { ...thin, estimateBps: 2_500_000, rttMs: 3, lossFraction: 0 });
    let seconds = 0;
    while (last().find((s) => s.peerId === ids.pb)?.step !== 'none' && seconds < 30) {
      f.clock.t += 1000;
      seconds++;
      await loop.tick();
    }
    expect(seconds).toBeLessThanOrEqual(15);
    expect(media.shed.get(ids.pb!)!.every((a) => !a.shed && a.maxSpatialLayer === null)).toBe(true);
  });

  it('a reloaded page that resumes its place starts unshed: the collapse of the dying link is forgotten', async () => {
    const f = fakeConference();
    const ids = await meeting(f);
    const media = f.media[0]!;
    const room = f.conference.rooms.values().next().value!;
    const video = [{ consumerId: 'v-tn', producerPeerId: ids.tn!, source: 'camera' as const }];
    // The old page's link collapses while it goes away: pb's video is shed.
    media.links.set(ids.pb!, { estimateBps: 60_000, sendBps: 50_000, rttMs: 400, lossFraction: 0.3, audioStreams: 2, video });
    const loop = new AdaptationLoop(f.conference, { enabled: true, logger: silentLogger, now: () => f.clock.t });
    for (let i = 0; i < 4; i++) {
      f.clock.t += 1000;
      await loop.tick();
    }
    expect(media.shed.get(ids.pb!)!.some((a) => a.shed)).toBe(true);
    // The reloaded page joins as the same peer with fresh media; its new consumer resumes unshed.
    f.conference.socketLost(room, ids.pb!, 'sock-pb');
    const reloaded = { ...socketOf(f, 'pb', 'sock-pb-2'), adaptation: loop };
    const res = await call(reloaded, 'meeting:join', {
      meetingId: MEETING.id,
      rtpCapabilities: { codecs: [] },
      resumePeerId: ids.pb!,
      freshMedia: true,
    });
    expect(res.peerId).toBe(ids.pb);
    media.shed.delete(ids.pb!);
    media.links.set(ids.pb!, { estimateBps: null, sendBps: 0, rttMs: null, lossFraction: 0, audioStreams: 0, video });
    await loop.beforeResume(room, ids.pb!);
    expect(media.shed.get(ids.pb!)?.some((a) => a.shed) ?? false).toBe(false);
  });

  it('reads a steady link every 3 s and a thin one every second; a steady link that collapses is shed within 5 s', async () => {
    const f = fakeConference();
    const ids = await meeting(f);
    const media = f.media[0]!;
    const video = cameras(ids);
    const good = { estimateBps: 3_000_000, sendBps: 500_000, rttMs: 5, lossFraction: 0, audioStreams: 2, video };
    media.links.set(ids.pb!, good);
    media.links.set(ids.tn!, { ...good, estimateBps: 250_000 }); // short of the full need: not steady
    const loop = new AdaptationLoop(f.conference, { enabled: true, logger: silentLogger, now: () => f.clock.t });
    for (let i = 0; i < 12; i++) {
      f.clock.t += 1000;
      await loop.tick();
    }
    expect(media.linkReads.get(ids.tn!)).toBe(12);
    expect(media.linkReads.get(ids.pb!)).toBe(4);
    // pb's link collapses: read within 3 s, then every second until it is shed.
    media.links.set(ids.pb!, { ...good, estimateBps: 120_000, sendBps: 110_000, rttMs: 300, lossFraction: 0.1 });
    let seconds = 0;
    while (!media.shed.get(ids.pb!)?.some((a) => a.shed) && seconds < 20) {
      f.clock.t += 1000;
      seconds++;
      await loop.tick();
    }
    expect(seconds).toBeLessThanOrEqual(5);
  });

  it('tells the room of an estimate that moved only where screens show it (a site with something shed)', async () => {
    const f = fakeConference();
    const ids = await meeting(f);
    const media = f.media[0]!;
    const video = cameras(ids);
    const good = { estimateBps: 3_000_000, sendBps: 500_000, rttMs: 5, lossFraction: 0, audioStreams: 2, video };
    media.links.set(ids.pb!, good);
    media.links.set(ids.tn!, good);
    const loop = new AdaptationLoop(f.conference, { enabled: true, logger: silentLogger, now: () => f.clock.t });
    const sent = () => f.push.eventsTo('sock-tn', 'media:adaptation') as { sites: SiteAdaptation[] }[];
    const ticks = async (n: number) => {
      for (let i = 0; i < n; i++) {
        f.clock.t += 1000;
        await loop.tick();
      }
    };
    await ticks(4);
    const told = sent().length;
    // Nothing shed: an estimate that doubles, then halves, is seen by no one.
    media.links.set(ids.tn!, { ...good, estimateBps: 6_000_000 });
    await ticks(4);
    media.links.set(ids.tn!, { ...good, estimateBps: 1_500_000 });
    await ticks(4);
    expect(sent().length).toBe(told);
    // pb's link thins and its video is shed: told; its estimate then moves by half: told again.
    media.links.set(ids.pb!, { ...good, estimateBps: 200_000, sendBps: 150_000, rttMs: 200, lossFraction: 0.05 });
    await ticks(4);
    const shed = sent()
      .at(-1)!
      .sites.find((x) => x.peerId === ids.pb)!;
    expect(shed.step).not.toBe('none');
    const n = sent().length;
    media.links.set(ids.pb!, { ...good, estimateBps: 100_000, sendBps: 90_000, rttMs: 200, lossFraction: 0.05 });
    await ticks(2);
    expect(sent().length).toBeGreaterThan(n);
    expect(
      sent()
        .at(-1)!
        .sites.find((x) => x.peerId === ids.pb)!.linkKbps,
    ).toBe(100);
  });

  it('with adaptation switched off, sheds nothing', async () => {
    const f = fakeConference();
    const ids = await meeting(f);
    const media = f.media[0]!;
    const video = [{ consumerId: 'v-tn', producerPeerId: ids.tn!, source: 'camera' as const }];
    media.links.set(ids.pb!, { estimateBps: 100_000, sendBps: 90_000, rttMs: 400, lossFraction: 0, audioStreams: 2, video });
    const loop = new AdaptationLoop(f.conference, { enabled: false, logger: silentLogger, now: () => f.clock.t });
    for (let i = 0; i < 5; i++) {
      f.clock.t += 1000;
      await loop.tick();
    }
    expect(media.shed.get(ids.pb!)).toEqual([{ consumerId: 'v-tn', shed: false, maxSpatialLayer: null }]);
  });

  it('the join reply tells the browser whether to pause its own camera on a thin uplink', async () => {
    const f = fakeConference();
    for (const enabled of [true, false]) {
      const loop = new AdaptationLoop(f.conference, { enabled, logger: silentLogger });
      const ctx = { ...socketOf(f, 'pb', `sock-pb-${enabled}`), adaptation: loop };
      const res = await call(ctx, 'meeting:join', { meetingId: MEETING.id, rtpCapabilities: { codecs: [] } });
      expect(res.adaptation).toBe(enabled);
    }
  });
});

const silentLogger = { info() {}, warn() {}, error() {}, debug() {}, child: () => silentLogger } as never;
