// The technical self-test: a private room where a site receives its own media back
// through the server (no meeting, no floor rules).
import type { RequestHandlers } from '../rpc';
import { type HandlerContext, leaveCurrent } from './context';

export const selftestHandlers = {
  'selftest:join': async (ctx, { rtpCapabilities }) => {
    const { conference, session } = ctx;
    leaveCurrent(ctx);
    const room = conference.getOrCreate(`selftest:${ctx.socketId}`, null);
    const peerId = conference.newPeerId();
    await room.media.addPeer(peerId);
    room.media.setRtpCapabilities(peerId, rtpCapabilities);
    conference.bindSocket(room, peerId, ctx.socketId);
    session.room = room;
    session.peerId = peerId;
    return {
      peerId,
      resumed: false,
      routerRtpCapabilities: (await room.media.rtpCapabilities()) as Record<string, unknown>,
      producers: [],
      room: null,
    };
  },
} satisfies Partial<RequestHandlers<HandlerContext>>;
