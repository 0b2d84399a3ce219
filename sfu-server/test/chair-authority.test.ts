// Chair powers belong to users (the chair user and the named console operators), not to
// every account of the chair site; who may join; who receives the chair on a hand-over.
import { AppError } from '@lienthong/kit';
import { afterEach, describe, expect, it } from 'vitest';
import { authorityFromSchedule, chooseHeir, type HeirCandidate, powerOf } from '../src/domain/floor/authority';
import { FloorControl } from '../src/domain/floor/floor-control';
import { seededDomain } from './support/core';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return e.code;
    throw e;
  }
  return 'OK';
}

const CHAIR = { userId: 'u-chair', name: 'Chủ trì' };
const TECH = { userId: 'u-tech', name: 'Kỹ thuật viên' };
const present = () => true;

describe('chair authority', () => {
  it("refuses every chair action from another user at the chair's own site; a named operator may act", () => {
    const f = new FloorControl('tn', authorityFromSchedule(CHAIR, []));
    f.requestFloor('dt', 1);
    const before = JSON.stringify(f.settings(['tn', 'dt']));
    for (const caller of ['u-colleague', 'u-tech']) {
      for (const act of [
        () => f.giveFloor(caller, 'dt', 2, present),
        () => f.setMode(caller, 'briefing'),
        () => f.muteAll(caller),
        () => f.lock(caller, true),
        () => f.remove(caller, 'dt'),
        () => f.handOver(caller, 'dt', present, () => TECH),
        () => f.startRollCall(caller, 'r', [], 2),
      ])
        expect(codeOf(act)).toBe('NOT_CHAIR');
    }
    expect(JSON.stringify(f.settings(['tn', 'dt']))).toBe(before);
    // Only the chair user names operators; then the operator acts, but may not name others.
    expect(codeOf(() => f.setOperators('u-tech', [TECH]))).toBe('NOT_CHAIR');
    f.setOperators('u-chair', [TECH]);
    expect(powerOf(f.authority, 'u-tech')).toBe('operator');
    f.setMode('u-tech', 'briefing');
    expect(f.mode).toBe('briefing');
    expect(codeOf(() => f.setOperators('u-tech', []))).toBe('NOT_CHAIR');
    f.setOperators('u-chair', []);
    expect(codeOf(() => f.setMode('u-tech', 'discussion'))).toBe('NOT_CHAIR');
  });

  it('the presenter or the chair user stops a presentation, not the chair site', () => {
    const f = new FloorControl('tn', authorityFromSchedule(CHAIR, []));
    f.startPresentation('dt', 'p-dt', 1);
    expect(codeOf(() => f.stopPresentation('u-colleague', 'p-colleague'))).toBe('NOT_CHAIR');
    expect(f.stopPresentation('u-chair', 'p-chair').peerId).toBe('p-dt');
  });

  it('hand-over moves the powers to a user at the receiving site and clears the operators', () => {
    const f = new FloorControl('tn', authorityFromSchedule(CHAIR, [TECH]));
    const heir = { userId: 'u-dt-chair', name: 'Chủ trì Đại Từ' };
    f.handOver('u-tech', 'dt', present, () => heir);
    expect(f.chairSiteId).toBe('dt');
    expect(f.authority).toMatchObject({ chair: heir, operators: [] });
    expect(codeOf(() => f.lock('u-chair', true))).toBe('NOT_CHAIR');
    f.lock('u-dt-chair', true);
    // Kept across a restore; a changed schedule applies again, an unchanged one does not.
    const g = new FloorControl('tn', authorityFromSchedule(CHAIR, [TECH]));
    g.restore(f.settings(['dt']));
    expect(g.authority.chair).toEqual(heir);
    expect(g.applySchedule(CHAIR, [TECH])).toBe(false);
    expect(g.applySchedule(CHAIR, [])).toBe(true);
    expect(g.authority).toMatchObject({ chair: CHAIR, operators: [] });
  });

  it('chooses the heir: the user named, else the earliest connected chair-role holder, else the earliest connected', () => {
    const c = (userId: string, siteId: string, joinedAt: number, chairRole = false, connected = true): HeirCandidate => ({
      userId,
      name: userId,
      siteId,
      joinedAt,
      chairRole,
      connected,
    });
    const all = [c('a', 'dt', 1), c('b', 'dt', 2, true), c('x', 'dt', 0, true, false), c('p', 'pl', 0, true)];
    expect(chooseHeir(all, 'dt').userId).toBe('b');
    expect(chooseHeir(all, 'dt', 'a').userId).toBe('a');
    expect(codeOf(() => chooseHeir(all, 'dt', 'p'))).toBe('USER_NOT_PRESENT');
    expect(codeOf(() => chooseHeir(all, 'dt', 'x'))).toBe('USER_NOT_PRESENT');
    expect(chooseHeir([c('a', 'dt', 1)], 'dt').userId).toBe('a');
    expect(codeOf(() => chooseHeir(all, 'vn'))).toBe('SITE_NOT_PRESENT');
  });
});

