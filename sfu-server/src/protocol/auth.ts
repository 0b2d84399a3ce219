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
});
export type LoginReply = Static<typeof LoginReply>;

export const MeReply = Type.Object({
  ok: Type.Literal(true),
  user: User,
  site: Site,
  /** Root first, ending with the user's own site. */
  sitePath: Type.Array(Site),
  expiresAt: Type.String(),
});
export type MeReply = Static<typeof MeReply>;

export { REVOCATIONS_PATH, RevocationsQuery, RevocationsReply } from '@lienthong/kit/contracts';
