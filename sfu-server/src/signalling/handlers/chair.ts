// The chair's meeting-wide decisions: mode, microphones (mute, mute all,
// self-unmute), lock, removal, re-admission, hand-over; and the control state
// every screen shows. The rules are FloorControl's; each action is audited,
// stored, enforced on the media and broadcast (chairAction).
import { AppError } from '@lienthong/kit';
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
  'chair:setMode': (ctx, { mode }) => chairAction(ctx, 'mode.set', null, mode, (m) => m.floor.setMode(m.siteId, mode)),
  'chair:mute': (ctx, { siteId, muted }) =>
    chairAction(ctx, muted ? 'site.mute' : 'site.unmute', siteId, null, (m) => m.floor.mute(m.siteId, siteId, muted)),
  'chair:muteAll': (ctx) => chairAction(ctx, 'site.muteAll', null, null, (m) => m.floor.muteAll(m.siteId)),
  'chair:setSelfUnmute': (ctx, { allowed }) =>
    chairAction(ctx, 'selfUnmute.set', null, allowed ? 'allowed' : 'forbidden', (m) => m.floor.setSelfUnmute(m.siteId, allowed)),
  'chair:lock': (ctx, { locked }) =>
    chairAction(ctx, locked ? 'meeting.lock' : 'meeting.unlock', null, null, (m) => m.floor.lock(m.siteId, locked)),
  'chair:readmit': (ctx, { siteId }) => chairAction(ctx, 'site.readmit', siteId, null, (m) => m.floor.readmit(m.siteId, siteId)),
  'chair:handOver': (ctx, { siteId }) =>
    chairAction(ctx, 'chair.handOver', siteId, null, (m) => {
      m.floor.handOver(m.siteId, siteId, sitePresent(m.live));
      m.live.syncChair();
    }),
  'chair:remove': async (ctx, { siteId }) => {
    const m = inMeeting(ctx);
    await chairAction(ctx, 'site.remove', siteId, null, (x) => x.floor.remove(x.siteId, siteId));
    for (const peerId of m.live.peersOfSite(siteId)) {
      ctx.conference.toPeer(m.room, peerId, 'room:closed', { reason: 'removed' });
      ctx.conference.removePeer(m.room, peerId);
    }
    return {};
  },
} satisfies Partial<RequestHandlers<HandlerContext>>;
