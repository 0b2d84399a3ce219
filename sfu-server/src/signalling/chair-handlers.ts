// Socket handlers for chair-led meetings. Each chair action is checked by the
// floor domain (coded error, nothing changed), then enforced on the media
// (audio producers paused server-side), audited in SQLite and broadcast.
// Also wraps the media requests whose meaning depends on the chair's rules:
// a site's own mic resume, and producing a screen presentation.
import { randomUUID } from 'node:crypto';
import { AppError, type Logger } from '@lienthong/kit';
import type { LiveMeeting } from '../domain/live/live-meeting';
import type { SessionClaims } from '../protocol';
import type { ChairPorts } from './chair-ports';
import type { Conference, LiveRoom } from './conference';
import type { RequestHandlers } from './rpc';

export interface ChairContext {
  conference: Conference;
  /** The socket's session (read at call time: room and peer change on join). */
  session: { claims: SessionClaims; room: LiveRoom | null; peerId: string | null };
  ports: ChairPorts | undefined;
  log: Logger;
  now?: () => number;
}

type ChairHandlerNames =
  | 'floor:request'
  | 'floor:withdraw'
  | 'chair:giveFloor'
  | 'chair:takeFloor'
  | 'chair:setMode'
  | 'chair:mute'
  | 'chair:muteAll'
  | 'chair:setSelfUnmute'
  | 'chair:lock'
  | 'chair:remove'
  | 'chair:readmit'
  | 'chair:handOver'
  | 'chair:setSpeakingLimit'
  | 'presentation:start'
  | 'presentation:stop'
  | 'rollcall:start'
  | 'rollcall:answer'
  | 'rollcall:mark'
  | 'rollcall:end'
  | 'control:get'
  | 'media:produce'
  | 'media:pauseProducer'
  | 'media:resumeProducer';

