// Meeting-room codecs (SIP room systems) over REST: registered at a site; each meeting has a number
// they dial (`<number>@<server>`).
import Type, { type Static } from 'typebox';
import { Id } from './sites';

export const RoomSystem = Type.Object({
  id: Type.String(),
  siteId: Type.String(),
  name: Type.String(),
  /** The user part of the SIP URI it calls from (`sip:<sipUser>@…`). */
  sipUser: Type.String(),
  /** When set, calls are taken only from this IPv4 address. */
  address: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
});
export type RoomSystem = Static<typeof RoomSystem>;

export const SipUser = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._~+-]+$' });
export const CreateRoomSystemBody = Type.Object(
  {
    siteId: Id,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    sipUser: SipUser,
    address: Type.Optional(Type.String({ pattern: '^((25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])$' })),
  },
  { additionalProperties: false },
);
export type CreateRoomSystemBody = Static<typeof CreateRoomSystemBody>;
export const RoomSystemParams = Type.Object({ id: Type.String({ pattern: '^[0-9a-f-]{36}$' }) });
export const RoomSystemListQuery = Type.Object({ siteId: Type.Optional(Id) }, { additionalProperties: false });
export const RoomSystemList = Type.Object({ ok: Type.Literal(true), roomSystems: Type.Array(RoomSystem) });
export type RoomSystemList = Static<typeof RoomSystemList>;
export const RoomSystemReply = Type.Object({ ok: Type.Literal(true), roomSystem: RoomSystem });
export type RoomSystemReply = Static<typeof RoomSystemReply>;

export const DialIn = Type.Object({
  ok: Type.Literal(true),
  /** What a room system dials: `<number>@<host>`. */
  number: Type.String(),
  /** The SIP URI with this server's SIP address; null when SIP is off. */
  uri: Type.Union([Type.String(), Type.Null()]),
});
export type DialIn = Static<typeof DialIn>;
