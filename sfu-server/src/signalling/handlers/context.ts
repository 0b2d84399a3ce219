// What every request handler gets: the socket's session, the conference and the
// core's ports; plus the checks and the chair-action runner the topics share.
// Handlers are plain functions of (context, payload), one module per topic.
import { AppError, type Logger } from '@lienthong/kit';
import type { FloorControl } from '../../domain/floor/floor-control';
import type { LiveMeeting } from '../../domain/live/live-meeting';
import type { IceServersRes, SessionClaims } from '../../protocol';
import type { AdaptationLoop } from '../adaptation';
import type { Conference } from '../conference';
import type { LiveRoom } from '../live-room';
import type { MeetingAccess, RecordingControl, RoomDialer, RoomMedia } from '../ports';

export interface SocketSession {
  claims: SessionClaims;
  room: LiveRoom | null;
  peerId: string | null;
}

export interface HandlerContext {
  conference: Conference;
  /** Read at call time: room and peer change on join. */
  session: SocketSession;
  socketId: string;
  meetings: MeetingAccess;
  log: Logger;
  onJoinFailure?(code: string): void;
  /** TURN relays with fresh credentials for a user (turn/turn-service.ts); absent: no TURN. */
  iceServers?(userId: string): IceServersRes;
  /** Per-user bounds (config `limits`); absent: unbounded. */
  limits?: { meetingPeersPerUser: number };
  /** Video shed per receiving site on thin links (absent: no adaptation). */
  adaptation?: AdaptationLoop;
  /** Meeting recordings (absent: recording is not offered). */
  recordings?: RecordingControl;
  /** Calls to room systems (absent: SIP is off). */
  dialer?: RoomDialer;
}

/** The caller's room and peer; NOT_IN_ROOM before a join. */
export function current(ctx: HandlerContext): { room: LiveRoom; peerId: string; media: RoomMedia } {
  const { room, peerId } = ctx.session;
  if (!room || !peerId) throw new AppError('NOT_IN_ROOM', 'Join a meeting first', 409);
  return { room, peerId, media: room.media };
}

export interface InMeeting {
  room: LiveRoom;
  live: LiveMeeting;
  peerId: string;
  /** The caller's site: the one every floor rule about who speaks is keyed by. */
  siteId: string;
  /** The caller's user: the one chair powers are checked against (domain/floor/authority.ts). */
  userId: string;
  floor: FloorControl;
}

/** The caller as a participant of a meeting; NOT_IN_MEETING in a self-test. */
export function inMeeting(ctx: HandlerContext): InMeeting {
  const { room, peerId } = current(ctx);
  if (!room.live?.has(peerId)) throw new AppError('NOT_IN_MEETING', 'Only in meetings', 409);
  const live = room.live;
  return { room, live, peerId, siteId: live.get(peerId).siteId, userId: ctx.session.claims.sub, floor: live.floor };
}

/** Leaves the room the socket is in, if any. */
export function leaveCurrent(ctx: HandlerContext): void {
  const { room, peerId } = ctx.session;
  if (room && peerId) ctx.conference.removePeer(room, peerId);
  ctx.session.room = null;
  ctx.session.peerId = null;
}

/** Audits an action of the caller's. */
export function audit(ctx: HandlerContext, m: InMeeting, action: string, target: string | null, detail: string | null): void {
  const { claims } = ctx.session;
  ctx.conference.audit(m.room, { userId: claims.sub, name: claims.name, siteId: claims.siteId ?? '' }, action, target, detail);
}

/**
 * Runs a chair action: the floor domain checks and changes (a coded error changes
 * nothing), then the action is audited, stored, enforced on the media and broadcast.
 */
export async function chairAction(
  ctx: HandlerContext,
  action: string,
  target: string | null,
  detail: string | null,
  change: (m: InMeeting) => void,
): Promise<Record<string, never>> {
  const m = inMeeting(ctx);
  change(m);
  audit(ctx, m, action, target, detail);
  await ctx.conference.controlChanged(m.room);
  return {};
}

/** Is some participant of the site connected? */
export const sitePresent = (live: LiveMeeting) => (siteId: string) => live.list().some((p) => p.siteId === siteId && p.connected);
