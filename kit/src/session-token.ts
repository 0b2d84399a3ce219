// Signing and verification of session tokens (see protocol/session.ts).
import { type CryptoKey, importSPKI, jwtVerify, type KeyObject } from 'jose';
import { SessionClaims, TOKEN_AUDIENCE, TOKEN_ISSUER } from './contracts/session';
import { AppError } from './errors';
import { createParser } from './validation';

const claimsParser = createParser(SessionClaims);

export type VerifyKey = CryptoKey | KeyObject;

export function importPublicKeyPem(pem: string): Promise<VerifyKey> {
  return importSPKI(pem, 'EdDSA');
}

/** Verified claims, or AppError UNAUTHENTICATED. */
export async function verifySessionToken(key: VerifyKey, token: string): Promise<SessionClaims & { exp: number }> {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, key, { issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE, algorithms: ['EdDSA'] }));
  } catch (e) {
    throw new AppError('UNAUTHENTICATED', `Invalid session token: ${(e as Error).message}`, 401);
  }
  const picked = {
    sub: payload.sub,
    name: payload.name,
    siteId: payload.siteId,
    siteCode: payload.siteCode,
    roles: payload.roles,
    sid: payload.sid,
    ...(payload.mustChangePassword === undefined ? {} : { mustChangePassword: payload.mustChangePassword }),
  };
  const r = claimsParser.parse(picked);
  if (!r.ok) throw new AppError('UNAUTHENTICATED', `Malformed session claims: ${r.problems.join('; ')}`, 401);
  return { ...r.value, exp: Number(payload.exp) };
}

/** Bearer token from an Authorization header or a `lt_session` cookie. */
export function tokenFromRequest(headers: Record<string, string | string[] | undefined>): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('Bearer ')) return auth.slice(7);
  const cookie = headers.cookie;
  if (typeof cookie === 'string') {
    for (const part of cookie.split(';')) {
      const [k, ...v] = part.trim().split('=');
      if (k === 'lt_session') return decodeURIComponent(v.join('='));
    }
  }
  return undefined;
}
