import Type, { type Static } from 'typebox';
import { Nullable } from './schema';

// What nms tells sfu-server about the network under the sites of live meetings. sfu-server
// sends the codes of the sites in its live meetings (so nms knows which paths matter now) and
// gets back each site's path to the province with each link's health, nearest link first.

/** Most site codes one request may carry (a province has a few hundred sites). */
export const MAX_LIVE_SITES = 5000;

export const LiveSitesReport = Type.Object(
  {
    sites: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: MAX_LIVE_SITES }),
    /** False: only asking (a readiness board before the meeting); the sites are not marked live. Default true. */
    live: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type LiveSitesReport = Static<typeof LiveSitesReport>;

export const PathLinkHealth = Type.Object({
  id: Type.String(),
  name: Type.String(),
  /** unknown / up / degraded / down / flapping. */
  state: Type.String(),
  /** Why it is not up: code (loss, high_utilisation, rtt, oper_down...), value (a ratio, ms or count), over how many minutes, English text. */
  reasons: Type.Array(
    Type.Object({ code: Type.String(), value: Nullable(Type.Number()), minutes: Nullable(Type.Number()), text: Type.String() }),
  ),
  lossRatio: Nullable(Type.Number()),
  utilisation: Nullable(Type.Number()),
  rttMs: Nullable(Type.Number()),
});
export type PathLinkHealth = Static<typeof PathLinkHealth>;

export const SiteNetwork = Type.Object({
  code: Type.String(),
  /** nms knows the site (false: no answer about its network, not "clean"). */
  known: Type.Boolean(),
  /** The site's state in nms (ok, degraded, down, unreachable, unmonitored, unknown). */
  state: Type.String(),
  /** The link that cuts the site off (its own uplink when down, else the highest down link above it). */
  cause: Nullable(Type.Object({ linkId: Type.String(), linkName: Type.String() })),
  /** Links from the site up to the province, nearest first. */
  path: Type.Array(PathLinkHealth),
});
export type SiteNetwork = Static<typeof SiteNetwork>;

export const SitesNetworkReply = Type.Object({ ok: Type.Literal(true), sites: Type.Array(SiteNetwork) });
export type SitesNetworkReply = Static<typeof SitesNetworkReply>;
export const SITES_NETWORK_PATH = '/api/nms/meetings/network';
