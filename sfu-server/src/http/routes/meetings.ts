// meetings.* routes: scheduling, the lobby's join check, opening early and cancelling.
import type { Core } from '../../core';
import type { SfuHandlers } from './context';

export function meetingHandlers(core: Core): SfuHandlers<'meetings'> {
  return {
    'meetings.list': ({ query, caller }) => ({ ok: true, meetings: core.meetings.list(caller.actor, query) }),
    'meetings.upcoming': ({ query, caller }) => ({ ok: true, meetings: core.meetings.upcoming(caller.actor, query) }),
    'meetings.get': ({ params, caller }) => ({ ok: true, meeting: core.meetings.getVisible(caller.actor, params.id) }),
    'meetings.sites': ({ params, caller }) => {
      core.meetings.getVisible(caller.actor, params.id);
      return { ok: true, sites: core.meetings.participatingSites(params.id) };
    },
    'meetings.joinCheck': ({ params, caller }) => ({ ok: true, ...core.meetings.checkJoin(caller.actor, params.id) }),
    'meetings.create': ({ body, caller }) => ({ ok: true, meeting: core.meetings.create(caller.actor, body) }),
    'meetings.update': ({ params, body, caller }) => ({ ok: true, meeting: core.meetings.update(caller.actor, params.id, body) }),
    'meetings.cancel': ({ params, body, caller }) => ({ ok: true, meeting: core.meetings.cancel(caller.actor, params.id, body.reason) }),
    'meetings.openEarly': ({ params, caller }) => ({ ok: true, meeting: core.meetings.openEarly(caller.actor, params.id) }),
  };
}
