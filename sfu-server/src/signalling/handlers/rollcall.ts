// Roll call: the chair opens it over the invited sites (and any other site
// present), sites answer with their head count, the chair marks the rest and
// closes it. Every change is stored at once (a restart loses nothing).
import { randomUUID } from 'node:crypto';
import type { RequestHandlers } from '../rpc';
import { audit, type HandlerContext, type InMeeting, inMeeting } from './context';

function saveRollCall(ctx: HandlerContext, m: InMeeting): void {
  const rc = m.floor.rollCall;
  if (rc) ctx.conference.repo.saveRollCall(m.live.meetingId, ctx.session.claims.sub, rc);
}

/** The invited sites but the chair, then sites present but not on the schedule's list (e.g. the host). */
function theRoll(ctx: HandlerContext, m: InMeeting) {
  const invited = ctx.meetings.chair?.invitedSites(m.live.meetingId) ?? [];
  const roll = invited.filter((s) => s.siteId !== m.floor.chairSiteId);
  for (const p of m.live.list()) {
    if (p.siteId !== m.floor.chairSiteId && !roll.some((s) => s.siteId === p.siteId))
      roll.push({ siteId: p.siteId, siteCode: p.siteCode, siteName: p.siteName });
  }
  return roll;
}

export const rollcallHandlers = {
  'rollcall:start': (ctx) => {
    const m = inMeeting(ctx);
    const rc = m.floor.startRollCall(m.userId, randomUUID(), theRoll(ctx, m), ctx.conference.now());
    saveRollCall(ctx, m);
    audit(ctx, m, 'rollcall.start', null, `${rc.entries.length} sites`);
    ctx.conference.broadcastState(m.room);
    return { rollCallId: rc.id };
  },
  'rollcall:answer': (ctx, { headCount }) => {
    const m = inMeeting(ctx);
    m.floor.answerPresent(m.siteId, headCount, ctx.conference.now());
    saveRollCall(ctx, m);
    ctx.conference.broadcastState(m.room);
    return {};
  },
  'rollcall:mark': (ctx, { siteId, status, reason, headCount }) => {
    const m = inMeeting(ctx);
    m.floor.mark(m.userId, siteId, status, reason ?? null, headCount ?? null, ctx.conference.now());
    saveRollCall(ctx, m);
    audit(ctx, m, `rollcall.mark.${status}`, siteId, reason ?? null);
    ctx.conference.broadcastState(m.room);
    return {};
  },
  'rollcall:end': (ctx) => {
    const m = inMeeting(ctx);
    m.floor.endRollCall(m.userId, ctx.conference.now());
    saveRollCall(ctx, m);
    audit(ctx, m, 'rollcall.end', null, null);
    ctx.conference.broadcastState(m.room);
    return {};
  },
} satisfies Partial<RequestHandlers<HandlerContext>>;
