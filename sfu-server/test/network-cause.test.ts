// Why a site's quality is down, from nms's view of its path (domain rule), and who is told
// (the network watch): the chair and console operators, never the other sites.
import { describe, expect, it } from 'vitest';
import { networkCause, type PathLink, type SitePath, sameCause } from '../src/domain/live/network-cause';
import type { NetworkEvent } from '../src/domain/live/quality-log';
import type { RoomNetwork } from '../src/protocol';
import { NetworkWatch } from '../src/signalling/network-watch';
import { call, fakeConference, MEETING, socketOf } from './support/fake-signalling';

const hop = (id: string, state: string, extra: Partial<PathLink> = {}): PathLink => ({
  id,
  name: `link ${id}`,
  state,
  reasons: [],
  lossRatio: null,
  utilisation: null,
  rttMs: null,
  ...extra,
});
const loss = (ratio: number) => ({ reasons: [{ code: 'loss', value: ratio, minutes: null, text: `loss ${ratio}` }], lossRatio: ratio });

describe('network cause (domain)', () => {
  it('names the faulty link on the path, the highest one when several are, with its reasons and figures', () => {
    const path: SitePath = {
      code: 'C',
      known: true,
      path: [hop('commune-up', 'up'), hop('district-up', 'degraded', { ...loss(0.04), utilisation: 0.97 })],
    };
    expect(networkCause(path)).toEqual({
      kind: 'link',
      linkId: 'district-up',
      linkName: 'link district-up',
      state: 'degraded',
      reasons: [{ code: 'loss', value: 0.04, minutes: null }],
      lossRatio: 0.04,
      utilisation: 0.97,
      alsoFaulty: 0,
    });
    const both = networkCause({ ...path, path: [hop('commune-up', 'down'), hop('district-up', 'flapping')] });
    expect(both).toMatchObject({ kind: 'link', linkId: 'district-up', state: 'flapping', alsoFaulty: 1 });
  });

  it("a clean path is the site's own connection; an unknown site, an empty or unseen path says nothing", () => {
    expect(networkCause({ code: 'C', known: true, path: [hop('a', 'up'), hop('b', 'up')] })).toEqual({ kind: 'site' });
    expect(networkCause({ code: 'C', known: true, path: [hop('a', 'up'), hop('b', 'unknown')] })).toEqual({ kind: 'unknown' });
    expect(networkCause({ code: 'C', known: true, path: [] })).toEqual({ kind: 'unknown' });
    expect(networkCause({ code: 'C', known: false, path: [] })).toEqual({ kind: 'unknown' });
    expect(networkCause(undefined)).toEqual({ kind: 'unknown' });
  });

  it('the same cause within a percentage point is not news; another link, state or reason is', () => {
    const a = networkCause({ code: 'C', known: true, path: [hop('x', 'degraded', loss(0.04))] });
    expect(sameCause(a, networkCause({ code: 'C', known: true, path: [hop('x', 'degraded', loss(0.045))] }))).toBe(true);
    expect(sameCause(a, networkCause({ code: 'C', known: true, path: [hop('x', 'degraded', loss(0.08))] }))).toBe(false);
    expect(sameCause(a, networkCause({ code: 'C', known: true, path: [hop('x', 'down', loss(0.04))] }))).toBe(false);
    expect(sameCause(a, { kind: 'site' })).toBe(false);
    expect(sameCause({ kind: 'site' }, { kind: 'site' })).toBe(true);
  });
});

const good = { rttMs: 20, lossFraction: 0, sendBps: 600_000, recvBps: 900_000, jitterMs: 5, layer: 2 };

