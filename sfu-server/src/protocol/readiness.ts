// Readiness before a meeting: a site's technical check as it reports it, the board the chair and
// operators watch (every invited site: check, media path, network path, connected now), and
// reminders to the sites that have not checked.
import { Nullable } from '@lienthong/kit/contracts';
import Type, { type Static } from 'typebox';
import { RoomSystemStatus } from './room-systems';

/** How the browser's media reached the server (web/src/lib/media/ice-path.ts decides). */
export const MediaPathKind = Type.Union([
  Type.Literal('udp'),
  Type.Literal('ice-tcp'),
  Type.Literal('turn-udp'),
  Type.Literal('turn-tcp'),
  Type.Literal('turn-tls'),
  Type.Literal('unknown'),
]);
export type MediaPathKind = Static<typeof MediaPathKind>;

/** POST /api/readiness/checks: what the technical check found (the site and user come from the session). */
export const TechCheckInput = Type.Object(
  {
    camera: Type.Boolean({ description: 'its own picture came back through the server' }),
    microphone: Type.Boolean({ description: 'its own sound came back through the server' }),
    speaker: Type.Boolean({ description: 'the user heard it' }),
    mediaPath: MediaPathKind,
    rttMs: Nullable(Type.Number({ minimum: 0, maximum: 60_000 })),
    lossFraction: Nullable(Type.Number({ minimum: 0, maximum: 1 })),
  },
  { additionalProperties: false },
);
export type TechCheckInput = Static<typeof TechCheckInput>;

export const TechCheckView = Type.Object({
  ...TechCheckInput.properties,
  userName: Type.String(),
  /** ISO time. */
  at: Type.String(),
});
export type TechCheckView = Static<typeof TechCheckView>;
export const TechCheckReply = Type.Object({ ok: Type.Literal(true), check: TechCheckView });

export const ReadinessLevel = Type.Union([Type.Literal('green'), Type.Literal('amber'), Type.Literal('red')]);
export const ReadinessReason = Type.Union([
  Type.Literal('not_checked'),
  Type.Literal('camera_failed'),
  Type.Literal('microphone_failed'),
  Type.Literal('speaker_failed'),
  Type.Literal('relayed'),
  Type.Literal('media_loss'),
  Type.Literal('slow_path'),
  Type.Literal('network_cut'),
  Type.Literal('network_degraded'),
  Type.Literal('room_unreachable'),
]);

export const ReadinessSite = Type.Object({
  siteId: Type.String(),
  siteCode: Type.String(),
  siteName: Type.String(),
  parentId: Nullable(Type.String()),
  /** 0 province, 1 district, 2 commune. */
  depth: Type.Integer({ minimum: 0 }),
  readiness: ReadinessLevel,
  reasons: Type.Array(ReadinessReason),
  check: Nullable(TechCheckView),
  /** From nms; null when nms is not configured or does not answer. */
  network: Nullable(
    Type.Object({
      state: Type.String(),
      cause: Nullable(Type.Object({ linkId: Type.String(), linkName: Type.String() })),
      degradedLink: Nullable(Type.String()),
      /** Each link of its path (site first), with nms's state: unknown / up / degraded / down / flapping. */
      path: Type.Array(Type.Object({ linkId: Type.String(), name: Type.String(), state: Type.String() })),
    }),
  ),
  connected: Type.Boolean(),
  /** The room systems (SIP codecs) registered at the site: does each answer SIP OPTIONS, is it in a call. */
  roomSystems: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), ...RoomSystemStatus.properties })),
  /** When the last reminder was sent to the site for this meeting (ISO), if any. */
  remindedAt: Nullable(Type.String()),
});
export type ReadinessSite = Static<typeof ReadinessSite>;

/** GET /api/meetings/:id/readiness: for the chair, the host and chair sites, admins and the host's operators. */
export const ReadinessBoard = Type.Object({
  ok: Type.Literal(true),
  meetingId: Type.String(),
  title: Type.String(),
  startsAt: Type.String(),
  /** False when nms could not be asked: no site's network is known. */
  networkKnown: Type.Boolean(),
  sites: Type.Array(ReadinessSite),
  /** Sites cut off by the same link, folded under it. */
  faults: Type.Array(Type.Object({ linkId: Type.String(), linkName: Type.String(), siteIds: Type.Array(Type.String()) })),
});
export type ReadinessBoard = Static<typeof ReadinessBoard>;

export const RemindInput = Type.Object(
  { siteIds: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 2000 }) },
  { additionalProperties: false },
);
export const RemindReply = Type.Object({ ok: Type.Literal(true), reminded: Type.Integer({ minimum: 0 }) });

/** GET /api/readiness/reminders: the caller's site's reminders for meetings not over yet. */
export const ReminderList = Type.Object({
  ok: Type.Literal(true),
  reminders: Type.Array(
    Type.Object({ meetingId: Type.String(), title: Type.String(), startsAt: Type.String(), at: Type.String(), byName: Type.String() }),
  ),
});
export type ReminderList = Static<typeof ReminderList>;

/** How long the pushed board stays open (seconds; 0: the current board only). */
export const BoardStreamQuery = Type.Object(
  { for: Type.Optional(Type.Integer({ minimum: 0, maximum: 3600 })) },
  { additionalProperties: false },
);
