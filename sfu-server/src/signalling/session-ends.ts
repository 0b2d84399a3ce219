// Ends what is no longer authorised, within seconds: a socket whose session ended (logout,
// account disabled, changed or deleted, password changed, token expired) is told why, leaves
// its meeting at once and is disconnected; peers of a meeting that was cancelled, ended or
// withdrew their site's invitation are told why and leave it (the socket stays connected).
import type { Logger } from '@lienthong/kit';
import { Conference } from './conference';
import { type HandlerContext, leaveCurrent } from './handlers/context';
import type { LiveRoom } from './live-room';
import type { MeetingEvent, SessionsEnded } from './ports';

interface Tracked {
  ctx: HandlerContext;
  /** Pushes the reason to this socket. */
  tell(reason: string): void;
  disconnect(): void;
  expiry: NodeJS.Timeout | null;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

export class SessionEnds {
  private readonly sockets = new Map<string, Tracked>();

  constructor(
    private readonly conference: Conference,
    private readonly log: Logger,
  ) {
    conference.onMeetingEnd = (room) => this.closePeers(room, room.live?.list().map((p) => p.peerId) ?? [], 'ended');
  }

  /** A connected socket; `expiresAtMs`: when its token expires (the socket ends then). */
  track(ctx: HandlerContext, tell: Tracked['tell'], disconnect: () => void, expiresAtMs?: number): void {
    const t: Tracked = { ctx, tell, disconnect, expiry: null };
    if (expiresAtMs !== undefined) {
      t.expiry = setTimeout(() => this.end(t, 'expired'), Math.min(Math.max(0, expiresAtMs - Date.now()), MAX_TIMER_MS));
      t.expiry.unref?.();
    }
    this.sockets.set(ctx.socketId, t);
  }

  untrack(socketId: string): void {
    const t = this.sockets.get(socketId);
    if (t?.expiry) clearTimeout(t.expiry);
    this.sockets.delete(socketId);
  }

  sessionsEnded(e: SessionsEnded): void {
    for (const t of [...this.sockets.values()]) {
      const c = t.ctx.session.claims;
      if (c.sub !== e.userId) continue;
      if (e.sid !== undefined ? c.sid === e.sid : c.sid !== e.keepSid) this.end(t, e.reason);
    }
  }

  meetingChanged(e: MeetingEvent): void {
    const room = this.conference.rooms.get(Conference.meetingKey(e.meeting.id));
    const live = room?.live;
    if (!room || !live) return;
    const everyone = live.list().map((p) => p.peerId);
    const endsAt = Date.parse(e.meeting.endsAt);
    if (e.type === 'cancelled' || endsAt <= this.conference.now()) {
      this.closePeers(room, everyone, e.type === 'cancelled' ? 'cancelled' : 'ended');
      return;
    }
    this.conference.armEnd(room, endsAt);
    const uninvited = live.list().filter((p) => !e.isInvited(p.siteId));
    this.closePeers(
      room,
      uninvited.map((p) => p.peerId),
      'uninvited',
    );
    if (this.conference.rooms.get(room.key) !== room) return;
    if (live.floor.applySchedule(e.meeting.chair, e.meeting.operators)) {
      this.conference.audit(room, null, 'chair.scheduleChanged', null, live.floor.authority.chair.name);
      void this.conference.controlChanged(room);
    }
  }

  /** Each peer is told why, then leaves at once (no grace to come back). */
  closePeers(room: LiveRoom, peerIds: readonly string[], reason: string): void {
    for (const peerId of peerIds) {
      this.conference.toPeer(room, peerId, 'room:closed', { reason });
      const t = [...this.sockets.values()].find((x) => x.ctx.session.room === room && x.ctx.session.peerId === peerId);
      if (t) leaveCurrent(t.ctx);
      else this.conference.removePeer(room, peerId);
    }
    if (peerIds.length > 0) this.log.info({ room: room.key, reason, peers: peerIds.length }, 'closed the meeting for peers');
  }

  private end(t: Tracked, reason: string): void {
    this.log.info({ user: t.ctx.session.claims.sub, reason }, 'session ended: disconnecting its socket');
    this.untrack(t.ctx.socketId);
    t.tell(reason);
    leaveCurrent(t.ctx);
    t.disconnect();
  }
}