describe('meeting roles and console operators', () => {
  let d: Awaited<ReturnType<typeof seededDomain>>;
  afterEach(() => d?.store.close());

  it('joins only participants, chairs and named operators; operators are validated', async () => {
    d = await seededDomain();
    const at = (ms: number) => new Date(d.clock.t + ms).toISOString();
    const m = d.meetings.create(d.actors.chairTn, {
      title: 'Giao ban',
      startsAt: at(-60_000),
      endsAt: at(3600_000),
      hostSiteId: d.site('TN').id,
      chairUserId: d.users.chairTn.id,
      invites: [{ siteId: d.site('TN-DT').id, scope: 'site' }],
    });
    expect(m.operators).toEqual([]);
    expect(codeOf(() => d.meetings.checkJoin({ sub: d.users.opDt.id }, m.id))).toBe('NO_MEETING_ROLE');
    expect(codeOf(() => d.meetings.checkJoin({ sub: d.users.chairDt.id }, m.id))).toBe('OK');
    // Unknown, disabled, or at a site not taking part: refused, nothing changes.
    expect(codeOf(() => d.meetings.update(d.actors.chairTn, m.id, { operators: ['nobody'] }))).toBe('NOT_FOUND');
    expect(codeOf(() => d.meetings.update(d.actors.chairTn, m.id, { operators: [d.users.opVn.id] }))).toBe('VALIDATION_FAILED');
    d.accounts.update(d.actors.admin, d.users.opDt.id, { disabled: true });
    expect(codeOf(() => d.meetings.update(d.actors.chairTn, m.id, { operators: [d.users.opDt.id] }))).toBe('VALIDATION_FAILED');
    d.accounts.update(d.actors.admin, d.users.opDt.id, { disabled: false });
    expect(d.meetings.get(m.id).operators).toEqual([]);
    const named = d.meetings.update(d.actors.chairTn, m.id, { operators: [d.users.opDt.id, d.users.opDt.id] });
    expect(named.operators).toEqual([d.users.opDt.id]);
    expect(d.meetings.checkJoin({ sub: d.users.opDt.id }, m.id)).toMatchObject({ isOperator: true, operatorNames: ['op.dt'] });
  });

  it("tells listeners when sessions end, and keeps a deleted user's sessions in the revocations", async () => {
    d = await seededDomain();
    const ended: string[] = [];
    d.accounts.onSessionsEnded((e) => ended.push(`${e.reason}:${e.userId}`));
    const s = d.accounts.openSession(d.users.cuvan.id, 3600);
    d.accounts.closeSession(s.id);
    d.accounts.update(d.actors.admin, d.users.dongHy.id, { disabled: true });
    const live = d.accounts.openSession(d.users.opVn.id, 3600);
    d.accounts.remove(d.actors.admin, d.users.opVn.id);
    expect(ended).toEqual([`logged_out:${d.users.cuvan.id}`, `disabled:${d.users.dongHy.id}`, `deleted:${d.users.opVn.id}`]);
    const now = d.clock.now().toISOString();
    expect(d.store.listRevokedSessions(new Date(0).toISOString(), now).map((r) => r.id)).toContain(live.id);
  });
});
