import { AppError } from '@lienthong/kit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ClientRequests, type ControlState, type DialOutState } from '../src/protocol';
import type { RecordedRoom } from '../src/recording/recording-service';
import { requestHandlers, topics } from '../src/signalling/handlers';
import { MemoryChairRepository } from '../src/signalling/memory-chair-repository';
import type { RoomDialer } from '../src/signalling/ports';
import { call, codeOf, type Fixture, fakeConference, MEETING, socketOf } from './support/fake-signalling';

const caps = { codecs: [] };

/** A site's socket joined to the meeting, with a live microphone. */
async function joined(f: Fixture, siteId: string) {
  const ctx = socketOf(f, siteId);
  await call(ctx, 'meeting:join', { meetingId: MEETING.id, rtpCapabilities: caps });
  const { producerId } = await call(ctx, 'media:produce', { transportId: 't', kind: 'audio', rtpParameters: {}, source: 'mic' });
  await settle();
  return { ctx, peerId: ctx.session.peerId!, mic: producerId };
}

/** Lets fire-and-forget enforcement (on a new producer) finish. */
const settle = () => new Promise((r) => setImmediate(r));

function lastControl(f: Fixture): ControlState {
  const all = f.push.events('room:control') as ControlState[];
  return all[all.length - 1]!;
}

