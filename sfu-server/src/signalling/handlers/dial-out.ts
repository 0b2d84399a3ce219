// The chair (or a console operator) calls the room systems of invited sites, one or all that can be
// called and are not in yet; the console follows each call (room:control `dialOut`).
import { AppError } from '@lienthong/kit';
import { requireChairPowers } from '../../domain/floor/authority';
import type { DialOutState } from '../../protocol';
import type { RequestHandlers } from '../rpc';
import { audit, type HandlerContext, inMeeting } from './context';

const BUSY = new Set(['calling', 'ringing', 'connected']);

export const dialOutHandlers = {
  'chair:dialOut': (ctx, { roomSystemId }) => {
    const m = inMeeting(ctx);
    requireChairPowers(m.floor.authority, m.userId);
    const dialer = ctx.dialer;
    if (!dialer) throw new AppError('SIP_UNAVAILABLE', 'Room-system calls are not set up on this server', 503);
    const live = m.live;
    const rooms = dialer.rooms(live.meetingId);
    const present = new Set(live.list().map((p) => p.siteId));
    const targets =
      roomSystemId === null
        ? rooms.filter((r) => r.dialable && !present.has(r.siteId) && !BUSY.has(live.dialOut.get(r.id)?.state ?? ''))
        : rooms.filter((r) => r.id === roomSystemId);
    if (roomSystemId !== null && targets.length === 0) throw new AppError('NOT_FOUND', 'No such room system at an invited site', 404);
    if (roomSystemId !== null && BUSY.has(live.dialOut.get(roomSystemId)?.state ?? ''))
      throw new AppError('ALREADY_CALLING', 'That room system is already being called or is in the meeting', 409);
    for (const r of targets) {
      const set = (state: DialOutState, reason: string | null) => {
        live.dialOut.set(r.id, { roomSystemId: r.id, name: r.name, siteId: r.siteId, state, reason, at: ctx.conference.now() });
        ctx.conference.broadcastState(m.room);
      };
      try {
        dialer.dial(live.meetingId, r.id, set);
      } catch (e) {
        // One room asked for: its reason is the answer. All of them: each shows its own.
        if (roomSystemId !== null) throw e;
        set('failed', e instanceof Error ? e.message : String(e));
        continue;
      }
      set('calling', null);
      audit(ctx, m, 'dialOut', r.siteId, r.name);
    }
    return {};
  },
  'chair:hangUpRoom': async (ctx, { roomSystemId }) => {
    const m = inMeeting(ctx);
    requireChairPowers(m.floor.authority, m.userId);
    const dialer = ctx.dialer;
    if (!dialer) throw new AppError('SIP_UNAVAILABLE', 'Room-system calls are not set up on this server', 503);
    const room = dialer.rooms(m.live.meetingId).find((r) => r.id === roomSystemId);
    if (!room) throw new AppError('NOT_FOUND', 'No such room system at an invited site', 404);
    if (!(await dialer.hangUp(m.live.meetingId, roomSystemId)))
      throw new AppError('NOT_IN_CALL', `"${room.name}" is not being called nor in a call`, 409);
    audit(ctx, m, 'hangUpRoom', room.siteId, room.name);
    return {};
  },
} satisfies Partial<RequestHandlers<HandlerContext>>;
