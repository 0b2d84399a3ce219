// Chair-led meeting messages at the socket level against the real sfu-server:
// bad input, unknown ids and wrong roles get coded acks and change nothing;
// the chair's rules pause audio producers on the server.
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login, type SfuProcess, startSfuServer } from '../support/sfu-process';
import { ask, code, connect, opusProducer } from '../support/socket';

type Control = {
  mode: string;
  locked: boolean;
  floor: { siteId: string } | null;
  queue: { siteId: string; requestedAt: number }[];
  mics: Record<string, string>;
  media: Record<string, { micLive: boolean }>;
  removed: string[];
  serverNow?: number;
};

const OPUS_PRODUCER = opusProducer(22222222, 'chair-test');

describe('chair-led meeting signalling', () => {
  let sfu: SfuProcess;
  let meetingId: string;
  let caps: Record<string, unknown>;
  const s: Record<'chair' | 'dt' | 'cuvan' | 'pl', Socket> = {} as never;
  const site = {} as Record<'chair' | 'dt' | 'cuvan', string>;
  const peer = {} as Record<'chair' | 'dt' | 'cuvan', string>;
  const control = async (who: Socket = s.chair) => (await ask(who, 'control:get', {})).data as unknown as Control;
  const stable = (c: Control) => JSON.stringify({ ...c, serverNow: 0 });

  beforeAll(async () => {
    sfu = await startSfuServer({ graceSeconds: 5 }); // short: the restart test waits it out
    const users = { chair: 'chutri.tinh', dt: 'daibieu.dt', cuvan: 'xa.cuvan', pl: 'daibieu.pl' } as const;
    for (const [k, u] of Object.entries(users)) s[k as keyof typeof s] = await connect(sfu.url, await login(sfu.url, u, 'lienthong123'));
    const token = await login(sfu.url, 'chutri.tinh', 'lienthong123');
    const list = (await (await fetch(`${sfu.url}/api/meetings/upcoming`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      meetings: { id: string; phase: string }[];
    };
    meetingId = list.meetings.find((m) => m.phase === 'live')!.id;
    caps = (await ask(s.chair, 'router:capabilities', {})).data!.routerRtpCapabilities as Record<string, unknown>;
    for (const k of ['chair', 'dt', 'cuvan'] as const) {
      const j = await ask(s[k], 'meeting:join', { meetingId, rtpCapabilities: caps });
      expect(j.ok, JSON.stringify(j.error)).toBe(true);
      peer[k] = j.data!.peerId as string;
      const room = j.data!.room as { participants: { peerId: string; siteId: string }[] };
      site[k] = room.participants.find((p) => p.peerId === peer[k])!.siteId;
    }
  });
  afterAll(async () => {
    for (const x of Object.values(s)) x?.close();
    await sfu?.stop();
  });

  it('every new message is refused before joining (NOT_IN_ROOM)', async () => {
    for (const [event, payload] of [
      ['floor:request', {}],
      ['floor:withdraw', {}],
      ['chair:giveFloor', { siteId: 'x' }],
      ['chair:setMode', { mode: 'briefing' }],
      ['chair:lock', { locked: true }],
      ['presentation:start', {}],
      ['rollcall:start', {}],
      ['rollcall:answer', { headCount: 3 }],
      ['control:get', {}],
    ] as const) {
      expect(await code(ask(s.pl, event, payload)), event).toBe('NOT_IN_ROOM');
    }
  });

  it('type-level bad input is BAD_REQUEST (values out of range, wrong enums)', async () => {
    for (const [event, payload] of [
      ['chair:setMode', { mode: 'shouting' }],
      ['chair:setSpeakingLimit', { seconds: 3 }],
      ['chair:setSpeakingLimit', { seconds: 'long' }],
      ['chair:mute', { siteId: site.dt }],
      ['chair:giveFloor', { siteId: '' }],
      ['chair:giveFloor', { siteId: 'bad id with spaces' }],
      ['rollcall:answer', { headCount: -1 }],
      ['rollcall:mark', { siteId: site.dt, status: 'asleep' }],
      ['rollcall:mark', { siteId: site.dt, status: 'absent', reason: 'x'.repeat(500) }],
    ] as const) {
      expect(await code(ask(s.chair, event, payload)), `${event} ${JSON.stringify(payload)}`).toBe('BAD_REQUEST');
    }
  });

  it("a non-chair site's chair actions are refused with NOT_CHAIR and change nothing", async () => {
    await ask(s.cuvan, 'floor:request', {});
    const before = stable(await control());
    for (const [event, payload] of [
      ['chair:giveFloor', { siteId: site.cuvan }],
      ['chair:takeFloor', {}],
      ['chair:setMode', { mode: 'briefing' }],
      ['chair:mute', { siteId: site.cuvan, muted: true }],
      ['chair:muteAll', {}],
      ['chair:setSelfUnmute', { allowed: false }],
      ['chair:lock', { locked: true }],
      ['chair:remove', { siteId: site.cuvan }],
      ['chair:readmit', { siteId: site.cuvan }],
      ['chair:handOver', { siteId: site.dt }],
      ['chair:setSpeakingLimit', { seconds: 60 }],
      ['rollcall:start', {}],
      ['rollcall:mark', { siteId: site.cuvan, status: 'absent', reason: 'x' }],
      ['rollcall:end', {}],
    ] as const) {
      expect(await code(ask(s.dt, event, payload)), event).toBe('NOT_CHAIR');
    }
    expect(stable(await control())).toBe(before);
    expect((await control()).queue.map((q) => q.siteId)).toEqual([site.cuvan]);
    expect(await code(ask(s.cuvan, 'floor:withdraw', {}))).toBe('OK');
  });

  it('unknown ids and wrong states get coded errors', async () => {
    expect(await code(ask(s.chair, 'chair:giveFloor', { siteId: 'no-such-site' }))).toBe('SITE_NOT_PRESENT');
    expect(await code(ask(s.chair, 'chair:handOver', { siteId: 'no-such-site' }))).toBe('SITE_NOT_PRESENT');
    expect(await code(ask(s.chair, 'chair:readmit', { siteId: 'no-such-site' }))).toBe('NOT_REMOVED');
    expect(await code(ask(s.chair, 'chair:takeFloor', {}))).toBe('NO_FLOOR');
    expect(await code(ask(s.chair, 'floor:request', {}))).toBe('IS_CHAIR');
    expect(await code(ask(s.dt, 'floor:withdraw', {}))).toBe('NOT_IN_QUEUE');
    expect(await code(ask(s.dt, 'rollcall:answer', { headCount: 2 }))).toBe('NO_ROLLCALL');
    expect(await code(ask(s.chair, 'rollcall:mark', { siteId: 'no-such-site', status: 'late' }))).toBe('NO_ROLLCALL');
    expect(await code(ask(s.dt, 'presentation:stop', {}))).toBe('NO_PRESENTATION');
    await ask(s.chair, 'rollcall:start', {});
    expect(await code(ask(s.chair, 'rollcall:mark', { siteId: 'no-such-site', status: 'late' }))).toBe('NOT_IN_ROLLCALL');
    expect(await code(ask(s.chair, 'rollcall:start', {}))).toBe('ROLLCALL_OPEN');
    expect(await code(ask(s.chair, 'rollcall:end', {}))).toBe('OK');
  });

  it('briefing pauses a site audio producer on the server until it holds the floor; its own resume is refused', async () => {
    const t = await ask(s.dt, 'media:createTransport', { direction: 'send' });
    const produced = await ask(s.dt, 'media:produce', {
      transportId: t.data!.id,
      kind: 'audio',
      rtpParameters: OPUS_PRODUCER,
      source: 'mic',
    });
    const producerId = produced.data!.producerId as string;
    expect((await control()).media[peer.dt]!.micLive).toBe(true);
    const paused = new Promise((r) =>
      s.cuvan.on('media:producerPaused', (e: { producerId: string; paused: boolean }) => e.producerId === producerId && r(e.paused)),
    );
    expect(await code(ask(s.chair, 'chair:setMode', { mode: 'briefing' }))).toBe('OK');
    expect(await paused).toBe(true);
    const c = await control();
    expect(c.mics[site.dt]).toBe('closed');
    expect(c.media[peer.dt]!.micLive).toBe(false);
    expect(await code(ask(s.dt, 'media:resumeProducer', { producerId }))).toBe('FLOOR_REQUIRED');
    expect((await control()).media[peer.dt]!.micLive).toBe(false);
    expect(await code(ask(s.chair, 'chair:giveFloor', { siteId: site.dt }))).toBe('OK');
    expect((await control()).media[peer.dt]!.micLive).toBe(true);
    // The site's own mute stays when the chair opens again.
    expect(await code(ask(s.dt, 'media:pauseProducer', { producerId }))).toBe('OK');
    await ask(s.chair, 'chair:takeFloor', {});
    await ask(s.chair, 'chair:giveFloor', { siteId: site.dt });
    expect((await control()).media[peer.dt]!.micLive).toBe(false);
    expect(await code(ask(s.dt, 'media:resumeProducer', { producerId }))).toBe('OK');
    expect((await control()).media[peer.dt]!.micLive).toBe(true);
    await ask(s.chair, 'chair:takeFloor', {});
    expect((await control()).media[peer.dt]!.micLive).toBe(false);
    await ask(s.chair, 'chair:setMode', { mode: 'discussion' });
  });

  it('lock refuses new sites; a removed site cannot rejoin until readmitted; chair actions are audited', async () => {
    const audits: { action: string }[] = [];
    s.dt.on('room:audit', (a: { action: string }) => audits.push(a));
    await ask(s.chair, 'chair:lock', { locked: true });
    expect(await code(ask(s.pl, 'meeting:join', { meetingId, rtpCapabilities: caps }))).toBe('MEETING_LOCKED');
    await ask(s.chair, 'chair:lock', { locked: false });
    const closed = new Promise((r) => s.cuvan.once('room:closed', r));
    expect(await code(ask(s.chair, 'chair:remove', { siteId: site.cuvan }))).toBe('OK');
    expect(await closed).toEqual({ reason: 'removed' });
    expect(await code(ask(s.cuvan, 'meeting:join', { meetingId, rtpCapabilities: caps }))).toBe('SITE_REMOVED');
    expect((await control()).removed).toEqual([site.cuvan]);
    await ask(s.chair, 'chair:readmit', { siteId: site.cuvan });
    expect(await code(ask(s.cuvan, 'meeting:join', { meetingId, rtpCapabilities: caps }))).toBe('OK');
    await new Promise((r) => setTimeout(r, 200));
    // The previous test's last action (mode.set) may still be in flight when the listener starts.
    const actions = audits.map((a) => a.action).filter((a, i) => !(i === 0 && a === 'mode.set'));
    expect(actions).toEqual(['meeting.lock', 'meeting.unlock', 'site.remove', 'site.readmit']);
  });

  it("the chair's decisions (mode, lock, removal) survive a server restart; sites present when it was locked may come back", async () => {
    await ask(s.chair, 'chair:setMode', { mode: 'briefing' });
    await ask(s.chair, 'chair:lock', { locked: true });
    expect(await code(ask(s.chair, 'chair:remove', { siteId: site.cuvan }))).toBe('OK');
    for (const x of Object.values(s)) x.close();
    await sfu.restart();
    const again = async (who: keyof typeof s, user: string) => {
      s[who] = await connect(sfu.url, await login(sfu.url, user, 'lienthong123'));
      return code(ask(s[who], 'meeting:join', { meetingId, rtpCapabilities: caps }));
    };
    expect(await again('chair', 'chutri.tinh')).toBe('OK');
    const c = await control();
    expect(c).toMatchObject({ mode: 'briefing', locked: true, removed: [site.cuvan] });
    expect(await again('cuvan', 'xa.cuvan')).toBe('SITE_REMOVED');
    expect(await again('dt', 'daibieu.dt')).toBe('OK'); // was in the meeting when it was locked
    expect(await again('pl', 'daibieu.pl')).toBe('MEETING_LOCKED'); // never was
  });

  it('speaking requests and the floor survive a restart; a site that does not come back within the grace leaves the queue', async () => {
    const rejoin = async (who: keyof typeof s, user: string) => {
      s[who] = await connect(sfu.url, await login(sfu.url, user, 'lienthong123'));
      return code(ask(s[who], 'meeting:join', { meetingId, rtpCapabilities: caps }));
    };
    expect(await code(ask(s.chair, 'chair:lock', { locked: false }))).toBe('OK');
    expect(await code(ask(s.chair, 'chair:readmit', { siteId: site.cuvan }))).toBe('OK');
    expect(await code(ask(s.chair, 'chair:setMode', { mode: 'discussion' }))).toBe('OK');
    expect(await rejoin('dt', 'daibieu.dt')).toBe('OK');
    expect(await rejoin('cuvan', 'xa.cuvan')).toBe('OK');
    expect(await code(ask(s.dt, 'floor:request', {}))).toBe('OK');
    await new Promise((r) => setTimeout(r, 20));
    expect(await code(ask(s.cuvan, 'floor:request', {}))).toBe('OK');
    const before = (await control()).queue;
    expect(before.map((q) => q.siteId)).toEqual([site.dt, site.cuvan]);

    for (const x of Object.values(s)) x.close();
    await sfu.restart();
    expect(await rejoin('chair', 'chutri.tinh')).toBe('OK');
    expect((await control()).queue).toEqual(before); // same order, same request times
    expect(await rejoin('dt', 'daibieu.dt')).toBe('OK');
    // Xã Cù Vân does not come back: after the grace it leaves the queue; Đại Từ keeps its place.
    const deadline = Date.now() + 15_000;
    let queue = before;
    while (queue.length > 1 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      queue = (await control()).queue;
    }
    expect(queue).toEqual([before[0]]);
    expect((await ask(s.dt, 'floor:request', {})).data).toMatchObject({ position: 1 });
  });
});
