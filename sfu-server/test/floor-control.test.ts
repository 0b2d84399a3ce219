import { describe, expect, it } from 'vitest';
import { authorityFromSchedule } from '../src/domain/floor/authority';
import { FloorControl } from '../src/domain/floor/floor-control';
import { LiveMeeting } from '../src/domain/live/live-meeting';
import { codeOf } from './support/errors';

const CHAIR = 'tn';
/** Chair actions take the caller's user id: here the chair user is called like its site. */
const AUTH = authorityFromSchedule({ userId: CHAIR, name: 'Chủ trì' }, []);
const heir = (userId: string) => () => ({ userId, name: userId });
const present = () => true;

/** A fake clock: tests move time by hand. */
function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('FloorControl', () => {
  it("keeps the chair's decisions, the speaking queue and the floor across a restore", () => {
    const f = new FloorControl(CHAIR, AUTH);
    f.setMode(CHAIR, 'briefing');
    f.lock(CHAIR, true);
    f.remove(CHAIR, 'xa');
    f.mute(CHAIR, 'pl', true);
    f.giveFloor(CHAIR, 'dt', 0, present);
    f.requestFloor('pb', 5);
    f.requestFloor('vn', 7);
    const saved = JSON.parse(JSON.stringify(f.settings(['tn', 'dt'])));
    const g = new FloorControl('someone-else', AUTH);
    g.restore(saved);
    expect(g).toMatchObject({ chairSiteId: CHAIR, mode: 'briefing', locked: true, floor: { siteId: 'dt', since: 0, until: null } });
    expect(g.requests).toEqual([
      { siteId: 'pb', requestedAt: 5 },
      { siteId: 'vn', requestedAt: 7 },
    ]);
    expect(g.sitesWaitedFor().sort()).toEqual(['dt', 'pb', 'vn']);
    expect(g.micAllowed('dt')).toBe(true); // briefing: the restored floor holder is heard
    // Rows saved before the queue was kept restore with an empty queue and no floor.
    const old = new FloorControl(CHAIR, AUTH);
    old.restore({ ...saved, queue: undefined, floor: undefined });
    expect(old.requests).toEqual([]);
    expect(old.floor).toBeNull();
    expect(g.removedSites).toEqual(['xa']);
    expect(codeOf(() => g.checkJoin('xa', false))).toBe('SITE_REMOVED');
    expect(codeOf(() => g.checkJoin('pb', false))).toBe('MEETING_LOCKED');
    g.checkJoin('dt', false); // was present when locked
    g.checkJoin(CHAIR, false);
    // Unlocking forgets who was admitted.
    g.lock(CHAIR, false);
    g.lock(CHAIR, true);
    expect(codeOf(() => g.checkJoin('dt', false))).toBe('MEETING_LOCKED');
  });

  it('discussion is open to all at first; briefing forwards only the chair and the floor holder', () => {
    const f = new FloorControl(CHAIR, AUTH);
    expect(f.micAllowed('dt')).toBe(true);
    f.setMode(CHAIR, 'briefing');
    expect(f.micAllowed(CHAIR)).toBe(true);
    expect(f.micAllowed('dt')).toBe(false);
    expect(f.micState('dt')).toBe('closed');
    f.giveFloor(CHAIR, 'dt', 1, present);
    expect(f.micAllowed('dt')).toBe(true);
    expect(f.micAllowed('pl')).toBe(false);
    f.giveFloor(CHAIR, 'pl', 2, present);
    expect(f.micAllowed('dt')).toBe(false); // one speaker at a time in briefing
    expect(f.micAllowed('pl')).toBe(true);
    f.takeFloor(CHAIR);
    expect(f.micAllowed('pl')).toBe(false);
  });

  it('discussion: the chair opens several sites, mute-all closes them, mute beats open', () => {
    const f = new FloorControl(CHAIR, AUTH);
    f.muteAll(CHAIR);
    expect(f.micAllowed('dt')).toBe(false);
    expect(f.micAllowed(CHAIR)).toBe(true);
    f.mute(CHAIR, 'dt', false);
    f.giveFloor(CHAIR, 'pl', 1, present);
    f.giveFloor(CHAIR, 'dh', 2, present);
    expect(['dt', 'pl', 'dh', 'x'].map((s) => f.micAllowed(s))).toEqual([true, true, true, false]);
    f.mute(CHAIR, 'pl', true);
    expect(f.micState('pl')).toBe('muted');
  });

  it('keeps the queue in request order with wait times; withdraw and giving the floor remove entries', () => {
    const c = clock();
    const f = new FloorControl(CHAIR, AUTH);
    f.requestFloor('cuvan', c.now());
    c.advance(1000);
    f.requestFloor('dt', c.now());
    c.advance(1000);
    expect(f.requestFloor('pl', c.now())).toBe(3);
    expect(f.requestFloor('cuvan', c.now())).toBe(1); // asking twice keeps the first place
    expect(f.requests.map((q) => q.siteId)).toEqual(['cuvan', 'dt', 'pl']);
    expect(f.waitMs('cuvan', c.now())).toBe(2000);
    f.withdraw('dt');
    expect(f.positionOf('pl')).toBe(2);
    expect(codeOf(() => f.withdraw('dt'))).toBe('NOT_IN_QUEUE');
    f.giveFloor(CHAIR, 'cuvan', c.now(), present);
    expect(f.requests.map((q) => q.siteId)).toEqual(['pl']);
    expect(codeOf(() => f.requestFloor(CHAIR, c.now()))).toBe('IS_CHAIR');
  });

  it('the speaking limit returns the floor when it runs out', () => {
    const c = clock();
    const f = new FloorControl(CHAIR, AUTH);
    f.setMode(CHAIR, 'briefing');
    f.setSpeakingLimit(CHAIR, 30, c.now());
    f.giveFloor(CHAIR, 'dt', c.now(), present);
    expect(f.floor?.until).toBe(c.now() + 30_000);
    c.advance(29_999);
    expect(f.tick(c.now())).toBe(false);
    expect(f.micAllowed('dt')).toBe(true);
    c.advance(1);
    expect(f.tick(c.now())).toBe(true);
    expect(f.floor).toBeNull();
    expect(f.micAllowed('dt')).toBe(false);
  });

  it('refuses every chair action from another site and changes nothing', () => {
    const f = new FloorControl(CHAIR, AUTH);
    f.requestFloor('pl', 1);
    const before = JSON.stringify({ ...f, q: f.requests, r: f.removedSites });
    const attempts: (() => unknown)[] = [
      () => f.giveFloor('dt', 'pl', 2, present),
      () => f.takeFloor('dt'),
      () => f.setMode('dt', 'briefing'),
      () => f.mute('dt', 'pl', true),
      () => f.muteAll('dt'),
      () => f.setSelfUnmute('dt', false),
      () => f.setSpeakingLimit('dt', 10, 2),
      () => f.lock('dt', true),
      () => f.remove('dt', 'pl'),
      () => f.readmit('dt', 'pl'),
      () => f.handOver('dt', 'dt', present, heir('dt')),
      () => f.startRollCall('dt', 'r', [], 2),
      () => f.mark('dt', 'pl', 'absent', 'x', null, 2),
      () => f.endRollCall('dt', 2),
    ];
    for (const a of attempts) expect(codeOf(a)).toBe('NOT_CHAIR');
    expect(JSON.stringify({ ...f, q: f.requests, r: f.removedSites })).toBe(before);
  });

  it('self-unmute: allowed lifts a chair mute, forbidden refuses; briefing needs the floor', () => {
    const f = new FloorControl(CHAIR, AUTH);
    f.mute(CHAIR, 'dt', true);
    f.selfUnmute('dt');
    expect(f.micAllowed('dt')).toBe(true);
    f.mute(CHAIR, 'dt', true);
    f.setSelfUnmute(CHAIR, false);
    expect(codeOf(() => f.selfUnmute('dt'))).toBe('SELF_UNMUTE_FORBIDDEN');
    f.setSelfUnmute(CHAIR, true);
    f.setMode(CHAIR, 'briefing');
    expect(codeOf(() => f.selfUnmute('pl'))).toBe('FLOOR_REQUIRED');
  });

  it('lock refuses new sites, removal refuses the site until readmitted', () => {
    const f = new FloorControl(CHAIR, AUTH);
    f.lock(CHAIR, true);
    expect(codeOf(() => f.checkJoin('dt', false))).toBe('MEETING_LOCKED');
    f.checkJoin('dt', true); // already in: a reconnect is fine
    f.checkJoin(CHAIR, false);
    f.lock(CHAIR, false);
    f.requestFloor('pl', 1);
    f.remove(CHAIR, 'pl');
    expect(f.requests).toEqual([]);
    expect(codeOf(() => f.checkJoin('pl', false))).toBe('SITE_REMOVED');
    f.readmit(CHAIR, 'pl');
    f.checkJoin('pl', false);
    expect(codeOf(() => f.readmit(CHAIR, 'pl'))).toBe('NOT_REMOVED');
  });

  it('hands the chair over to a present site', () => {
    const f = new FloorControl(CHAIR, AUTH);
    expect(codeOf(() => f.handOver(CHAIR, 'dt', () => false, heir('dt')))).toBe('SITE_NOT_PRESENT');
    f.handOver(CHAIR, 'dt', present, heir('dt'));
    expect(f.chairSiteId).toBe('dt');
    expect(codeOf(() => f.lock(CHAIR, true))).toBe('NOT_CHAIR');
    f.lock('dt', true);
  });

  it('one presentation at a time; the chair can stop it', () => {
    const f = new FloorControl(CHAIR, AUTH);
    f.startPresentation('dt', 'p-dt', 1);
    expect(codeOf(() => f.startPresentation('pl', 'p-pl', 2))).toBe('PRESENTATION_BUSY');
    expect(codeOf(() => f.stopPresentation('pl', 'p-pl'))).toBe('NOT_CHAIR');
    expect(f.stopPresentation(CHAIR, 'p-chair').siteId).toBe('dt');
    f.startPresentation('pl', 'p-pl', 3);
    expect(f.presentationEnded('p-pl')).toBe(true);
    expect(f.presentation).toBeNull();
  });

  it('roll call records answers, absences with reasons and late arrivals with times', () => {
    const c = clock();
    const f = new FloorControl(CHAIR, AUTH);
    const sites = ['dt', 'pl', 'cuvan'].map((s) => ({ siteId: s, siteCode: s.toUpperCase(), siteName: `Site ${s}` }));
    f.startRollCall(CHAIR, 'rc1', sites, c.now());
    expect(codeOf(() => f.startRollCall(CHAIR, 'rc2', sites, c.now()))).toBe('ROLLCALL_OPEN');
    c.advance(5000);
    expect(f.answerPresent('dt', 12, c.now())).toMatchObject({ status: 'present', headCount: 12, at: c.now() });
    f.mark(CHAIR, 'pl', 'absent', 'Đi công tác', null, c.now());
    f.mark(CHAIR, 'cuvan', 'late', null, 4, c.now());
    expect(codeOf(() => f.answerPresent('nowhere', 1, c.now()))).toBe('NOT_IN_ROLLCALL');
    const rc = f.endRollCall(CHAIR, c.now());
    expect(rc.entries.map((e) => [e.siteId, e.status, e.headCount, e.reason])).toEqual([
      ['dt', 'present', 12, null],
      ['pl', 'absent', null, 'Đi công tác'],
      ['cuvan', 'late', 4, null],
    ]);
    expect(codeOf(() => f.answerPresent('dt', 1, c.now()))).toBe('NO_ROLLCALL');
  });
});

describe('LiveMeeting with the floor', () => {
  const who = (peerId: string, siteId: string) => ({
    peerId,
    userId: `u-${peerId}`,
    userName: peerId,
    siteId,
    siteCode: siteId,
    siteName: siteId,
    parentSiteId: null,
    parentSiteName: null,
    chairRole: false,
  });

  it('the floor holder becomes the main picture; hand-over moves the chair flag', () => {
    const m = new LiveMeeting('m', 'Họp', CHAIR, AUTH);
    m.join(who('c', CHAIR), 1);
    m.join(who('d', 'dt'), 2);
    expect(m.mainPeerId()).toBe('c');
    m.floor.giveFloor(CHAIR, 'dt', 3, (s) => m.hasSite(s));
    expect(m.mainPeerId()).toBe('d');
    m.floor.takeFloor(CHAIR);
    expect(m.mainPeerId()).toBe('c');
    m.floor.handOver(CHAIR, 'dt', (s) => m.hasSite(s), heir('u-d'));
    m.syncChair();
    expect(m.get('d').isChairSite).toBe(true);
    expect(m.get('c').isChairSite).toBe(false);
    expect(m.mainPeerId()).toBe('d');
  });
});
