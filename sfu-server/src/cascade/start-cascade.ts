// Starts this server's part in cascaded meetings from its configuration: the bus on its own NATS
// node, the links to neighbour servers, the node, and the rooms' adapter. Absent (serverId ""),
// meetings stay on this server alone. A server with a parent also hosts the media of its sites'
// peers for the parent, which runs their meetings (media-host.ts); the province places each peer's
// media on its site's server (split-room-media.ts).
import type { Logger } from '@lienthong/kit';
import type { SfuConfig } from '../config/schema';
import type { CascadeHealthSource } from '../domain/cascade/health';
import type { MediaRoom } from '../media/media-room';
import type { MediaWorkerPool } from '../media/worker-pool';
import { MediaCall, PlacedAnswer, PlacedQuery, StatsQuery } from '../protocol/cascade-media';
import { RoomCallRequest } from '../protocol/cascade-room-call';
import type { RoomMedia } from '../signalling/ports';
import type { RoomCallMediaDeps } from '../sip/room-call-media';
import { CascadeBus } from './bus';
import { CascadeNode } from './cascade-node';
import { CascadeRooms } from './cascade-rooms';
import { CascadeLinks } from './links';
import { mediaCalls, type NeighbourWatch } from './media-calls';
import { MediaHost } from './media-host';
import type { NeighbourOptions } from './neighbours';
import { RoomCallHost } from './room-call-host';
import { type Placement, SplitRoomMedia } from './split-room-media';

export interface Cascade {
  node: CascadeNode;
  rooms: CascadeRooms;
  /** The neighbours' pings, for metrics and the NMS. */
  health: CascadeHealthSource;
  /** The media of this server's sites' peers, for a parent that runs their meetings (none at the province). */
  host: MediaHost | undefined;
  /** A meeting room's media joined to the cascade: split by site over the servers when `placement` is given. */
  mediaFor(meetingId: string, room: MediaRoom): RoomMedia;
  close(): Promise<void>;
}

export interface CascadeStartOptions {
  logger: Logger;
  maxPeersPerRouter: number;
  consumersPerPeer?: number;
  /** This server's room-system media settings: a district runs its sites' room calls' media with them. */
  roomCalls?: Omit<RoomCallMediaDeps, 'logger'>;
  /** Where each site's peers have their media (the province's server assignment); absent: here. */
  placement?: Placement;
  timing?: { ping?: NeighbourOptions; rosterEveryMs?: number; releaseAfterMs?: number };
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
  opts: CascadeStartOptions,
): Promise<Cascade | undefined> {
  if (!c.serverId) return undefined;
  const logger = opts.logger;
  const log = (msg: string) => logger.info(msg);
  const bus = await CascadeBus.open({ url: c.natsUrl, serverId: c.serverId, log });
  const rooms = new CascadeRooms(pool);
  const portRange = c.linkPorts.min > 0 ? { portRange: { min: c.linkPorts.min, max: Math.max(c.linkPorts.min, c.linkPorts.max) } } : {};
  const links = new CascadeLinks(bus, rooms.routerOf, { listenIp: c.linkIp, ...portRange });
  const neighbours = [...new Set([...(c.parent ? [c.parent] : []), ...c.children])];
  const node = new CascadeNode({
    bus,
    links,
    routerOf: rooms.routerOf,
    nextHop: nextHopOf(c),
    neighbours,
    parent: c.parent || null,
    log,
    ...opts.timing,
  });
  rooms.bind(node, links);
  const calls = mediaCalls(bus, watchDown(node));
  let roomCalls: RoomCallHost | undefined;
  const host = c.parent
    ? hostFor(c, c.parent, bus, pool, rooms, { ...opts, peerGone: (m, p) => void roomCalls?.peerGone(m, p) })
    : undefined;
  if (host && c.parent && opts.roomCalls) {
    const calls = new RoomCallHost({
      media: opts.roomCalls,
      logger: logger.child({ component: 'room-calls' }),
      serverId: c.serverId,
      parent: c.parent,
      roomOf: (meetingId) => host.roomOf(meetingId),
      publish: (e) => bus.publishMediaEvent(e),
    });
    roomCalls = calls;
    bus.serve('roomCall', RoomCallRequest, (r, from) => calls.handle(r, from));
  }
  // Which peers each meeting places on a child: the child drops the media of the others.
  const split = new Map<string, SplitRoomMedia>();
  bus.serve('placed', PlacedQuery, async (q, from) => ({ peers: split.get(q.meetingId)?.placedOn(from) ?? [] }));
  return {
    node,
    rooms,
    host,
    health: { serverId: c.serverId, neighbours: () => node.neighbourHealth() },
    mediaFor(meetingId, room) {
      rooms.attach(meetingId, room);
      if (!opts.placement) return room;
      const media = new SplitRoomMedia(meetingId, room, calls, opts.placement, log);
      split.set(meetingId, media);
      media.once('closed', () => {
        if (split.get(meetingId) === media) split.delete(meetingId);
      });
      return media;
    },
    async close() {
      await roomCalls?.close();
      host?.close();
      node.stop();
      await bus.close();
    },
  };
}

/** Which neighbours are down now, and who to tell when one goes down. */
function watchDown(node: CascadeNode): NeighbourWatch {
  const down = new Set<string>();
  const onDown = new Set<(server: string) => void>();
  node.onNeighbour = (peer, state) => {
    if (state !== 'down') return void down.delete(peer);
    down.add(peer);
    for (const l of onDown) l(peer);
  };
  return {
    isDown: (s) => down.has(s),
    onDown: (l) => {
      onDown.add(l);
      return () => onDown.delete(l);
    },
  };
}

/** A district's host of its sites' media for its parent, answering the parent's calls and readings. */
function hostFor(
  c: SfuConfig['cascade'],
  parent: string,
  bus: CascadeBus,
  pool: MediaWorkerPool,
  rooms: CascadeRooms,
  opts: CascadeStartOptions & { peerGone: (meetingId: string, peerId: string) => void },
): MediaHost {
  const host = new MediaHost({
    pool,
    logger: opts.logger,
    rooms,
    serverId: c.serverId,
    parent,
    publish: (e) => bus.publishMediaEvent(e),
    placed: (meetingId) =>
      bus.request(parent, 'placed', { meetingId, from: c.serverId }, PlacedAnswer).then(
        (a) => a.peers,
        () => null,
      ),
    maxPeersPerRouter: opts.maxPeersPerRouter,
    ...(opts.consumersPerPeer ? { consumersPerPeer: opts.consumersPerPeer } : {}),
    peerGone: opts.peerGone,
  });
  bus.serve('media', MediaCall, (call, from) => host.handle(call, from));
  bus.serve('mediaStats', StatsQuery, (q, from) => host.stats(q, from));
  return host;
}
