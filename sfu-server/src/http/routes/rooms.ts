// rooms.* routes: meeting rooms of a site.
import type { Core } from '../../core';
import type { SfuHandlers } from './context';

export function roomHandlers(core: Core): SfuHandlers<'rooms'> {
  return {
    'rooms.list': ({ query }) => ({ ok: true, rooms: core.rooms.list(query.siteId) }),
    'rooms.get': ({ params }) => ({ ok: true, room: core.rooms.get(params.id) }),
    'rooms.create': ({ body, caller }) => ({ ok: true, room: core.rooms.create(caller.actor, body) }),
    'rooms.update': ({ params, body, caller }) => ({ ok: true, room: core.rooms.update(caller.actor, params.id, body) }),
    'rooms.remove': ({ params, caller }) => {
      core.rooms.remove(caller.actor, params.id);
      return { ok: true };
    },
  };
}