describe('network watch', () => {
  async function meeting() {
    const f = fakeConference();
    const ids: Record<string, string> = {};
    for (const site of ['tn', 'dt', 'pb']) {
      const ctx = socketOf(f, site);
      await call(ctx, 'meeting:join', { meetingId: MEETING.id, rtpCapabilities: { codecs: [] } });
      ids[site] = ctx.session.peerId!;
    }
    const media = f.media[0]!;
    for (const site of ['tn', 'dt', 'pb']) media.stats.set(ids[site]!, good);
    media.stats.set(ids.dt!, { ...good, lossFraction: 0.12 }); // poor
    f.clock.t += 2000;
    await f.conference.refreshQuality();
    const asked: string[][] = [];
    let answer: (codes: string[]) => SitePath[] = (codes) =>
      codes.map((code) => ({ code, known: true, path: [hop(`${code}-up`, code === 'DT' ? 'degraded' : 'up', loss(0.05))] }));
    const silent = { warn() {}, info() {}, error() {} } as never;
    const marks: NetworkEvent[] = [];
    const watch = new NetworkWatch(
      f.conference,
      async (codes) => {
        asked.push([...codes].sort());
        return answer(codes);
      },
      silent,
      (e) => marks.push(e),
    );
    const sent = () => f.push.sent.filter((s) => s.event === 'room:network') as { to: string; data: RoomNetwork }[];
    return { f, ids, media, watch, asked, sent, marks, setAnswer: (fn: typeof answer) => (answer = fn) };
  }

  it('tells nms every live site, and only the chair the cause of a poor site; again only when it changes', async () => {
    const m = await meeting();
    await m.watch.tick();
    expect(m.asked).toEqual([['DT', 'PB', 'TN']]);
    expect(m.sent().map((s) => s.to)).toEqual(['sock-tn']); // the chair user's socket only
    expect(m.sent()[0]!.data).toMatchObject({ meetingId: MEETING.id, available: true, sites: { dt: { kind: 'link', linkId: 'DT-up' } } });
    expect(Object.keys(m.sent()[0]!.data.sites)).toEqual(['dt']); // good sites need no explanation
    await m.watch.tick();
    expect(m.sent()).toHaveLength(1);
    // nms stops answering: the chair is told the cause is unknown now, not left with the old one.
    m.setAnswer(() => {
      throw new Error('nms down');
    });
    await m.watch.tick();
    expect(m.sent().at(-1)!.data).toEqual({ meetingId: MEETING.id, available: false, sites: {} });
  });

  it("keeps each change of a link on a live site's path for the quality report, whatever the site's grade", async () => {
    const m = await meeting();
    await m.watch.tick();
    await m.watch.tick(); // no change: nothing more kept
    expect(m.marks.map((e) => [e.siteId, e.linkId, e.state])).toEqual([['dt', 'DT-up', 'degraded']]);
    expect(m.marks[0]).toMatchObject({ meetingId: MEETING.id, reasons: [{ code: 'loss', value: 0.05, minutes: null }] });
    m.setAnswer((codes) => codes.map((code) => ({ code, known: true, path: [hop(`${code}-up`, code === 'TN' ? 'down' : 'up')] })));
    m.f.clock.t += 5000;
    await m.watch.tick();
    // Đại Từ's link is back up; the province's went down although its quality reads good.
    expect(m.marks.slice(1).map((e) => [e.siteId, e.linkId, e.state])).toEqual([
      ['tn', 'TN-up', 'down'],
      ['dt', 'DT-up', 'up'],
    ]);
  });

  it('a console operator named later gets the current causes at the next tick; a participant never', async () => {
    const m = await meeting();
    await m.watch.tick();
    const chair = socketOf(m.f, 'tn');
    chair.session.room = m.f.conference.rooms.values().next().value!;
    chair.session.peerId = m.ids.tn!;
    await call(chair, 'chair:setOperators', { userIds: ['user-pb'] });
    await m.watch.tick();
    expect(m.sent().map((s) => s.to)).toEqual(['sock-tn', 'sock-pb']);
    expect(m.sent().some((s) => s.to === 'sock-dt')).toBe(false);
  });
});
