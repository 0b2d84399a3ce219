import Type, { type Static } from 'typebox';
import { Nullable } from './schema';

// The health of the cascade links between media servers (issue 15), as each server sees its
// neighbours: sfu-server reports it to nms, which shows it beside the WAN link the cascade rides on.

/** One neighbouring server, as this server's pings see it. */
export const NeighbourHealth = Type.Object(
  {
    /** The neighbour's server id. */
    peer: Type.String({ minLength: 1, maxLength: 100 }),
    /** unknown: not answered yet; down: three pings missed in a row (or it restarted, until it answers). */
    state: Type.Union([Type.Literal('unknown'), Type.Literal('up'), Type.Literal('down')]),
    /** When the state last changed (ISO time). */
    since: Type.String({ format: 'date-time' }),
    /** The last ping's round trip; null unless up. */
    rttMs: Nullable(Type.Number({ minimum: 0 })),
    /** Pings missed in a row. */
    missed: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type NeighbourHealth = Static<typeof NeighbourHealth>;

/** Most neighbours one server reports (a province has about ten districts). */
export const MAX_NEIGHBOURS = 200;

/** What a server reports: its id and each neighbour; no neighbours when it runs no cascade. */
export const CascadeHealthReport = Type.Object(
  {
    server: Type.String({ minLength: 1, maxLength: 100 }),
    neighbours: Type.Array(NeighbourHealth, { maxItems: MAX_NEIGHBOURS }),
  },
  { additionalProperties: false },
);
export type CascadeHealthReport = Static<typeof CascadeHealthReport>;

export const CascadeHealthAccepted = Type.Object({ ok: Type.Literal(true) });
export type CascadeHealthAccepted = Static<typeof CascadeHealthAccepted>;
export const CASCADE_HEALTH_PATH = '/api/nms/cascade/health';
