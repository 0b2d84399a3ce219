// Chair-led meeting messages: speaking requests, chair actions, presentation,
// roll call, and the room:control push every site renders the same way.
import Type, { type Static } from 'typebox';
import { RefId } from './common';

const Site = Type.Object({ siteId: RefId }, { additionalProperties: false });
export const MeetingMode = Type.Union([Type.Literal('briefing'), Type.Literal('discussion')]);
export type MeetingMode = Static<typeof MeetingMode>;

export const SetModeReq = Type.Object({ mode: MeetingMode }, { additionalProperties: false });
export const MuteReq = Type.Object({ siteId: RefId, muted: Type.Boolean() }, { additionalProperties: false });
export const SelfUnmuteReq = Type.Object({ allowed: Type.Boolean() }, { additionalProperties: false });
export const LockReq = Type.Object({ locked: Type.Boolean() }, { additionalProperties: false });
export const RecordReq = Type.Object({ on: Type.Boolean() }, { additionalProperties: false });
/** The chair calls a room system of an invited site (null: every one that can be called and is not in). */
export const DialOutReq = Type.Object(
  { roomSystemId: Type.Union([Type.String({ maxLength: 64 }), Type.Null()]) },
  { additionalProperties: false },
);
/** The chair stops a call to a room system: a ringing one is cancelled, a connected one hung up. */
export const HangUpRoomReq = Type.Object({ roomSystemId: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });
export const DialOutState = Type.Union([
  Type.Literal('calling'),
  Type.Literal('ringing'),
  Type.Literal('connected'),
  Type.Literal('failed'),
  Type.Literal('ended'),
]);
export type DialOutState = Static<typeof DialOutState>;
/** A call the chair placed to a room system, as the console shows it. */
export const DialOutCall = Type.Object({
  roomSystemId: Type.String(),
  name: Type.String(),
  siteId: Type.String(),
  state: DialOutState,
  /** Why it failed or ended, as the room or the network said (e.g. "486 Busy Here", "no answer"). */
  reason: Type.Union([Type.String(), Type.Null()]),
  at: Type.Number(),
});
export type DialOutCall = Static<typeof DialOutCall>;
/** A recording in progress: every screen of the meeting says so. */
export const RecordingNotice = Type.Object({ recordingId: Type.String(), since: Type.Number(), byName: Type.String() });
export type RecordingNotice = Static<typeof RecordingNotice>;
export const SpeakingLimitReq = Type.Object(
  { seconds: Type.Union([Type.Integer({ minimum: 10, maximum: 3600 }), Type.Null()]) },
  { additionalProperties: false },
);
export const SiteReq = Site;
/** Hand-over to a site; `userId` names who there receives the chair's powers (default: see domain/floor/authority.ts). */
export const HandOverReq = Type.Object({ siteId: RefId, userId: Type.Optional(RefId) }, { additionalProperties: false });
/** The console operators for the rest of the meeting (replaces the list; empty clears it). */
export const SetOperatorsReq = Type.Object({ userIds: Type.Array(RefId, { maxItems: 10 }) }, { additionalProperties: false });
export const PersonRef = Type.Object({ userId: Type.String(), name: Type.String() });
export type PersonRef = Static<typeof PersonRef>;
export const FloorRequestRes = Type.Object({ position: Type.Integer() });
export const RollCallAnswerReq = Type.Object({ headCount: Type.Integer({ minimum: 0, maximum: 10_000 }) }, { additionalProperties: false });
export const AttendanceStatus = Type.Union([
  Type.Literal('pending'),
  Type.Literal('present'),
  Type.Literal('absent'),
  Type.Literal('late'),
]);
export const RollCallMarkReq = Type.Object(
  {
    siteId: RefId,
    status: Type.Union([Type.Literal('absent'), Type.Literal('late'), Type.Literal('present')]),
    reason: Type.Optional(Type.String({ maxLength: 200 })),
    headCount: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
  },
  { additionalProperties: false },
);
export const RollCallStartRes = Type.Object({ rollCallId: RefId });

export const MicState = Type.Union([Type.Literal('open'), Type.Literal('closed'), Type.Literal('muted')]);
export type MicState = Static<typeof MicState>;

export const AttendanceEntry = Type.Object({
  siteId: Type.String(),
  siteCode: Type.String(),
  siteName: Type.String(),
  status: AttendanceStatus,
  headCount: Type.Union([Type.Integer(), Type.Null()]),
  reason: Type.Union([Type.String(), Type.Null()]),
  /** Epoch ms of the answer or the chair's mark. */
  at: Type.Union([Type.Number(), Type.Null()]),
});
export type AttendanceEntry = Static<typeof AttendanceEntry>;

/** Everything a site's screen shows about floor and control; times are epoch ms on the server clock. */
export const ControlState = Type.Object({
  meetingId: Type.String(),
  serverNow: Type.Number(),
  chairSiteId: Type.String(),
  /** Who holds the chair's powers: the chair user and the console operators acting for them. */
  chair: PersonRef,
  operators: Type.Array(PersonRef),
  mode: MeetingMode,
  locked: Type.Boolean(),
  allowSelfUnmute: Type.Boolean(),
  speakingLimitSec: Type.Union([Type.Integer(), Type.Null()]),
  floor: Type.Union([
    Type.Object({ siteId: Type.String(), since: Type.Number(), until: Type.Union([Type.Number(), Type.Null()]) }),
    Type.Null(),
  ]),
  queue: Type.Array(Type.Object({ siteId: Type.String(), requestedAt: Type.Number() })),
  /** Per site in the meeting: the chair's rule for its microphone. */
  mics: Type.Record(Type.String(), MicState),
  /** Per peer: what it actually sends now (server view). */
  media: Type.Record(Type.String(), Type.Object({ micLive: Type.Boolean(), camera: Type.Boolean() })),
  removed: Type.Array(Type.String()),
  presentation: Type.Union([
    Type.Object({
      siteId: Type.String(),
      peerId: Type.String(),
      producerId: Type.Union([Type.String(), Type.Null()]),
      since: Type.Number(),
    }),
    Type.Null(),
  ]),
  rollCall: Type.Union([
    Type.Object({
      id: Type.String(),
      startedAt: Type.Number(),
      endedAt: Type.Union([Type.Number(), Type.Null()]),
      entries: Type.Array(AttendanceEntry),
    }),
    Type.Null(),
  ]),
  recording: Type.Union([RecordingNotice, Type.Null()]),
  dialOut: Type.Array(DialOutCall),
});
export type ControlState = Static<typeof ControlState>;

export const AuditEntry = Type.Object({
  at: Type.Number(),
  meetingId: Type.String(),
  actorUserId: Type.String(),
  actorName: Type.String(),
  actorSiteId: Type.String(),
  action: Type.String(),
  targetSiteId: Type.Union([Type.String(), Type.Null()]),
  detail: Type.Union([Type.String(), Type.Null()]),
});
export type AuditEntry = Static<typeof AuditEntry>;

/** GET /api/meetings/:id/audit: the chair actions of a meeting, oldest first. */
export const AuditReply = Type.Object({ ok: Type.Literal(true), entries: Type.Array(AuditEntry) });
export type AuditReply = Static<typeof AuditReply>;
