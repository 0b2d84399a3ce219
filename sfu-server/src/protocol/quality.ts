// The quality report of a meeting: what the server measured of each site's link over the
// meeting (samples at most every 10 s per peer, at once on a change of grade) and when each
// site joined, dropped out, came back and left. Times are epoch milliseconds.
import Type, { type Static } from 'typebox';
import { NetworkCauseReasons } from './network';
import { Quality } from './signalling';

export const QualityPoint = Type.Object({ at: Type.Number(), ...Quality.properties });
export type QualityPoint = Static<typeof QualityPoint>;

export const SiteEventKind = Type.Union([
  Type.Literal('joined'),
  Type.Literal('disconnected'),
  Type.Literal('reconnected'),
  Type.Literal('left'),
]);

export const SiteQuality = Type.Object({
  siteId: Type.String(),
  siteCode: Type.String(),
  siteName: Type.String(),
  samples: Type.Array(QualityPoint),
  events: Type.Array(Type.Object({ at: Type.Number(), kind: SiteEventKind })),
  /** What the network monitor said about the links on the site's path while it was in the meeting (state changes). */
  network: Type.Array(
    Type.Object({
      at: Type.Number(),
      linkId: Type.String(),
      linkName: Type.String(),
      state: Type.String(),
      reasons: NetworkCauseReasons,
    }),
  ),
  /** Over the samples: the worst grade seen and how many times the site dropped out. */
  worstGrade: Quality.properties.grade,
  dropouts: Type.Integer({ minimum: 0 }),
});
export type SiteQuality = Static<typeof SiteQuality>;

/** GET /api/meetings/:id/quality: for the chair, host and chair sites, admins and the host's operators. */
export const QualityReport = Type.Object({
  ok: Type.Literal(true),
  meetingId: Type.String(),
  title: Type.String(),
  startsAt: Type.String(),
  endsAt: Type.String(),
  sites: Type.Array(SiteQuality),
});
export type QualityReport = Static<typeof QualityReport>;