export function chairHandlers(ctx: ChairContext): Pick<RequestHandlers, ChairHandlerNames> {
  const { conference, session } = ctx;
  const now = ctx.now ?? Date.now;

  const inMeeting = () => {
    const { room, peerId } = session;
    if (!room || !peerId) throw new AppError('NOT_IN_ROOM', 'Join a meeting first', 409);
    if (!room.live?.has(peerId)) throw new AppError('NOT_IN_MEETING', 'Only in meetings', 409);
    const live: LiveMeeting = room.live;
    const me = live.get(peerId);
    return { room, live, peerId, siteId: me.siteId, floor: live.floor };
  };
  const ensureFloorExpiryAudit = (room: LiveRoom, live: LiveMeeting) => {
    room.onFloorExpired ??= (siteId) => audit(room, live, 'floor.expired', siteId, null, true);
  };

  const audit = (room: LiveRoom, live: LiveMeeting, action: string, target: string | null, detail: string | null, bySystem = false) => {
    const entry = {
      at: now(),
      meetingId: live.meetingId,
      actorUserId: bySystem ? 'system' : session.claims.sub,
      actorName: bySystem ? 'Hệ thống' : session.claims.name,
      actorSiteId: bySystem ? live.chairSiteId : (session.claims.siteId ?? ''),
      action,
      targetSiteId: target,
      detail,
    };
    try {
      ctx.ports?.repo.insertAudit(entry);
    } catch (e) {
      ctx.log.error({ err: e, action }, 'audit write failed');
    }
    conference.toRoom(room, 'room:audit', entry);
  };

  /** Runs a chair action: domain check and change, then audit, enforce and broadcast. */
  const chair = async (action: string, target: string | null, detail: string | null, change: (m: ReturnType<typeof inMeeting>) => void) => {
    const m = inMeeting();
    ensureFloorExpiryAudit(m.room, m.live);
    change(m); // throws a coded error before changing anything
    audit(m.room, m.live, action, target, detail);
    await conference.controlChanged(m.room); // stores the new state, enforces it, tells everyone
    return {};
  };
  const present = (live: LiveMeeting) => (siteId: string) => live.list().some((p) => p.siteId === siteId && p.connected);

  const saveRollCall = (m: ReturnType<typeof inMeeting>) => {
    const rc = m.floor.rollCall;
    if (rc) ctx.ports?.repo.saveRollCall(m.live.meetingId, session.claims.sub, rc);
  };

  return {
    'control:get': () => {
      const { room } = inMeeting();
      const c = conference.control(room);
      if (!c) throw new AppError('NOT_IN_MEETING', 'Only in meetings', 409);
      return c;
    },
    'floor:request': async () => {
      const m = inMeeting();
      const position = m.floor.requestFloor(m.siteId, now());
      conference.persistControl(m.room);
      conference.broadcastState(m.room);
      return { position };
    },
    'floor:withdraw': async () => {
      const m = inMeeting();
      m.floor.withdraw(m.siteId);
      conference.persistControl(m.room);
      conference.broadcastState(m.room);
      return {};
    },
    'chair:giveFloor': ({ siteId }) =>
      chair('floor.give', siteId, null, (m) => m.floor.giveFloor(m.siteId, siteId, now(), present(m.live))),
    'chair:takeFloor': () =>
      chair('floor.take', null, null, (m) => {
        const holder = m.floor.floor?.siteId ?? null;
        m.floor.takeFloor(m.siteId);
        return holder;
      }),
    'chair:setMode': ({ mode }) => chair('mode.set', null, mode, (m) => m.floor.setMode(m.siteId, mode)),
    'chair:mute': ({ siteId, muted }) =>
      chair(muted ? 'site.mute' : 'site.unmute', siteId, null, (m) => m.floor.mute(m.siteId, siteId, muted)),
    'chair:muteAll': () => chair('site.muteAll', null, null, (m) => m.floor.muteAll(m.siteId)),
    'chair:setSelfUnmute': ({ allowed }) =>
      chair('selfUnmute.set', null, allowed ? 'allowed' : 'forbidden', (m) => m.floor.setSelfUnmute(m.siteId, allowed)),
    'chair:lock': ({ locked }) => chair(locked ? 'meeting.lock' : 'meeting.unlock', null, null, (m) => m.floor.lock(m.siteId, locked)),
    'chair:setSpeakingLimit': ({ seconds }) =>
      chair('speakingLimit.set', null, seconds === null ? 'none' : String(seconds), (m) =>
        m.floor.setSpeakingLimit(m.siteId, seconds, now()),
      ),
    'chair:readmit': ({ siteId }) => chair('site.readmit', siteId, null, (m) => m.floor.readmit(m.siteId, siteId)),
    'chair:handOver': ({ siteId }) =>
      chair('chair.handOver', siteId, null, (m) => {
        m.floor.handOver(m.siteId, siteId, present(m.live));
        m.live.syncChair();
      }),
    'chair:remove': async ({ siteId }) => {
      const m = inMeeting();
      await chair('site.remove', siteId, null, (x) => x.floor.remove(x.siteId, siteId));
      for (const peerId of m.live.peersOfSite(siteId)) {
        conference.toPeer(m.room, peerId, 'room:closed', { reason: 'removed' });
        conference.removePeer(m.room, peerId);
      }
      return {};
    },
    'presentation:start': () => {
      const m = inMeeting();
      m.floor.startPresentation(m.siteId, m.peerId, now());
      conference.broadcastState(m.room);
      return {};
    },
    'presentation:stop': async () => {
      const m = inMeeting();
      const p = m.floor.stopPresentation(m.siteId, m.peerId);
      if (p.peerId !== m.peerId) audit(m.room, m.live, 'presentation.stop', p.siteId, null);
      // Closing the producer tells every consumer (and the presenter) that it ended.
      if (p.producerId) await m.room.media.closeProducer(p.peerId, p.producerId).catch(() => undefined);
      conference.broadcastState(m.room);
      return {};
    },
    'rollcall:start': () => {
      const m = inMeeting();
      const invited = ctx.ports?.invitedSites(m.live.meetingId) ?? [];
      const roll = invited.filter((s) => s.siteId !== m.floor.chairSiteId);
      // Sites present but not on the schedule's list (e.g. the host) are on the roll too.
      for (const p of m.live.list()) {
        if (p.siteId !== m.floor.chairSiteId && !roll.some((s) => s.siteId === p.siteId))
          roll.push({ siteId: p.siteId, siteCode: p.siteCode, siteName: p.siteName });
      }
      const rc = m.floor.startRollCall(m.siteId, randomUUID(), roll, now());
      saveRollCall(m);
      audit(m.room, m.live, 'rollcall.start', null, `${rc.entries.length} sites`);
      conference.broadcastState(m.room);
      return { rollCallId: rc.id };
    },
    'rollcall:answer': ({ headCount }) => {
      const m = inMeeting();
      m.floor.answerPresent(m.siteId, headCount, now());
      saveRollCall(m);
      conference.broadcastState(m.room);
      return {};
    },
    'rollcall:mark': ({ siteId, status, reason, headCount }) => {
      const m = inMeeting();
      m.floor.mark(m.siteId, siteId, status, reason ?? null, headCount ?? null, now());
      saveRollCall(m);
      audit(m.room, m.live, `rollcall.mark.${status}`, siteId, reason ?? null);
      conference.broadcastState(m.room);
      return {};
    },
    'rollcall:end': () => {
      const m = inMeeting();
      m.floor.endRollCall(m.siteId, now());
      saveRollCall(m);
      audit(m.room, m.live, 'rollcall.end', null, null);
      conference.broadcastState(m.room);
      return {};
    },

    // ---- media requests the chair's rules apply to
    'media:produce': async ({ transportId, kind, rtpParameters, source }) => {
      const { room, peerId } = session;
      if (!room || !peerId) throw new AppError('NOT_IN_ROOM', 'Join a meeting first', 409);
      if (source !== 'screen' || !room.live)
        return { producerId: await room.media.produce(peerId, transportId, kind, rtpParameters, source) };
      // One presentation at a time: producing a screen claims it (or uses the claim from presentation:start).
      const m = inMeeting();
      m.floor.startPresentation(m.siteId, peerId, now());
      try {
        const producerId = await room.media.produce(peerId, transportId, kind, rtpParameters, source);
        if (m.floor.presentation?.peerId === peerId) m.floor.presentation.producerId = producerId;
        conference.broadcastState(room);
        return { producerId };
      } catch (e) {
        m.floor.presentationEnded(peerId);
        throw e;
      }
    },
    'media:pauseProducer': async ({ producerId }) => {
      const { room, peerId } = session;
      if (!room || !peerId) throw new AppError('NOT_IN_ROOM', 'Join a meeting first', 409);
      const audio = room.media.hasPeer(peerId) && room.media.producersOf(peerId, 'audio').some((p) => p.producerId === producerId);
      if (audio) room.selfPaused.add(producerId);
      await room.media.setProducerPaused(peerId, producerId, true);
      return {};
    },
    'media:resumeProducer': async ({ producerId }) => {
      const { room, peerId } = session;
      if (!room || !peerId) throw new AppError('NOT_IN_ROOM', 'Join a meeting first', 409);
      const audio = room.media.hasPeer(peerId) && room.media.producersOf(peerId, 'audio').some((p) => p.producerId === producerId);
      if (!audio || !room.live) {
        await room.media.setProducerPaused(peerId, producerId, false);
        return {};
      }
      const m = inMeeting();
      // Refused (coded) in briefing without the floor, or when the chair forbids self-unmute.
      const before = m.floor.micState(m.siteId);
      m.floor.selfUnmute(m.siteId);
      room.selfPaused.delete(producerId);
      if (before === 'muted') audit(room, m.live, 'site.selfUnmute', m.siteId, null);
      await conference.controlChanged(room);
      return {};
    },
  };
}
