// Screen presentation: one at a time; producing a screen claims it (or uses the
// claim from presentation:start), and the presenter or the chair stops it.
import type { RequestHandlers } from '../rpc';
import { audit, type HandlerContext, inMeeting } from './context';

/** Produces the caller's screen in a meeting, as the one presentation. */
export async function produceScreen(
  ctx: HandlerContext,
  transportId: string,
  kind: 'audio' | 'video',
  rtpParameters: Record<string, unknown>,
): Promise<string> {
  const m = inMeeting(ctx);
  m.floor.startPresentation(m.siteId, m.peerId, ctx.conference.now());
  try {
    const producerId = await m.room.media.produce(m.peerId, transportId, kind, rtpParameters, 'screen');
    if (m.floor.presentation?.peerId === m.peerId) m.floor.presentation.producerId = producerId;
    ctx.conference.broadcastState(m.room);
    return producerId;
  } catch (e) {
    m.floor.presentationEnded(m.peerId);
    throw e;
  }
}

export const presentationHandlers = {
  'presentation:start': (ctx) => {
    const m = inMeeting(ctx);
    m.floor.startPresentation(m.siteId, m.peerId, ctx.conference.now());
    ctx.conference.broadcastState(m.room);
    return {};
  },
  'presentation:stop': async (ctx) => {
    const m = inMeeting(ctx);
    const p = m.floor.stopPresentation(m.userId, m.peerId);
    if (p.peerId !== m.peerId) audit(ctx, m, 'presentation.stop', p.siteId, null);
    // Closing the producer tells every consumer (and the presenter) that it ended.
    if (p.producerId) await m.room.media.closeProducer(p.peerId, p.producerId).catch(() => undefined);
    ctx.conference.broadcastState(m.room);
    return {};
  },
} satisfies Partial<RequestHandlers<HandlerContext>>;
