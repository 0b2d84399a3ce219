// The chair's meeting-wide decisions: mode, microphones (mute, mute all,
// self-unmute), lock, removal, re-admission, hand-over, console operators; and the
// control state every screen shows. The rules are FloorControl's (powers: authority.ts);
// each action is audited, stored, enforced on the media and broadcast (chairAction).
import { AppError } from '@lienthong/kit';
import { chooseHeir, requireChairUser } from '../../domain/floor/authority';
import type { RequestHandlers } from '../rpc';
import { audit, chairAction, type HandlerContext, inMeeting, sitePresent } from './context';

/** A site opens its own microphone again: refused (coded) when the floor rules say no. */
export async function unmuteOwnMicrophone(ctx: HandlerContext, producerId: string): Promise<void> {
  const m = inMeeting(ctx);
  const before = m.floor.micState(m.siteId);
  m.floor.selfUnmute(m.siteId);
  m.room.selfPaused.delete(producerId);
  if (before === 'muted') audit(ctx, m, 'site.selfUnmute', m.siteId, null);
  await ctx.conference.controlChanged(m.room);
}

export const chairHandlers = {
  'control:get': (ctx) => {
    const { room } = inMeeting(ctx);
    const c = ctx.conference.control(room);
    if (!c) throw new AppError('NOT_IN_MEETING', 'Only in meetings', 409);
    return c;
  },
  'chair:setMode': (ctx, { mode }) => chairAction(ctx, 'mode.set', null, mode, (m) => m.floor.setMode(m.userId, mode)),
  'chair:mute': (ctx, { siteId, muted }) =>
    chairAction(ctx, muted ? 'site.mute' : 'site.unmute', siteId, null, (m) => m.floor.mute(m.userId, siteId, muted)),
  'chair:muteAll': (ctx) => chairAction(ctx, 'site.muteAll', null, null, (m) => m.floor.muteAll(m.userId)),
  'chair:setSelfUnmute': (ctx, { allowed }) =>
    chairAction(ctx, 'selfUnmute.set', null, allowed ? 'allowed' : 'forbidden', (m) => m.floor.setSelfUnmute(m.userId, allowed)),
  'chair:lock': (ctx, { locked }) =>
    chairAction(ctx, locked ? 'meeting.lock' : 'meeting.unlock', null, null, (m) => m.floor.lock(m.userId, locked)),
  'chair:readmit': (ctx, { siteId }) => chairAction(ctx, 'site.readmit', siteId, null, (m) => m.floor.readmit(m.userId, siteId)),
  'chair:handOver': (ctx, { siteId, userId }) => {
    const m = inMeeting(ctx);
    const candidates = m.live.list().map((p) => ({ ...p, name: p.userName, chairRole: p.chairRole }));
    return chairAction(ctx, 'chair.handOver', siteId, userId ?? null, (x) => {
      x.floor.handOver(x.userId, siteId, sitePresent(x.live), () => chooseHeir(candidates, siteId, userId));
      x.live.syncChair();
    });
  },
  'chair:setOperators': (ctx, { userIds }) => {
    const m = inMeeting(ctx);
    // The chair's own decision: checked before the names are looked up.
    requireChairUser(m.floor.authority, m.userId);
    const people = ctx.meetings.operators(m.live.meetingId, userIds);
    const detail = people.map((p) => p.name).join(', ') || null;
    return chairAction(ctx, 'chair.setOperators', null, detail, (x) => x.floor.setOperators(x.userId, people));
  },
  'chair:remove': async (ctx, { siteId }) => {
    const m = inMeeting(ctx);
    await chairAction(ctx, 'site.remove', siteId, null, (x) => x.floor.remove(x.userId, siteId));
    for (const peerId of m.live.peersOfSite(siteId)) {
      ctx.conference.toPeer(m.room, peerId, 'room:closed', { reason: 'removed' });
      ctx.conference.removePeer(m.room, peerId);
    }
    return {};
  },
} satisfies Partial<RequestHandlers<HandlerContext>>;
