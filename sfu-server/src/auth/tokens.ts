// Session tokens: EdDSA JWS carrying SessionClaims. Verification checks the signature
// (as nms does with the public key alone) and then the sessions table, so logout and
// disabling an account take effect here at once.

import { randomUUID } from 'node:crypto';
import { verifySessionToken } from '@lienthong/kit';
import { SignJWT } from 'jose';
import type { AccountService } from '../domain/accounts/service';
import type { UserRecord } from '../domain/accounts/store';
import { type SessionClaims, TOKEN_AUDIENCE, TOKEN_ISSUER } from '../protocol/session';
import type { SigningKey } from './signing-key';

/** The subject of the tokens this server signs for itself (never a user id: those are UUIDs). */
export const SERVICE_SUBJECT = 'service:sfu-server';

export interface IssuedToken {
  token: string;
  claims: SessionClaims;
  expiresAt: string;
}

export type VerifiedSession = SessionClaims & { exp: number; user: UserRecord };

export interface TokenService {
  sign(user: UserRecord, siteCode: string): Promise<IssuedToken>;
  /** Signature, issuer, audience, expiry, then session not revoked and user still enabled. Throws AppError UNAUTHENTICATED. */
  verify(token: string): Promise<VerifiedSession>;
  /** Ends the session a token belongs to (logout). */
  revoke(sessionId: string): void;
  /**
   * A short-lived token for this server calling another service of ours (asking nms about the network
   * under live meetings): no user and no session row behind it, so it is never given to a browser.
   */
  signService(roles: SessionClaims['roles'], ttlSeconds: number): Promise<string>;
  readonly publicKeyPem: string;
}

export function createTokenService(key: SigningKey, accounts: AccountService, ttlSeconds: number): TokenService {
  return {
    publicKeyPem: key.publicKeyPem,
    async sign(user, siteCode) {
      const session = accounts.openSession(user.id, ttlSeconds);
      const claims: SessionClaims = {
        sub: user.id,
        name: user.displayName,
        siteId: user.siteId,
        siteCode,
        roles: [...user.roles],
        sid: session.id,
        ...(user.mustChangePassword ? { mustChangePassword: true as const } : {}),
      };
      const token = await new SignJWT({
        name: claims.name,
        siteId: claims.siteId,
        siteCode: claims.siteCode,
        roles: claims.roles,
        sid: claims.sid,
        ...(claims.mustChangePassword ? { mustChangePassword: true } : {}),
      })
        .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT' })
        .setSubject(user.id)
        .setIssuer(TOKEN_ISSUER)
        .setAudience(TOKEN_AUDIENCE)
        .setIssuedAt(Math.floor(Date.parse(session.createdAt) / 1000))
        .setExpirationTime(Math.floor(Date.parse(session.expiresAt) / 1000))
        .setJti(session.id)
        .sign(key.privateKey);
      return { token, claims, expiresAt: session.expiresAt };
    },
    async verify(token) {
      const { mustChangePassword: _fromToken, ...claims } = await verifySessionToken(key.publicKey, token);
      const user = accounts.checkSession(claims.sid, claims.sub);
      // The store, not the token, says whether the password must still change.
      return { ...claims, ...(user.mustChangePassword ? { mustChangePassword: true as const } : {}), user };
    },
    revoke(sessionId) {
      accounts.closeSession(sessionId);
    },
    async signService(roles, ttlSeconds) {
      const sid = `service-${randomUUID()}`;
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ name: 'sfu-server', siteId: '', siteCode: '', roles: [...roles], sid })
        .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT' })
        .setSubject(SERVICE_SUBJECT)
        .setIssuer(TOKEN_ISSUER)
        .setAudience(TOKEN_AUDIENCE)
        .setIssuedAt(now)
        .setExpirationTime(now + ttlSeconds)
        .setJti(sid)
        .sign(key.privateKey);
    },
  };
}
