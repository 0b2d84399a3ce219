import { AppError } from '@lienthong/kit';
import { afterEach, describe, expect, it } from 'vitest';
import type { CreateMeetingBody } from '../src/protocol/meetings';
import { seededDomain } from './support/core';

type D = Awaited<ReturnType<typeof seededDomain>>;
let d: D;
afterEach(() => d?.store.close());

const HOUR = 3600_000;
const MIN = 60_000;

function errOf(fn: () => unknown): AppError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected an AppError');
}

async function setup() {
  d = await seededDomain();
  const tn = d.site('TN');
  const roomTn = d.rooms.create(d.actors.admin, { siteId: tn.id, name: 'Phòng họp trực tuyến Tỉnh Thái Nguyên' });
  const at = (offsetMs: number) => new Date(d.clock.t + offsetMs).toISOString();
  const body = (over: Partial<CreateMeetingBody> = {}): CreateMeetingBody => ({
    title: 'Giao ban tuần',
    startsAt: at(2 * HOUR),
    endsAt: at(4 * HOUR),
    hostSiteId: tn.id,
    roomId: roomTn.id,
    chairUserId: d.users.chairTn.id,
    invites: [
      { siteId: d.site('TN-DT').id, scope: 'subtree' },
      { siteId: d.site('TN-VN').id, scope: 'site' },
    ],
    ...over,
  });
  return { tn, roomTn, at, body };
}

