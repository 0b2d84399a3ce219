// Media servers over REST (issue 15, one meeting across several servers): each serves the subtree of
// the site it is assigned to; the province server, at the root, serves every site not assigned elsewhere.
import { NeighbourHealth } from '@lienthong/kit/contracts';
import Type, { type Static } from 'typebox';
import { Id } from './sites';

/**
 * The server id every site resolves to while no server is configured: this server, as in a
 * single-server installation.
 */
export const LOCAL_SERVER_ID = 'local';

export const MediaServer = Type.Object({
  id: Type.String(),
  name: Type.String(),
  /** Where pages and the other servers reach it (https). */
  url: Type.String(),
  /** The root of the subtree it serves. */
  siteId: Type.String(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type MediaServer = Static<typeof MediaServer>;

export const ServerName = Type.String({ minLength: 1, maxLength: 200 });
/** An https URL; the domain checks the rest (host, no credentials, query or fragment). */
export const ServerUrl = Type.String({ minLength: 9, maxLength: 300, pattern: '^[Hh][Tt][Tt][Pp][Ss]://\\S+$' });

/** Which server serves each site: the server of its nearest assigned ancestor, the site itself included. */
export const ServerAssignment = Type.Object({ siteId: Type.String(), serverId: Type.String() });
export type ServerAssignment = Static<typeof ServerAssignment>;

export const ServerList = Type.Object({
  ok: Type.Literal(true),
  servers: Type.Array(MediaServer),
  /** Every site; `serverId` is LOCAL_SERVER_ID while no server is configured. */
  assignments: Type.Array(ServerAssignment),
});
export type ServerList = Static<typeof ServerList>;
export const ServerReply = Type.Object({ ok: Type.Literal(true), server: MediaServer });
export type ServerReply = Static<typeof ServerReply>;

export const ServerParams = Type.Object({ id: Id });
/** A server's id, also its name in the cascade (its `cascade.serverId` setting): letters, digits, - and _. */
export const ServerIdText = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
export const CreateServerBody = Type.Object(
  { name: ServerName, url: ServerUrl, siteId: Id, id: Type.Optional(ServerIdText) },
  { additionalProperties: false },
);
export type CreateServerBody = Static<typeof CreateServerBody>;
export const UpdateServerBody = Type.Object(
  { name: Type.Optional(ServerName), url: Type.Optional(ServerUrl), siteId: Type.Optional(Id) },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateServerBody = Static<typeof UpdateServerBody>;

export { NeighbourHealth } from '@lienthong/kit/contracts';

/**
 * This server's cascade links as its pings see them: its id, and each neighbouring server's state,
 * round trip and missed pings. No neighbours while it runs no cascade.
 */
export const ServerHealthReply = Type.Object({
  ok: Type.Literal(true),
  server: Type.String(),
  neighbours: Type.Array(NeighbourHealth),
});
export type ServerHealthReply = Static<typeof ServerHealthReply>;
