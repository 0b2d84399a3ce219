// Why a site's quality is down, as the network monitor (nms) sees its path: pushed to the
// chair and console operators of a meeting (room:network), never to every site.
import { Nullable } from '@lienthong/kit/contracts';
import Type, { type Static } from 'typebox';
import { RefId } from './common';

/** nms's reason codes (loss, high_utilisation, rtt, errors, oper_down...) with their values. */
export const NetworkCauseReasons = Type.Array(
  Type.Object({ code: Type.String(), value: Nullable(Type.Number()), minutes: Nullable(Type.Number()) }),
);

export const NetworkCause = Type.Union([
  Type.Object({
    kind: Type.Literal('link'),
    linkId: Type.String(),
    linkName: Type.String(),
    /** degraded, down or flapping. */
    state: Type.String(),
    reasons: NetworkCauseReasons,
    lossRatio: Nullable(Type.Number()),
    utilisation: Nullable(Type.Number()),
    /** Other faulty links on the same path, below the one named. */
    alsoFaulty: Type.Integer({ minimum: 0 }),
  }),
  /** Every link on the site's path is up: its own connection (PC, LAN, last metres). */
  Type.Object({ kind: Type.Literal('site') }),
  /** nms does not know the site or cannot see its path. */
  Type.Object({ kind: Type.Literal('unknown') }),
]);
export type NetworkCause = Static<typeof NetworkCause>;

/** For each site (by id) whose quality is fair or poor: what the network says. Sites not listed need no explanation. */
export const RoomNetwork = Type.Object({
  meetingId: RefId,
  /** False when nms could not be asked (not configured or not answering): no causes can be given. */
  available: Type.Boolean(),
  sites: Type.Record(Type.String(), NetworkCause),
});
export type RoomNetwork = Static<typeof RoomNetwork>;
