// Meeting rooms (phòng họp, điểm cầu): each belongs to one site.
import Type, { type Static } from 'typebox';
import { Id } from './sites';

export const Room = Type.Object({
  id: Type.String(),
  siteId: Type.String(),
  name: Type.String(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type Room = Static<typeof Room>;

export const RoomName = Type.String({ minLength: 1, maxLength: 200 });
export const RoomList = Type.Object({ ok: Type.Literal(true), rooms: Type.Array(Room) });
export type RoomList = Static<typeof RoomList>;
export const RoomReply = Type.Object({ ok: Type.Literal(true), room: Room });
export type RoomReply = Static<typeof RoomReply>;
export const RoomParams = Type.Object({ id: Id });
export const RoomListQuery = Type.Object({ siteId: Type.Optional(Id) }, { additionalProperties: false });
export const CreateRoomBody = Type.Object({ siteId: Id, name: RoomName }, { additionalProperties: false });
export type CreateRoomBody = Static<typeof CreateRoomBody>;
export const UpdateRoomBody = Type.Object({ name: RoomName }, { additionalProperties: false });
export type UpdateRoomBody = Static<typeof UpdateRoomBody>;
