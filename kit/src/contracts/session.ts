// Session tokens: issued by sfu-server (EdDSA / Ed25519 JWS), verified by nms with
// sfu-server's public key alone, so there is one login and no shared secret.
import Type, { type Static } from 'typebox';

export const Role = Type.Union([
  Type.Literal('admin'),
  Type.Literal('operator'),
  Type.Literal('chair'),
  Type.Literal('participant'),
  Type.Literal('network_engineer'),
]);
export type Role = Static<typeof Role>;

/** Claims carried in the token payload (besides the standard iat/exp/jti). */
export const SessionClaims = Type.Object({
  sub: Type.String({ description: 'user id' }),
  name: Type.String(),
  siteId: Type.String(),
  siteCode: Type.String({ description: 'stable ASCII site code' }),
  roles: Type.Array(Role),
  sid: Type.String({ description: 'session id, revoked at logout' }),
  /** The user logged in with a one-time password: verifiers refuse everything (PASSWORD_CHANGE_REQUIRED, 403). */
  mustChangePassword: Type.Optional(Type.Literal(true)),
});
export type SessionClaims = Static<typeof SessionClaims>;

export const TOKEN_ISSUER = 'lienthong-sfu-server';
export const TOKEN_AUDIENCE = 'lienthong';
/** Public key (SPKI PEM) for nms and other verifiers. */
export const PUBLIC_KEY_PATH = '/api/auth/public-key';