describe('scheduling', () => {
  it('refuses to double-book a room, naming the clashing meeting; back-to-back is fine', async () => {
    const { body, at } = await setup();
    const first = d.meetings.create(d.actors.chairTn, body({ title: 'Hội nghị sơ kết quý III' }));
    const err = errOf(() => d.meetings.create(d.actors.admin, body({ title: 'Khác', startsAt: at(3 * HOUR), endsAt: at(5 * HOUR) })));
    expect(err.code).toBe('ROOM_DOUBLE_BOOKED');
    expect(err.message).toContain('Hội nghị sơ kết quý III');
    expect(err.details).toMatchObject({ meetingId: first.id, title: 'Hội nghị sơ kết quý III' });
    d.meetings.create(d.actors.admin, body({ title: 'Ngay sau', startsAt: at(4 * HOUR), endsAt: at(5 * HOUR) }));
    // Moving the first one onto the second is refused too.
    expect(errOf(() => d.meetings.update(d.actors.chairTn, first.id, { endsAt: at(4 * HOUR + 30 * MIN) })).code).toBe('ROOM_DOUBLE_BOOKED');
    // A cancelled meeting frees its room.
    d.meetings.cancel(d.actors.chairTn, first.id, 'Lùi lịch');
    expect(d.meetings.create(d.actors.admin, body({ title: 'Thay thế' })).title).toBe('Thay thế');
  });

  it('validates windows, rooms, chairs and invited sites', async () => {
    const { body, at } = await setup();
    expect(errOf(() => d.meetings.create(d.actors.admin, body({ endsAt: at(1 * HOUR) }))).code).toBe('VALIDATION_FAILED');
    expect(errOf(() => d.meetings.create(d.actors.admin, body({ startsAt: at(-3 * HOUR), endsAt: at(-1 * HOUR) }))).code).toBe(
      'VALIDATION_FAILED',
    );
    expect(errOf(() => d.meetings.create(d.actors.admin, body({ chairUserId: d.users.cuvan.id }))).code).toBe('VALIDATION_FAILED');
    expect(errOf(() => d.meetings.create(d.actors.admin, body({ invites: [{ siteId: 'nope', scope: 'site' }] }))).code).toBe('NOT_FOUND');
    const roomDt = d.rooms.create(d.actors.opDt, { siteId: d.site('TN-DT').id, name: 'Phòng họp Đại Từ' });
    expect(errOf(() => d.meetings.create(d.actors.admin, body({ roomId: roomDt.id }))).code).toBe('VALIDATION_FAILED');
  });

  it('lets chairs schedule at their site or below, operators within their subtree, not others', async () => {
    const { body } = await setup();
    expect(errOf(() => d.meetings.create(d.actors.chairDt, body())).code).toBe('FORBIDDEN');
    expect(errOf(() => d.meetings.create(d.actors.cuvan, body())).code).toBe('FORBIDDEN');
    expect(errOf(() => d.meetings.create(d.actors.opVn, body({ hostSiteId: d.site('TN-DT').id, roomId: null }))).code).toBe('FORBIDDEN');
    const m = d.meetings.create(d.actors.chairDt, body({ hostSiteId: d.site('TN-DT').id, roomId: null, chairUserId: d.users.chairDt.id }));
    expect(m.chair.siteId).toBe(d.site('TN-DT').id);
    d.meetings.create(d.actors.opDt, body({ hostSiteId: d.site('TN-DT-CUVAN').id, roomId: null, chairUserId: d.users.chairDt.id }));
    expect(errOf(() => d.meetings.cancel(d.actors.opVn, m.id)).code).toBe('FORBIDDEN');
  });

  it('shows each site its upcoming meetings, expanding subtrees at read time', async () => {
    const { body } = await setup();
    const m = d.meetings.create(d.actors.chairTn, body());
    expect(d.meetings.upcoming(d.actors.cuvan).map((x) => x.id)).toEqual([m.id]); // commune of Đại Từ
    expect(d.meetings.upcoming(d.actors.dongHy)).toEqual([]); // Đồng Hỷ is not invited
    // A commune created later under Đại Từ is invited too: stored as given, expanded when checked.
    const late = d.sites.create(d.actors.admin, { code: 'TN-DT-MOI', name: 'Xã Mới (demo)', kind: 'xa', parentId: d.site('TN-DT').id });
    expect(d.meetings.participatingSites(m.id).map((s) => s.id)).toContain(late.id);
    expect(d.meetings.upcoming(d.actors.admin, { siteId: late.id }).map((x) => x.id)).toEqual([m.id]);
    // A commune may not look at another district's schedule.
    expect(errOf(() => d.meetings.upcoming(d.actors.cuvan, { siteId: d.site('TN-VN').id })).code).toBe('FORBIDDEN');
    d.meetings.cancel(d.actors.admin, m.id);
    expect(d.meetings.upcoming(d.actors.cuvan)).toEqual([]);
    expect(d.meetings.upcoming(d.actors.cuvan, { includeCancelled: true })[0]?.phase).toBe('cancelled');
  });

  it('lists meetings that ended within the days asked for, for their records', async () => {
    const { body } = await setup();
    const m = d.meetings.create(d.actors.chairTn, body()); // from 2 h to 4 h from now
    d.clock.t += 5 * HOUR;
    expect(d.meetings.upcoming(d.actors.cuvan)).toEqual([]);
    const ended = d.meetings.upcoming(d.actors.cuvan, { endedWithinDays: 1 });
    expect(ended.map((x) => [x.id, x.phase])).toEqual([[m.id, 'ended']]);
    expect(d.meetings.upcoming(d.actors.dongHy, { endedWithinDays: 7 })).toEqual([]); // still only where the site took part
    d.clock.t += 2 * 24 * HOUR;
    expect(d.meetings.upcoming(d.actors.cuvan, { endedWithinDays: 1 })).toEqual([]);
    expect(d.meetings.upcoming(d.actors.cuvan, { endedWithinDays: 7 }).map((x) => x.id)).toEqual([m.id]);
  });
});

