// roomSystems.* routes: room systems registered at a site, and the number a meeting is dialled at.
import type { Core } from '../../core';
import type { QualityNumbers } from '../../domain/live/quality';
import type { RoomSystem, RoomSystemStatus, WatchedRoomSystem } from '../../protocol';
import type { SfuHandlers } from './context';

/** Where room systems send their INVITEs (null: SIP is off on this server). */
export type SipAddress = { host: string; port: number } | null;

/** What the server's SIP side knows of a room system (absent when SIP is off). */
export interface RoomWatchSource {
  status(roomSystemId: string): RoomSystemStatus;
  callOf(roomSystemId: string): { meetingId: string; numbers: QualityNumbers } | null;
}

function watched(core: Core, rooms: RoomSystem[], watch: RoomWatchSource | undefined): WatchedRoomSystem[] {
  return rooms.map((r) => {
    const call = watch?.callOf(r.id) ?? null;
    const q = call?.numbers;
    return {
      id: r.id,
      name: r.name,
      sipUser: r.sipUser,
      address: r.address,
      sipPort: r.sipPort,
      status: watch ? watch.status(r.id) : null,
      call:
        call && q
          ? {
              meetingId: call.meetingId,
              meetingTitle: core.meetings.find(call.meetingId)?.title ?? '',
              rttMs: q.rttMs,
              lossFraction: q.lossFraction,
              jitterMs: q.jitterMs,
              sendBps: q.sendBps,
              recvBps: q.recvBps,
            }
          : null,
    };
  });
}

export function roomSystemHandlers(core: Core, sip: SipAddress, watch?: RoomWatchSource): SfuHandlers<'roomSystems'> {
  return {
    'roomSystems.watch': ({ query, caller }) => ({
      ok: true,
      roomSystems: watched(core, core.roomSystems.atSiteCode(caller.actor, query.siteCode), watch),
    }),
    'roomSystems.list': ({ query, caller }) => ({ ok: true, roomSystems: core.roomSystems.list(caller.actor, query.siteId) }),
    'roomSystems.create': ({ body, caller }) => ({ ok: true, roomSystem: core.roomSystems.create(caller.actor, body) }),
    'roomSystems.remove': ({ params, caller }) => {
      core.roomSystems.remove(caller.actor, params.id);
      return { ok: true };
    },
    'roomSystems.dialIn': ({ params, caller }) => {
      core.meetings.getVisible(caller.actor, params.id);
      const number = core.roomSystems.dialNumber(params.id);
      const uri = sip ? `sip:${number}@${sip.host}${sip.port === 5060 ? '' : `:${sip.port}`}` : null;
      return { ok: true, number, uri, rooms: core.roomSystems.roomsOf(params.id) };
    },
  };
}
