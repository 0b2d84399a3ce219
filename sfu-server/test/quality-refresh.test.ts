// The periodic quality refresh (conference.refreshQuality): what it reads from the media layer and
// when it tells the room. A calm meeting must cost little; a change must still reach everyone.
import { describe, expect, it } from 'vitest';
import type { RoomState, ServerEventOf } from '../src/protocol';
import { call, fakeConference, MEETING, socketOf } from './support/fake-signalling';

const good = { rttMs: 20, lossFraction: 0, sendBps: 600_000, recvBps: 900_000, jitterMs: 5, layer: 2 };

describe('quality refresh', () => {
  it('reads a good link every 5.5 s and a poor one every refresh; tells the room only the sites that changed, never the whole state', async () => {
    const f = fakeConference();
    const ids: Record<string, string> = {};
    for (const site of ['tn', 'dt']) {
      const ctx = socketOf(f, site);
      await call(ctx, 'meeting:join', { meetingId: MEETING.id, rtpCapabilities: { codecs: [] } });
      ids[site] = ctx.session.peerId!;
    }
    const media = f.media[0]!;
    media.stats.set(ids.tn!, good);
    media.stats.set(ids.dt!, { ...good, lossFraction: 0.12 }); // poor
    const states = () => f.push.events('room:state') as RoomState[];
    // tn is the chair site: its console shows every site's figures. dt sees the grades.
    const deltas = (socket = 'sock-tn') => f.push.eventsTo(socket, 'room:quality') as ServerEventOf<'room:quality'>[];
    const before = states().length;
    const refreshes = async (n: number) => {
      for (let i = 0; i < n; i++) {
        f.clock.t += 2000;
        await f.conference.refreshQuality();
      }
    };
    await refreshes(1);
    // The joins sent the full state moments ago: the first figures go out as a change of both sites.
    expect(states().length).toBe(before);
    expect(deltas()).toHaveLength(1);
    const grades = Object.fromEntries(deltas()[0]!.sites.map((s) => [s.peerId, s.quality.grade]));
    expect(grades).toEqual({ [ids.tn!]: 'good', [ids.dt!]: 'poor' });
    await refreshes(5); // 10 s more
    expect(media.statsReads.get(ids.dt!)).toBe(6);
    expect(media.statsReads.get(ids.tn!)).toBe(2); // at 2 and 8 s (5.5 s apart at least)
    // Nothing changed on screen: nothing told, not even the whole state as a reminder (every site gets
    // it, so a few hundred sites would each get every site's figures every few seconds).
    expect(states().length).toBe(before);
    expect(deltas()).toHaveLength(1);
    expect(deltas('sock-dt')).toHaveLength(1);
    // tn's figures move but its grade stays: the console is told, dt is not.
    media.stats.set(ids.tn!, { ...good, rttMs: 200 });
    await refreshes(3);
    expect(deltas()).toHaveLength(2);
    expect(deltas('sock-dt')).toHaveLength(1);
    // The link turns poor: seen at its next reading, told at once to everyone, and only that site.
    media.stats.set(ids.tn!, { ...good, rttMs: 900 });
    await refreshes(3);
    for (const socket of ['sock-tn', 'sock-dt']) {
      expect(
        deltas(socket)
          .at(-1)!
          .sites.map((s) => [s.peerId, s.quality.grade]),
      ).toEqual([[ids.tn!, 'poor']]);
    }
    expect(deltas()).toHaveLength(3);
    expect(deltas('sock-dt')).toHaveLength(2);
  });
});