describe('join eligibility', () => {
  it('admits invited sites only inside the window or after the early opening', async () => {
    const { body } = await setup();
    const m = d.meetings.create(d.actors.chairTn, body());
    const start = Date.parse(m.startsAt);
    const cuvan = d.users.cuvan;
    expect(errOf(() => d.meetings.checkJoin({ sub: cuvan.id }, m.id, new Date(start - 30 * MIN))).code).toBe('MEETING_NOT_OPEN');
    expect(errOf(() => d.meetings.checkJoin({ sub: d.users.dongHy.id }, m.id, new Date(start + MIN))).code).toBe('NOT_INVITED');
    expect(errOf(() => d.meetings.checkJoin({ sub: cuvan.id }, 'no-such-meeting')).code).toBe('NOT_FOUND');
    const grant = d.meetings.checkJoin({ sub: cuvan.id }, m.id, new Date(start));
    expect(grant).toMatchObject({ isChairSite: false, isHostSite: false, isChair: false });
    expect(grant.site.code).toBe('TN-DT-CUVAN');
    const chair = d.meetings.checkJoin({ sub: d.users.chairTn.id }, m.id, new Date(start + MIN));
    expect(chair).toMatchObject({ isChairSite: true, isHostSite: true, isChair: true });
    expect(errOf(() => d.meetings.checkJoin({ sub: cuvan.id }, m.id, new Date(Date.parse(m.endsAt)))).code).toBe('MEETING_ENDED');
  });

  it('opens early only within 60 minutes of the start and only for the chair or host operators', async () => {
    const { body } = await setup();
    const m = d.meetings.create(d.actors.chairTn, body()); // starts in 2 h
    expect(errOf(() => d.meetings.openEarly(d.actors.chairTn, m.id)).code).toBe('OPEN_EARLY_TOO_SOON');
    d.clock.advance(61 * MIN); // 59 minutes before the start
    expect(errOf(() => d.meetings.openEarly(d.actors.cuvan, m.id)).code).toBe('FORBIDDEN');
    expect(errOf(() => d.meetings.checkJoin({ sub: d.users.cuvan.id }, m.id)).code).toBe('MEETING_NOT_OPEN');
    const opened = d.meetings.openEarly(d.actors.chairTn, m.id);
    expect(opened.phase).toBe('open_early');
    expect(d.meetings.checkJoin({ sub: d.users.cuvan.id }, m.id).meeting.id).toBe(m.id);
    // Moving the start needs a new opening.
    const moved = d.meetings.update(d.actors.chairTn, m.id, { startsAt: new Date(Date.parse(m.startsAt) + 10 * MIN).toISOString() });
    expect(moved.openedEarlyAt).toBeNull();
    expect(errOf(() => d.meetings.checkJoin({ sub: d.users.cuvan.id }, m.id)).code).toBe('MEETING_NOT_OPEN');
  });

  it('tells listeners about saved changes, so signalling can react', async () => {
    const { body, at } = await setup();
    const seen: string[] = [];
    const off = d.meetings.onChange((c) => seen.push(`${c.type}:${c.meeting.title}`));
    d.meetings.onChange(() => {
      throw new Error('a broken listener');
    });
    const m = d.meetings.create(d.actors.chairTn, body({ title: 'A', startsAt: at(30 * MIN), endsAt: at(HOUR) }));
    d.meetings.openEarly(d.actors.chairTn, m.id);
    d.meetings.update(d.actors.chairTn, m.id, { title: 'B' });
    expect(() => d.meetings.create(d.actors.chairTn, body({ title: 'clash', startsAt: at(30 * MIN), endsAt: at(HOUR) }))).toThrow();
    d.meetings.cancel(d.actors.chairTn, m.id);
    off();
    d.meetings.create(d.actors.chairTn, body({ title: 'C' }));
    expect(seen).toEqual(['created:A', 'opened_early:A', 'updated:B', 'cancelled:B']);
  });

  it('refuses cancelled meetings and users who lost their account', async () => {
    const { body, at } = await setup();
    const m = d.meetings.create(d.actors.chairTn, body({ startsAt: at(-MIN), endsAt: at(HOUR) }));
    expect(d.meetings.checkJoin({ sub: d.users.cuvan.id }, m.id).meeting.phase).toBe('live');
    d.accounts.update(d.actors.admin, d.users.cuvan.id, { disabled: true });
    expect(errOf(() => d.meetings.checkJoin({ sub: d.users.cuvan.id }, m.id)).code).toBe('UNAUTHENTICATED');
    d.meetings.cancel(d.actors.chairTn, m.id, 'Hoãn');
    expect(errOf(() => d.meetings.checkJoin({ sub: d.users.chairTn.id }, m.id)).code).toBe('MEETING_CANCELLED');
    expect(errOf(() => d.meetings.update(d.actors.chairTn, m.id, { title: 'x' })).code).toBe('MEETING_CANCELLED');
  });
});
