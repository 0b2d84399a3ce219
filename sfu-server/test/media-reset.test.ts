// A site whose media the server lost (its worker died) is told to rebuild, and its new transports'
// link is judged afresh: adaptation does not carry a step over onto a link that has just started.
import { describe, expect, it } from 'vitest';
import { AdaptationLoop } from '../src/signalling/adaptation';
import { call, fakeConference, MEETING, socketOf } from './support/fake-signalling';

const silentLogger = { info() {}, warn() {}, error() {}, debug() {}, child: () => silentLogger } as never;

describe('media reset after a worker death (signalling/conference.ts)', () => {
  it('tells the site to rebuild and restarts its link adaptation', async () => {
    const f = fakeConference();
    const ctx: Record<string, ReturnType<typeof socketOf>> = {};
    for (const site of ['tn', 'dt', 'pb']) {
      ctx[site] = socketOf(f, site);
      await call(ctx[site], 'meeting:join', { meetingId: MEETING.id, rtpCapabilities: { codecs: [] } });
    }
    const pb = ctx.pb!.session.peerId!;
    const media = f.media[0]!;
    const video = [
      { consumerId: 'v-tn', producerPeerId: ctx.tn!.session.peerId!, source: 'camera' as const },
      { consumerId: 'v-dt', producerPeerId: ctx.dt!.session.peerId!, source: 'camera' as const },
    ];
    // A link estimate too low for every picture, as a busy host's fresh transports report at first.
    media.links.set(pb, { estimateBps: 200_000, sendBps: 150_000, rttMs: 20, lossFraction: 0, audioStreams: 2, video });
    const loop = new AdaptationLoop(f.conference, { enabled: true, logger: silentLogger, now: () => f.clock.t });
    const tick = async () => {
      f.clock.t += 1000;
      await loop.tick();
    };
    for (let i = 0; i < 4; i++) await tick();
    expect(media.shed.get(pb)!.filter((a) => a.shed)).toHaveLength(1); // main-only

    // Its worker dies: the server forgets its media and tells it; it rejoins as the same peer.
    media.removePeer(pb);
    media.emit('peerMediaReset', pb);
    expect(f.push.sent.filter((s) => s.event === 'media:reset' && s.to === ctx.pb!.socketId)).toHaveLength(1);
    await call(ctx.pb!, 'meeting:join', { meetingId: MEETING.id, rtpCapabilities: { codecs: [] }, resumePeerId: pb });
    expect(ctx.pb!.session.peerId).toBe(pb);

    // The same low estimate on the new transports sheds nothing before the settle time has passed.
    await tick();
    await tick();
    expect(media.shed.get(pb)!.every((a) => !a.shed && a.maxSpatialLayer === null)).toBe(true);
  });
});
