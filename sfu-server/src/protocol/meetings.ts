// Meeting scheduling REST bodies. Times are ISO 8601 with an offset; the server stores UTC.
import Type, { type Static } from 'typebox';
import { Id, Site } from './sites';

/** How far ahead of the start a chair may open a meeting for the technical check. */
export const OPEN_EARLY_MAX_MINUTES = 60;

export const InviteScope = Type.Union([Type.Literal('site'), Type.Literal('subtree')]);
export type InviteScope = Static<typeof InviteScope>;

/** Stored as given; `subtree` is expanded when checked, so sites added or moved later are included. */
export const Invite = Type.Object({ siteId: Id, scope: InviteScope }, { additionalProperties: false });
export type Invite = Static<typeof Invite>;

export const MeetingStatus = Type.Union([Type.Literal('scheduled'), Type.Literal('cancelled')]);
/** Derived from status, window and open-early at the time of the reply. */
export const MeetingPhase = Type.Union([
  Type.Literal('upcoming'),
  Type.Literal('open_early'),
  Type.Literal('live'),
  Type.Literal('ended'),
  Type.Literal('cancelled'),
]);
export type MeetingPhase = Static<typeof MeetingPhase>;

export const Meeting = Type.Object({
  id: Type.String(),
  title: Type.String(),
  description: Type.String(),
  startsAt: Type.String(),
  endsAt: Type.String(),
  hostSiteId: Type.String(),
  roomId: Type.Union([Type.String(), Type.Null()]),
  chair: Type.Object({ userId: Type.String(), siteId: Type.String() }),
  /** Users named to run the chair console for the chair (they hold the chair's powers too). */
  operators: Type.Array(Type.String()),
  invites: Type.Array(Invite),
  status: MeetingStatus,
  phase: MeetingPhase,
  openedEarlyAt: Type.Union([Type.String(), Type.Null()]),
  cancelledAt: Type.Union([Type.String(), Type.Null()]),
  cancelReason: Type.Union([Type.String(), Type.Null()]),
  createdBy: Type.String(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type Meeting = Static<typeof Meeting>;

const Title = Type.String({ minLength: 1, maxLength: 300 });
const Description = Type.String({ maxLength: 5000 });
const Instant = Type.String({ format: 'date-time' });
const Invites = Type.Array(Invite, { maxItems: 2000 });
/** At most this many console operators per meeting. */
export const MAX_OPERATORS = 10;
/** Existing, enabled users whose site takes part in the meeting (so they can join to run the console). */
export const Operators = Type.Array(Id, { maxItems: MAX_OPERATORS });

export const CreateMeetingBody = Type.Object(
  {
    title: Title,
    description: Type.Optional(Description),
    startsAt: Instant,
    endsAt: Instant,
    hostSiteId: Id,
    roomId: Type.Optional(Type.Union([Id, Type.Null()])),
    chairUserId: Id,
    /** Defaults to the chair user's site. */
    chairSiteId: Type.Optional(Id),
    invites: Invites,
    operators: Type.Optional(Operators),
  },
  { additionalProperties: false },
);
export type CreateMeetingBody = Static<typeof CreateMeetingBody>;

export const UpdateMeetingBody = Type.Object(
  {
    title: Type.Optional(Title),
    description: Type.Optional(Description),
    startsAt: Type.Optional(Instant),
    endsAt: Type.Optional(Instant),
    roomId: Type.Optional(Type.Union([Id, Type.Null()])),
    chairUserId: Type.Optional(Id),
    chairSiteId: Type.Optional(Id),
    invites: Type.Optional(Invites),
    operators: Type.Optional(Operators),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateMeetingBody = Static<typeof UpdateMeetingBody>;

export const CancelMeetingBody = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 1000 })) }, { additionalProperties: false });
export type CancelMeetingBody = Static<typeof CancelMeetingBody>;

export const MeetingParams = Type.Object({ id: Id });
export const MeetingReply = Type.Object({ ok: Type.Literal(true), meeting: Meeting });
export type MeetingReply = Static<typeof MeetingReply>;
export const MeetingList = Type.Object({ ok: Type.Literal(true), meetings: Type.Array(Meeting) });
export type MeetingList = Static<typeof MeetingList>;

/**
 * Upcoming meetings (not yet ended) where the site is host, chair or invited. Default: the caller's site.
 * `endedWithinDays`: also those that ended in the last N days (their records: attendance, quality report).
 */
export const UpcomingQuery = Type.Object(
  {
    siteId: Type.Optional(Id),
    includeCancelled: Type.Optional(Type.Boolean()),
    endedWithinDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 31 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  },
  { additionalProperties: false },
);
export type UpcomingQuery = Static<typeof UpcomingQuery>;

/** Meetings the caller may see whose window overlaps [from, to) (default: last 7 days to next 30), by start. */
export const MeetingListQuery = Type.Object(
  {
    from: Type.Optional(Instant),
    to: Type.Optional(Instant),
    hostSiteId: Type.Optional(Id),
    includeCancelled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type MeetingListQuery = Static<typeof MeetingListQuery>;

/** Expanded invitation list of one meeting, for the chair console and roll call. */
export const MeetingSitesReply = Type.Object({ ok: Type.Literal(true), siteIds: Type.Array(Type.String()) });
export type MeetingSitesReply = Static<typeof MeetingSitesReply>;

/** GET /api/meetings/:id/join-check: the same decision signalling makes on join. */
export const JoinCheckReply = Type.Object({
  ok: Type.Literal(true),
  meeting: Meeting,
  site: Site,
  isChairSite: Type.Boolean(),
  isChair: Type.Boolean(),
  /** The user is one of the meeting's console operators. */
  isOperator: Type.Boolean(),
  isHostSite: Type.Boolean(),
  /** Names of the chair user and the console operators, for the join screen. */
  chairName: Type.String(),
  operatorNames: Type.Array(Type.String()),
});
export type JoinCheckReply = Static<typeof JoinCheckReply>;
