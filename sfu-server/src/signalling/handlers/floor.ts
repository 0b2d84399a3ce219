// Who speaks: a site's request to speak (the queue) and the chair giving and
// taking the floor, with its time limit. The rules are FloorControl's and
// media-rules.ts's; the timer that ends a turn is floor-enforcement.ts.
import type { RequestHandlers } from '../rpc';
import { chairAction, type HandlerContext, inMeeting, sitePresent } from './context';

export const floorHandlers = {
  'floor:request': (ctx) => {
    const m = inMeeting(ctx);
    const position = m.floor.requestFloor(m.siteId, ctx.conference.now());
    ctx.conference.persistControl(m.room);
    ctx.conference.broadcastState(m.room);
    return { position };
  },
  'floor:withdraw': (ctx) => {
    const m = inMeeting(ctx);
    m.floor.withdraw(m.siteId);
    ctx.conference.persistControl(m.room);
    ctx.conference.broadcastState(m.room);
    return {};
  },
  'chair:giveFloor': (ctx, { siteId }) =>
    chairAction(ctx, 'floor.give', siteId, null, (m) => m.floor.giveFloor(m.userId, siteId, ctx.conference.now(), sitePresent(m.live))),
  'chair:takeFloor': (ctx) => chairAction(ctx, 'floor.take', null, null, (m) => m.floor.takeFloor(m.userId)),
  'chair:setSpeakingLimit': (ctx, { seconds }) =>
    chairAction(ctx, 'speakingLimit.set', null, seconds === null ? 'none' : String(seconds), (m) =>
      m.floor.setSpeakingLimit(m.userId, seconds, ctx.conference.now()),
    ),
} satisfies Partial<RequestHandlers<HandlerContext>>;
