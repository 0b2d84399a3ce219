// servers.* routes: the media servers of a cascade, which one serves each site, and this server's
// cascade links' health.
import type { Core } from '../../core';
import type { CascadeHealthSource } from '../../domain/cascade/health';
import { LOCAL_SERVER_ID } from '../../protocol/servers';
import type { SfuHandlers } from './context';

/** `health` absent: no cascade runs here, so this server (as in a single-server installation) has no links. */
export function serverHandlers(core: Core, health?: CascadeHealthSource): SfuHandlers<'servers'> {
  return {
    // Every signed-in user: pages will follow their site's server.
    'servers.list': () => ({ ok: true, servers: core.servers.list(), assignments: core.servers.assignments() }),
    'servers.create': ({ body, caller }) => ({ ok: true, server: core.servers.create(caller.actor, body) }),
    'servers.update': ({ params, body, caller }) => ({ ok: true, server: core.servers.update(caller.actor, params.id, body) }),
    'servers.remove': ({ params, caller }) => {
      core.servers.remove(caller.actor, params.id);
      return { ok: true };
    },
    'servers.health': () => ({ ok: true, server: health?.serverId ?? LOCAL_SERVER_ID, neighbours: health?.neighbours() ?? [] }),
  };
}
