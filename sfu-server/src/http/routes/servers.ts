// servers.* routes: the media servers of a cascade and which one serves each site.
import type { Core } from '../../core';
import type { SfuHandlers } from './context';

export function serverHandlers(core: Core): SfuHandlers<'servers'> {
  return {
    // Every signed-in user: pages will follow their site's server.
    'servers.list': () => ({ ok: true, servers: core.servers.list(), assignments: core.servers.assignments() }),
    'servers.create': ({ body, caller }) => ({ ok: true, server: core.servers.create(caller.actor, body) }),
    'servers.update': ({ params, body, caller }) => ({ ok: true, server: core.servers.update(caller.actor, params.id, body) }),
    'servers.remove': ({ params, caller }) => {
      core.servers.remove(caller.actor, params.id);
      return { ok: true };
    },
  };
}
