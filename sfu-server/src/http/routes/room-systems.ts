// roomSystems.* routes: room systems registered at a site, and the number a meeting is dialled at.
import type { Core } from '../../core';
import type { SfuHandlers } from './context';

/** Where room systems send their INVITEs (null: SIP is off on this server). */
export type SipAddress = { host: string; port: number } | null;

export function roomSystemHandlers(core: Core, sip: SipAddress): SfuHandlers<'roomSystems'> {
  return {
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
