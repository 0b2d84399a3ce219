import Type, { type Static } from 'typebox';

/**
 * Sessions ended early (logout, password change, account disabled) that have not expired
 * yet, so a verifier holding only the public key (nms) can refuse them too.
 */
export const RevocationsQuery = Type.Object(
  { since: Type.Optional(Type.String({ format: 'date-time' })) },
  { additionalProperties: false },
);
export const RevocationsReply = Type.Object({
  ok: Type.Literal(true),
  /** Server time: pass it back as `since` next time. */
  now: Type.String(),
  revoked: Type.Array(Type.Object({ sid: Type.String(), revokedAt: Type.String(), expiresAt: Type.String() })),
});
export type RevocationsReply = Static<typeof RevocationsReply>;
export const REVOCATIONS_PATH = '/api/auth/revocations';
