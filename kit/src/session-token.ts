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

type Verified = SessionClaims & { exp: number };

/**
 * Signatures already checked, per key: every REST call and socket carries its token again, and an
 * EdDSA verification costs about a millisecond. A new key starts an empty cache; expiry is checked
 * on every use. Revocation is the caller's (sfu-server checks its sessions table each time).
 */
const verifiedByKey = new WeakMap<VerifyKey, Map<string, Verified>>();
const MAX_CACHED = 2000;

/** Verified claims, or AppError UNAUTHENTICATED. */
export async function verifySessionToken(key: VerifyKey, token: string): Promise<Verified> {
  let cache = verifiedByKey.get(key);
  if (!cache) {
    cache = new Map();
    verifiedByKey.set(key, cache);
  }
  const hit = cache.get(token);
  if (hit) {
    if (hit.exp * 1000 > Date.now()) return { ...hit, roles: [...hit.roles] };
    cache.delete(token);
  }
  const verified = await verifyUncached(key, token);
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
  cache.set(token, verified);
  return { ...verified, roles: [...verified.roles] };
}

async function verifyUncached(key: VerifyKey, token: string): Promise<Verified> {
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
