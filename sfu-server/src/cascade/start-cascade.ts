// Starts this server's part in cascaded meetings from its configuration: the bus on its own NATS
// node, the links to neighbour servers, the node, and the rooms' adapter. Absent (serverId ""),
// meetings stay on this server alone.
import type { SfuConfig } from '../config/schema';
import type { CascadeHealthSource } from '../domain/cascade/health';
import type { MediaWorkerPool } from '../media/worker-pool';
import { CascadeBus } from './bus';
import { CascadeNode } from './cascade-node';
import { CascadeRooms } from './cascade-rooms';
import { CascadeLinks } from './links';
import type { NeighbourOptions } from './neighbours';

export interface Cascade {
  node: CascadeNode;
  rooms: CascadeRooms;
  /** The neighbours' pings, for metrics and the NMS. */
  health: CascadeHealthSource;
  close(): Promise<void>;
}

/** The neighbour on the server-tree path toward `origin` (null: this server). */
export function nextHopOf(c: SfuConfig['cascade']): (origin: string) => string | null {
  return (origin) => {
    if (origin === c.serverId) return null;
    if (c.children.includes(origin) || origin === c.parent) return origin;
    return c.routes[origin] ?? (c.parent || null);
  };
}

export async function startCascade(
  c: SfuConfig['cascade'],
  pool: MediaWorkerPool,
  log: (msg: string) => void,
  timing: { ping?: NeighbourOptions; rosterEveryMs?: number; releaseAfterMs?: number } = {},
): Promise<Cascade | undefined> {
  if (!c.serverId) return undefined;
  const bus = await CascadeBus.open({ url: c.natsUrl, serverId: c.serverId, log });
  const rooms = new CascadeRooms(pool);
  const links = new CascadeLinks(bus, rooms.routerOf, { listenIp: c.linkIp });
  const neighbours = [...new Set([...(c.parent ? [c.parent] : []), ...c.children])];
  const node = new CascadeNode({
    bus,
    links,
    routerOf: rooms.routerOf,
    nextHop: nextHopOf(c),
    neighbours,
    parent: c.parent || null,
    log,
    ...timing,
  });
  rooms.bind(node, links);
  return {
    node,
    rooms,
    health: { serverId: c.serverId, neighbours: () => node.neighbourHealth() },
    async close() {
      node.stop();
      await bus.close();
    },
  };
}
