// The technical self-test: a private room where a site receives its own media back
// through the server (no meeting, no floor rules). A refused join leaves nothing behind.
import { AppError } from '@lienthong/kit';
import type { RequestHandlers } from '../rpc';
import { type HandlerContext, leaveCurrent } from './context';

export const selftestHandlers = {
  'selftest:join': async (ctx, { rtpCapabilities }) => {
    const { conference, session } = ctx;
    // Checked before anything is made: a refused join must cost nothing.
    if (!Array.isArray(rtpCapabilities.codecs)) throw new AppError('BAD_REQUEST', 'rtpCapabilities.codecs must be an array');
    leaveCurrent(ctx);
    const room = conference.getOrCreate(`selftest:${ctx.socketId}`, null);
    const peerId = conference.newPeerId();
    try {
      await room.media.addPeer(peerId);
      room.media.setRtpCapabilities(peerId, rtpCapabilities);
    } catch (e) {
      // Closes the room (its router and worker listener) when this peer was its only one;
      // a room a concurrent failure already closed is left alone (its key may be reused).
      if (conference.rooms.get(room.key) === room) conference.removePeer(room, peerId);
      else room.media.removePeer(peerId);
      throw e;
    }
    // A join of the same socket that finished meanwhile is replaced by this one.
    if (session.room && session.peerId) leaveCurrent(ctx);
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
