// Joining and leaving a meeting, and what a participant chooses to receive.
import { AppError } from '@lienthong/kit';
import { Conference } from '../conference';
import type { JoinGrant } from '../ports';
import type { RequestHandlers } from '../rpc';
import { admitUserPeer } from '../user-peers';
import { current, type HandlerContext, leaveCurrent } from './context';
import { applyReceiveMode } from './media';

type H = RequestHandlers<HandlerContext>;

async function checkJoin(ctx: HandlerContext, meetingId: string): Promise<JoinGrant> {
  try {
    return await ctx.meetings.checkJoin(ctx.session.claims, meetingId);
  } catch (e) {
    ctx.onJoinFailure?.(e instanceof AppError ? e.code : 'INTERNAL');
    throw e;
  }
}

const join: H['meeting:join'] = async (ctx, { meetingId, rtpCapabilities, resumePeerId, freshMedia }) => {
  const { conference, session } = ctx;
  const access = await checkJoin(ctx, meetingId);
  // No await between this check and conference.join: concurrent joins of one user count each other.
  if (ctx.limits) admitUserPeer(conference, session.claims.sub, ctx.limits.meetingPeersPerUser, [session.peerId, resumePeerId]);
  const key = Conference.meetingKey(access.meeting.id);
  if (session.room && session.room.key !== key) leaveCurrent(ctx);
  const room = conference.getOrCreate(key, access.meeting);
  const { peerId, resumedParticipant } = conference.join(
    room,
    {
      userId: session.claims.sub,
      userName: session.claims.name,
      chairRole: access.chairRole,
      siteId: access.site.id,
      siteCode: access.site.code,
      siteName: access.site.name,
      parentSiteId: access.site.parentId,
      parentSiteName: access.site.parentName,
    },
    resumePeerId,
  );
  // Media survives a short signalling drop; the client then only restarts ICE. A reloaded page has
  // none: its old transports and producers go now (the others drop them), not at the grace's end.
  const mediaKept = resumedParticipant && !freshMedia && room.media.hasPeer(peerId);
  try {
    if (!mediaKept) {
      await room.media.addPeer(peerId, { siteId: access.site.id });
      ctx.adaptation?.mediaRestarted(room, peerId);
    }
    room.media.setRtpCapabilities(peerId, rtpCapabilities);
  } catch (e) {
    if (!resumedParticipant) conference.removePeer(room, peerId);
    ctx.onJoinFailure?.(e instanceof AppError ? e.code : 'INTERNAL');
    throw e;
  }
  // Joining again from the same socket as a new peer replaces the old one.
  if (session.room === room && session.peerId && session.peerId !== peerId) conference.removePeer(room, session.peerId);
  conference.bindSocket(room, peerId, ctx.socketId);
  session.room = room;
  session.peerId = peerId;
  ctx.log.info({ meetingId, peerId, resumed: mediaKept }, 'joined meeting');
  conference.broadcastState(room);
  return {
    peerId,
    resumed: mediaKept,
    routerRtpCapabilities: (await room.media.rtpCapabilities()) as Record<string, unknown>,
    producers: room.media.announcements(peerId),
    room: conference.state(room),
    graceMs: conference.graceMs,
    adaptation: ctx.adaptation?.enabled ?? false,
  };
};

export const sessionHandlers = {
  'router:capabilities': async (ctx) => ({
    routerRtpCapabilities: (await ctx.conference.routerCapabilities()) as Record<string, unknown>,
  }),
  'meeting:join': join,
  'meeting:leave': (ctx) => {
    leaveCurrent(ctx);
    return {};
  },
  'meeting:setReceiveMode': async (ctx, { mode }) => {
    const { room, peerId } = current(ctx);
    if (!room.live) throw new AppError('NOT_IN_MEETING', 'Only in meetings', 409);
    room.live.setReceiveMode(peerId, mode);
    // The server enforces the mode on what the site already receives, not only the page.
    await applyReceiveMode(ctx, room, peerId, mode);
    ctx.conference.broadcastState(room);
    return {};
  },
  'meeting:setMainPolicy': (ctx, { policy }) => {
    const { room } = current(ctx);
    if (!room.live) throw new AppError('NOT_IN_MEETING', 'Only in meetings', 409);
    room.live.floor.requireChair(ctx.session.claims.sub);
    room.live.mainPolicy = policy;
    ctx.conference.broadcastState(room);
    return {};
  },
} satisfies Partial<H>;
