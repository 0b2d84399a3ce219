// User administration REST bodies.
import Type, { type Static } from 'typebox';
import { Role } from './session';
import { Id } from './sites';

export const USERNAME_REGEX = '^[a-z0-9][a-z0-9._-]{2,63}$';
export const Username = Type.String({ pattern: USERNAME_REGEX });
export const Password = Type.String({ minLength: 8, maxLength: 200 });
export const Roles = Type.Array(Role, { minItems: 1, maxItems: 5, uniqueItems: true });

export const User = Type.Object({
  id: Type.String(),
  username: Type.String(),
  displayName: Type.String(),
  siteId: Type.String(),
  roles: Type.Array(Role),
  disabled: Type.Boolean(),
  lockedUntil: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type User = Static<typeof User>;

export const UserList = Type.Object({ ok: Type.Literal(true), users: Type.Array(User) });
export type UserList = Static<typeof UserList>;
export const UserReply = Type.Object({ ok: Type.Literal(true), user: User });
export type UserReply = Static<typeof UserReply>;
export const UserParams = Type.Object({ id: Id });
export const UserListQuery = Type.Object({ siteId: Type.Optional(Id) }, { additionalProperties: false });

export const CreateUserBody = Type.Object(
  {
    username: Username,
    displayName: Type.String({ minLength: 1, maxLength: 200 }),
    siteId: Id,
    roles: Roles,
    password: Password,
  },
  { additionalProperties: false },
);
export type CreateUserBody = Static<typeof CreateUserBody>;

export const UpdateUserBody = Type.Object(
  {
    displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    siteId: Type.Optional(Id),
    roles: Type.Optional(Roles),
    disabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateUserBody = Static<typeof UpdateUserBody>;

/** Own password: the current one is required. */
export const ChangeOwnPasswordBody = Type.Object(
  { currentPassword: Type.String({ maxLength: 200 }), newPassword: Password },
  { additionalProperties: false },
);
export type ChangeOwnPasswordBody = Static<typeof ChangeOwnPasswordBody>;

/** Reset by an admin/operator who manages the user's site. Also unlocks. */
export const ResetPasswordBody = Type.Object({ newPassword: Password }, { additionalProperties: false });
export type ResetPasswordBody = Static<typeof ResetPasswordBody>;
