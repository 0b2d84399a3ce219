// Login, logout and "who am I".
import Type, { type Static } from 'typebox';
import { Site } from './sites';
import { User } from './users';

export const SESSION_COOKIE = 'lt_session';

export const LoginBody = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);
export type LoginBody = Static<typeof LoginBody>;

/** The token is also set as an HttpOnly cookie; the body copy is for socket.io auth. */
export const LoginReply = Type.Object({
  ok: Type.Literal(true),
  token: Type.String(),
  expiresAt: Type.String(),
  user: User,
  site: Site,
  /** A one-time password: the session may only change it (auth.password), see who it is and log out. */
  mustChangePassword: Type.Boolean(),
});
export type LoginReply = Static<typeof LoginReply>;

export const MeReply = Type.Object({
  ok: Type.Literal(true),
  user: User,
  site: Site,
  /** Root first, ending with the user's own site. */
  sitePath: Type.Array(Site),
  expiresAt: Type.String(),
  mustChangePassword: Type.Boolean(),
  /** Whether this server has network monitoring (nms.url set): without it, pages do not ask /api/nms. */
  networkMonitoring: Type.Boolean(),
});
export type MeReply = Static<typeof MeReply>;

/**
 * A changed password. When the change was the required one, the session that made it is replaced
 * (its token said "must change" to verifiers such as nms): the new token is here and in the cookie.
 */
export const PasswordChangedReply = Type.Object({
  ok: Type.Literal(true),
  token: Type.Optional(Type.String()),
  expiresAt: Type.Optional(Type.String()),
});
export type PasswordChangedReply = Static<typeof PasswordChangedReply>;

export { REVOCATIONS_PATH, RevocationsQuery, RevocationsReply } from '@lienthong/kit/contracts';