describe('signalling handlers over fakes (no socket.io, no mediasoup)', () => {
  afterEach(() => vi.useRealTimers());

  it('has exactly one handler per ClientRequests event, each in one topic module', () => {
    const owners = new Map<string, string[]>();
    for (const [topic, handlers] of Object.entries(topics))
      for (const event of Object.keys(handlers)) owners.set(event, [...(owners.get(event) ?? []), topic]);
    expect([...owners.keys()].sort()).toEqual(Object.keys(ClientRequests).sort());
    for (const [event, by] of owners) expect(by, event).toHaveLength(1);
    expect(Object.keys(requestHandlers).sort()).toEqual(Object.keys(ClientRequests).sort());
    expect(owners.get('chair:giveFloor')).toEqual(['floor']);
  });

  it('in briefing mode only the chair and the floor holder are heard; taking the floor closes it again', async () => {
    const f = fakeConference();
    const chair = await joined(f, 'tn');
    const dt = await joined(f, 'dt');
    const pb = await joined(f, 'pb');
    const media = f.media[0]!;
    expect([media.micLive(chair.peerId), media.micLive(dt.peerId), media.micLive(pb.peerId)]).toEqual([true, true, true]);

    await call(chair.ctx, 'chair:setMode', { mode: 'briefing' });
    expect([media.micLive(chair.peerId), media.micLive(dt.peerId), media.micLive(pb.peerId)]).toEqual([true, false, false]);
    expect(lastControl(f).mics).toEqual({ tn: 'open', dt: 'closed', pb: 'closed' });

    await call(chair.ctx, 'chair:giveFloor', { siteId: 'dt' });
    expect([media.micLive(dt.peerId), media.micLive(pb.peerId)]).toEqual([true, false]);
    expect(lastControl(f).floor).toMatchObject({ siteId: 'dt', until: null });
    expect(lastControl(f).media[dt.peerId]).toEqual({ micLive: true, camera: false });

    await call(chair.ctx, 'chair:takeFloor', {});
    expect([media.micLive(chair.peerId), media.micLive(dt.peerId), media.micLive(pb.peerId)]).toEqual([true, false, false]);
    expect(f.repo.listAudit(MEETING.id).map((a) => a.action)).toEqual(['mode.set', 'floor.give', 'floor.take']);
    expect(f.repo.listAudit(MEETING.id)[1]).toMatchObject({ actorUserId: 'user-tn', actorSiteId: 'tn', targetSiteId: 'dt' });
    expect(f.repo.loadControl(MEETING.id)).toMatchObject({ mode: 'briefing', floor: null });
  });

  it('refuses a chair action from another site with NOT_CHAIR and changes nothing', async () => {
    const f = fakeConference();
    await joined(f, 'tn');
    const dt = await joined(f, 'dt');
    const pb = await joined(f, 'pb');
    const pushedBefore = f.push.sent.length;
    const savedBefore = f.repo.loadControl(MEETING.id);

    expect(await codeOf(call(dt.ctx, 'chair:giveFloor', { siteId: 'pb' }))).toBe('NOT_CHAIR');
    expect(await codeOf(call(dt.ctx, 'chair:setMode', { mode: 'briefing' }))).toBe('NOT_CHAIR');
    expect(await codeOf(call(dt.ctx, 'chair:mute', { siteId: 'pb', muted: true }))).toBe('NOT_CHAIR');
    expect(await codeOf(call(dt.ctx, 'rollcall:start', {}))).toBe('NOT_CHAIR');

    expect(f.push.sent.length).toBe(pushedBefore);
    expect(f.repo.listAudit(MEETING.id)).toEqual([]);
    expect(f.repo.loadControl(MEETING.id)).toEqual(savedBefore);
    const c = await call(dt.ctx, 'control:get', {});
    expect(c).toMatchObject({ mode: 'discussion', floor: null, rollCall: null, mics: { tn: 'open', dt: 'open', pb: 'open' } });
    expect(f.media[0]!.micLive(pb.peerId)).toBe(true);
  });

  it('the chair starts and stops recording; every screen is told; another site may not', async () => {
    const f = fakeConference();
    const chair = await joined(f, 'tn');
    const dt = await joined(f, 'dt');
    expect(await codeOf(call(chair.ctx, 'chair:record', { on: true }))).toBe('RECORDING_UNAVAILABLE');
    const rooms: RecordedRoom[] = [];
    const recordings = {
      start: async (_meetingId: string, by: { userId: string; name: string }, room: RecordedRoom) => {
        rooms.push(room);
        return { id: 'rec-1', startedAt: 1234, startedByName: by.name };
      },
      stop: async () => ({ state: 'done', durationMs: 20_000 }),
    };
    chair.ctx.recordings = recordings;
    dt.ctx.recordings = recordings;
    expect(await codeOf(call(dt.ctx, 'chair:record', { on: true }))).toBe('NOT_CHAIR');
    expect(rooms).toEqual([]);

    await call(chair.ctx, 'chair:record', { on: true });
    expect(lastControl(f).recording).toEqual({ recordingId: 'rec-1', since: 1234, byName: 'Chủ trì tn' });
    // What the recorder reads: both sites with their open microphones.
    const view = rooms[0]!.view()!;
    expect(view.peers.map((p) => [p.peerId, p.mic?.producerId])).toEqual([
      [chair.peerId, chair.mic],
      [dt.peerId, dt.mic],
    ]);
    await call(chair.ctx, 'chair:record', { on: false });
    expect(lastControl(f).recording).toBeNull();
    expect(f.repo.listAudit(MEETING.id).map((a) => [a.action, a.detail])).toEqual([
      ['recording.start', null],
      ['recording.stop', '20 s'],
    ]);
  });

  it('the chair calls room systems: one or all not in yet; each state reaches every screen; another site may not', async () => {
    const f = fakeConference();
    const chair = await joined(f, 'tn');
    const dt = await joined(f, 'dt');
    expect(await codeOf(call(chair.ctx, 'chair:dialOut', { roomSystemId: null }))).toBe('SIP_UNAVAILABLE');
    const reports = new Map<string, (state: DialOutState, reason: string | null) => void>();
    const dialer: RoomDialer = {
      rooms: () => [
        { id: 'rs-pb', name: 'Codec pb', siteId: 'pb', dialable: true },
        { id: 'rs-dt', name: 'Codec dt', siteId: 'dt', dialable: true },
        { id: 'rs-vn', name: 'Codec vn', siteId: 'vn', dialable: false },
      ],
      dial: (_m, id, report) => {
        if (id === 'rs-vn') throw new AppError('NOT_DIALABLE', 'no address', 409);
        reports.set(id, report);
      },
      hangUp: async (_m, id) => {
        const report = reports.get(id);
        if (!report) return false;
        reports.delete(id);
        report('ended', 'cancelled by the chair');
        return true;
      },
    };
    chair.ctx.dialer = dialer;
    dt.ctx.dialer = dialer;
    expect(await codeOf(call(dt.ctx, 'chair:dialOut', { roomSystemId: 'rs-pb' }))).toBe('NOT_CHAIR');
    expect(await codeOf(call(chair.ctx, 'chair:dialOut', { roomSystemId: 'nope' }))).toBe('NOT_FOUND');
    expect(await codeOf(call(chair.ctx, 'chair:dialOut', { roomSystemId: 'rs-vn' }))).toBe('NOT_DIALABLE');
    expect(reports.size).toBe(0);
    // All: only the callable ones of sites not in the meeting (dt is in).
    await call(chair.ctx, 'chair:dialOut', { roomSystemId: null });
    expect([...reports.keys()]).toEqual(['rs-pb']);
    expect(lastControl(f).dialOut).toMatchObject([{ roomSystemId: 'rs-pb', state: 'calling', reason: null }]);
    reports.get('rs-pb')!('ringing', null);
    expect(lastControl(f).dialOut[0]).toMatchObject({ state: 'ringing' });
    // Asked again while it rings: refused, nothing dialled twice.
    expect(await codeOf(call(chair.ctx, 'chair:dialOut', { roomSystemId: 'rs-pb' }))).toBe('ALREADY_CALLING');
    reports.get('rs-pb')!('failed', '486 Busy Here');
    expect(lastControl(f).dialOut[0]).toMatchObject({ state: 'failed', reason: '486 Busy Here' });
    // Called again and stopped while it rings: only the chair may, only a room being called.
    reports.clear();
    await call(chair.ctx, 'chair:dialOut', { roomSystemId: 'rs-pb' });
    expect(await codeOf(call(dt.ctx, 'chair:hangUpRoom', { roomSystemId: 'rs-pb' }))).toBe('NOT_CHAIR');
    expect(await codeOf(call(chair.ctx, 'chair:hangUpRoom', { roomSystemId: 'nope' }))).toBe('NOT_FOUND');
    expect(await codeOf(call(chair.ctx, 'chair:hangUpRoom', { roomSystemId: 'rs-dt' }))).toBe('NOT_IN_CALL');
    expect(reports.has('rs-pb')).toBe(true);
    await call(chair.ctx, 'chair:hangUpRoom', { roomSystemId: 'rs-pb' });
    expect(lastControl(f).dialOut[0]).toMatchObject({ state: 'ended', reason: 'cancelled by the chair' });
    expect(f.repo.listAudit(MEETING.id).map((a) => [a.action, a.detail])).toEqual([
      ['dialOut', 'Codec pb'],
      ['dialOut', 'Codec pb'],
      ['hangUpRoom', 'Codec pb'],
    ]);
  });

  it('keeps speaking requests in the order they came; giving the floor takes the site off the queue', async () => {
    const f = fakeConference();
    const chair = await joined(f, 'tn');
    const [dt, pb, vn] = [await joined(f, 'dt'), await joined(f, 'pb'), await joined(f, 'vn')];
    expect(await call(pb.ctx, 'floor:request', {})).toEqual({ position: 1 });
    f.clock.t += 1000;
    expect(await call(vn.ctx, 'floor:request', {})).toEqual({ position: 2 });
    f.clock.t += 1000;
    expect(await call(dt.ctx, 'floor:request', {})).toEqual({ position: 3 });
    expect(await call(pb.ctx, 'floor:request', {})).toEqual({ position: 1 }); // asking again keeps the place
    expect(lastControl(f).queue.map((q) => q.siteId)).toEqual(['pb', 'vn', 'dt']);
    expect(f.repo.loadControl(MEETING.id)?.queue?.map((q) => q.siteId)).toEqual(['pb', 'vn', 'dt']);

    await call(vn.ctx, 'floor:withdraw', {});
    expect(await codeOf(call(vn.ctx, 'floor:withdraw', {}))).toBe('NOT_IN_QUEUE');
    await call(chair.ctx, 'chair:giveFloor', { siteId: 'dt' });
    expect(lastControl(f).queue.map((q) => q.siteId)).toEqual(['pb']);
    expect(f.repo.loadControl(MEETING.id)?.queue?.map((q) => q.siteId)).toEqual(['pb']);
    expect(await codeOf(call(chair.ctx, 'floor:request', {}))).toBe('IS_CHAIR');
  });

  it("refuses a self-unmute in briefing without the floor; a site's own mute survives the chair opening it", async () => {
    const f = fakeConference();
    const chair = await joined(f, 'tn');
    const dt = await joined(f, 'dt');
    const media = f.media[0]!;
    await call(chair.ctx, 'chair:setMode', { mode: 'briefing' });
    expect(await codeOf(call(dt.ctx, 'media:resumeProducer', { producerId: dt.mic }))).toBe('FLOOR_REQUIRED');
    expect(media.micLive(dt.peerId)).toBe(false);

    await call(dt.ctx, 'media:pauseProducer', { producerId: dt.mic }); // the site mutes itself
    await call(chair.ctx, 'chair:giveFloor', { siteId: 'dt' });
    expect(media.micLive(dt.peerId)).toBe(false);
    await call(dt.ctx, 'media:resumeProducer', { producerId: dt.mic });
    expect(media.micLive(dt.peerId)).toBe(true);
    // The chair console sees it at once, not at the next reminder.
    expect(lastControl(f).media[dt.peerId]?.micLive).toBe(true);
    await call(dt.ctx, 'media:pauseProducer', { producerId: dt.mic });
    expect(lastControl(f).media[dt.peerId]?.micLive).toBe(false);

    await call(chair.ctx, 'chair:setSelfUnmute', { allowed: false });
    await call(chair.ctx, 'chair:mute', { siteId: 'dt', muted: true });
    expect(media.micLive(dt.peerId)).toBe(false);
    expect(await codeOf(call(dt.ctx, 'media:resumeProducer', { producerId: dt.mic }))).toBe('SELF_UNMUTE_FORBIDDEN');
  });

  it('runs a roll call: a site answers, the chair marks the others; each change is stored and audited', async () => {
    const f = fakeConference();
    const chair = await joined(f, 'tn');
    const dt = await joined(f, 'dt');
    const { rollCallId } = await call(chair.ctx, 'rollcall:start', {});
    expect(lastControl(f).rollCall?.entries.map((e) => [e.siteId, e.status])).toEqual([
      ['dt', 'pending'],
      ['pb', 'pending'],
      ['vn', 'pending'],
    ]);
    f.clock.t += 5000;
    await call(dt.ctx, 'rollcall:answer', { headCount: 12 });
    await call(chair.ctx, 'rollcall:mark', { siteId: 'pb', status: 'absent', reason: 'Mất điện' });
    expect(await codeOf(call(dt.ctx, 'rollcall:mark', { siteId: 'vn', status: 'present' }))).toBe('NOT_CHAIR');
    await call(chair.ctx, 'rollcall:end', {});
    expect(await codeOf(call(dt.ctx, 'rollcall:answer', { headCount: 3 }))).toBe('NO_ROLLCALL');

    const [stored] = f.repo.rollCalls(MEETING.id);
    expect(stored).toMatchObject({ id: rollCallId, startedBy: 'user-tn', endedAt: f.clock.t });
    expect(stored!.entries.map((e) => [e.siteId, e.status, e.headCount, e.reason])).toEqual([
      ['dt', 'present', 12, null],
      ['pb', 'absent', null, 'Mất điện'],
      ['vn', 'pending', null, null],
    ]);
    expect(f.repo.listAudit(MEETING.id).map((a) => a.action)).toEqual(['rollcall.start', 'rollcall.mark.absent', 'rollcall.end']);
  });

  it('gives a low-bandwidth receiver only the lowest video layer', async () => {
    const f = fakeConference();
    const dt = await joined(f, 'dt');
    await call(dt.ctx, 'media:setConsumerLayers', { consumerId: 'c1', spatialLayer: 2, temporalLayer: 1 });
    await call(dt.ctx, 'meeting:setReceiveMode', { mode: 'low' });
    await call(dt.ctx, 'media:setConsumerLayers', { consumerId: 'c1', spatialLayer: 2, temporalLayer: 1 });
    expect(f.media[0]!.layerRequests.map((r) => [r.spatialLayer, r.temporalLayer])).toEqual([
      [2, 1],
      [0, 1],
    ]);
  });

  it('enforces receive modes on every path: existing consumers, new ones, and refusals', async () => {
    const f = fakeConference();
    const tn = await joined(f, 'tn');
    const cam = await call(tn.ctx, 'media:produce', { transportId: 't', kind: 'video', rtpParameters: {}, source: 'camera' });
    const dt = await joined(f, 'dt');
    const media = f.media[0]!;
    const video = await call(dt.ctx, 'media:consume', { producerId: cam.producerId });
    await call(dt.ctx, 'media:consume', { producerId: tn.mic });
    // Switching to low brings the layer of video already received down, not only later requests.
    await call(dt.ctx, 'meeting:setReceiveMode', { mode: 'low' });
    expect(media.layerRequests).toEqual([{ peerId: dt.peerId, consumerId: video.consumerId, spatialLayer: 0, temporalLayer: undefined }]);
    // A video consumer made in low mode starts capped.
    await call(dt.ctx, 'media:closeConsumer', { consumerId: video.consumerId });
    const again = await call(dt.ctx, 'media:consume', { producerId: cam.producerId });
    expect(media.layerRequests.at(-1)).toMatchObject({ consumerId: again.consumerId, spatialLayer: 0 });
    // Audio-only: video closes (the client is told), audio stays, and no video can be consumed.
    await call(dt.ctx, 'meeting:setReceiveMode', { mode: 'audio-only' });
    expect(media.consumersOf(dt.peerId).map((c) => c.kind)).toEqual(['audio']);
    expect(f.push.sent.filter((e) => e.event === 'media:consumerClosed').map((e) => e.data)).toEqual([{ consumerId: again.consumerId }]);
    expect(await codeOf(call(dt.ctx, 'media:consume', { producerId: cam.producerId }))).toBe('RECEIVE_MODE_AUDIO_ONLY');
  });

  it('a reloaded page resumes its place with fresh media: same peer, old producers closed for the others, the grace cancelled', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const f = fakeConference();
    await joined(f, 'tn');
    const dt = await joined(f, 'dt');
    const media = f.media[0]!;
    const room = dt.ctx.session.room!;
    f.conference.socketLost(room, dt.peerId, dt.ctx.socketId);
    // A signalling drop alone: the media is kept, the client only restarts ICE.
    const kept = socketOf(f, 'dt', 'sock-dt-2');
    const res1 = await call(kept, 'meeting:join', { meetingId: MEETING.id, rtpCapabilities: caps, resumePeerId: dt.peerId });
    expect(res1).toMatchObject({ peerId: dt.peerId, resumed: true, graceMs: 30_000 });
    expect(media.producersOf(dt.peerId).map((p) => p.producerId)).toEqual([dt.mic]);
    // A reload: the page has no media; the place is kept, the old producers go now.
    f.conference.socketLost(room, dt.peerId, kept.socketId);
    const reloaded = socketOf(f, 'dt', 'sock-dt-3');
    const res2 = await call(reloaded, 'meeting:join', {
      meetingId: MEETING.id,
      rtpCapabilities: caps,
      resumePeerId: dt.peerId,
      freshMedia: true,
    });
    expect(res2).toMatchObject({ peerId: dt.peerId, resumed: false });
    expect(media.producersOf(dt.peerId)).toEqual([]);
    expect(f.push.sent.filter((e) => e.event === 'media:producerClosed').map((e) => e.data)).toEqual([
      { producerId: dt.mic, peerId: dt.peerId, reason: 'closed' },
    ]);
    expect(room.live!.list().filter((p) => p.siteId === 'dt')).toMatchObject([{ peerId: dt.peerId, connected: true }]);
    // The grace armed by the drop does not remove the resumed peer later.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(room.live!.has(dt.peerId)).toBe(true);
  });

  it('returns the floor to the chair when the speaking limit runs out, audited as the system', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const f = fakeConference();
    const chair = await joined(f, 'tn');
    const dt = await joined(f, 'dt');
    await call(chair.ctx, 'chair:setMode', { mode: 'briefing' });
    await call(chair.ctx, 'chair:setSpeakingLimit', { seconds: 60 });
    await call(chair.ctx, 'chair:giveFloor', { siteId: 'dt' });
    expect(f.media[0]!.micLive(dt.peerId)).toBe(true);

    f.clock.t += 59_000;
    await vi.advanceTimersByTimeAsync(59_000);
    expect(lastControl(f).floor?.siteId).toBe('dt');
    f.clock.t += 1000;
    await vi.advanceTimersByTimeAsync(1000);
    expect(lastControl(f).floor).toBeNull();
    expect(f.media[0]!.micLive(dt.peerId)).toBe(false);
    expect(f.repo.listAudit(MEETING.id).at(-1)).toMatchObject({ action: 'floor.expired', actorUserId: 'system', targetSiteId: 'dt' });
  });

  it("restores the chair's decisions from the same repository when the meeting's room is created again", async () => {
    const repo = new MemoryChairRepository();
    const first = fakeConference(repo);
    const chair = await joined(first, 'tn');
    await joined(first, 'dt');
    await call(chair.ctx, 'chair:setMode', { mode: 'briefing' });
    await call(chair.ctx, 'chair:mute', { siteId: 'pb', muted: true });
    await call(chair.ctx, 'chair:lock', { locked: true });
    first.conference.closeAll();

    const again = fakeConference(repo);
    const back = await joined(again, 'dt'); // was present when locked
    expect(await call(back.ctx, 'control:get', {})).toMatchObject({ mode: 'briefing', locked: true, mics: { dt: 'closed' } });
    expect(again.media[0]!.micLive(back.peerId)).toBe(false);
    expect(await codeOf(call(socketOf(again, 'vn'), 'meeting:join', { meetingId: MEETING.id, rtpCapabilities: caps }))).toBe(
      'MEETING_LOCKED',
    );
  });
});
