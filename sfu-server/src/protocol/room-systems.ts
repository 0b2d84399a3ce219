// Meeting-room codecs (SIP room systems) over REST: registered at a site; each meeting has a number
// they dial (`<number>@<server>`).
import Type, { type Static } from 'typebox';
import { Id, SiteCode } from './sites';

export const RoomSystem = Type.Object({
  id: Type.String(),
  siteId: Type.String(),
  name: Type.String(),
  /** The user part of the SIP URI it calls from (`sip:<sipUser>@…`). */
  sipUser: Type.String(),
  /** When set, calls are taken only from this IPv4 address. */
  address: Type.Union([Type.String(), Type.Null()]),
  /** Where it answers SIP, with `address`: the chair can call it (dial-out). Null: 5060. */
  sipPort: Type.Union([Type.Integer(), Type.Null()]),
  createdAt: Type.String(),
});
export type RoomSystem = Static<typeof RoomSystem>;

/** Whether a room system is there: it answered SIP OPTIONS lately, or is in a call now. */
export const RoomSystemStatus = Type.Object({
  /** unknown: not asked yet, or it has no address to ask. */
  reachability: Type.Union([Type.Literal('reachable'), Type.Literal('unreachable'), Type.Literal('unknown')]),
  /** Round trip of its last answer to OPTIONS. */
  rttMs: Type.Union([Type.Number(), Type.Null()]),
  /** When it was last asked (ISO). */
  checkedAt: Type.Union([Type.String(), Type.Null()]),
  inCall: Type.Boolean(),
});
export type RoomSystemStatus = Static<typeof RoomSystemStatus>;

export const SipUser = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._~+-]+$' });
export const CreateRoomSystemBody = Type.Object(
  {
    siteId: Id,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    sipUser: SipUser,
    address: Type.Optional(Type.String({ pattern: '^((25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])$' })),
    sipPort: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
  },
  { additionalProperties: false },
);
export type CreateRoomSystemBody = Static<typeof CreateRoomSystemBody>;
export const RoomSystemParams = Type.Object({ id: Type.String({ pattern: '^[0-9a-f-]{36}$' }) });
export const RoomSystemListQuery = Type.Object({ siteId: Type.Optional(Id) }, { additionalProperties: false });
export const RoomSystemList = Type.Object({ ok: Type.Literal(true), roomSystems: Type.Array(RoomSystem) });
export type RoomSystemList = Static<typeof RoomSystemList>;
/** The numbers of a room system's call now, as the server measures them. */
export const RoomCallNumbers = Type.Object({
  meetingId: Type.String(),
  meetingTitle: Type.String(),
  rttMs: Type.Union([Type.Number(), Type.Null()]),
  lossFraction: Type.Number(),
  jitterMs: Type.Union([Type.Number(), Type.Null()]),
  /** What mediasoup sends toward the room (RTCP only: the pipeline sends its return media) and receives from it. */
  sendBps: Type.Number(),
  recvBps: Type.Number(),
});
export type RoomCallNumbers = Static<typeof RoomCallNumbers>;
/** For the network engineers' site view: each codec of a site, whether it answers, and its call. */
export const WatchedRoomSystem = Type.Object({
  id: Type.String(),
  name: Type.String(),
  sipUser: Type.String(),
  address: Type.Union([Type.String(), Type.Null()]),
  sipPort: Type.Union([Type.Integer(), Type.Null()]),
  /** Null: SIP is off on this server, nobody watches. */
  status: Type.Union([RoomSystemStatus, Type.Null()]),
  call: Type.Union([RoomCallNumbers, Type.Null()]),
});
export type WatchedRoomSystem = Static<typeof WatchedRoomSystem>;
export const RoomSystemWatchQuery = Type.Object({ siteCode: SiteCode }, { additionalProperties: false });
export const RoomSystemWatchList = Type.Object({ ok: Type.Literal(true), roomSystems: Type.Array(WatchedRoomSystem) });
export type RoomSystemWatchList = Static<typeof RoomSystemWatchList>;
export const RoomSystemReply = Type.Object({ ok: Type.Literal(true), roomSystem: RoomSystem });
export type RoomSystemReply = Static<typeof RoomSystemReply>;

export const DialIn = Type.Object({
  ok: Type.Literal(true),
  /** What a room system dials: `<number>@<host>`. */
  number: Type.String(),
  /** The SIP URI with this server's SIP address; null when SIP is off. */
  uri: Type.Union([Type.String(), Type.Null()]),
  /** The room systems of the invited sites; those with an address can be called from the console. */
  rooms: Type.Array(
    Type.Object({ id: Type.String(), name: Type.String(), siteId: Type.String(), siteName: Type.String(), dialable: Type.Boolean() }),
  ),
});
export type DialIn = Static<typeof DialIn>;
