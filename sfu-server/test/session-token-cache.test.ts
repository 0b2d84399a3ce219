// kit's verifySessionToken remembers signatures it checked (per key): a second use must still
// refuse what the first would have refused (expiry, another key, a tampered token).
import { verifySessionToken } from '@lienthong/kit';
import { generateKeyPair, SignJWT } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from '../src/protocol/session';

async function tokenFor(privateKey: Parameters<SignJWT['sign']>[0], expSeconds: number): Promise<string> {
  return new SignJWT({ name: 'Xã Cù Vân', siteId: 's1', siteCode: 'TN-DT-CUVAN', roles: ['participant'], sid: 'sess-1' })
    .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT' })
    .setSubject('u1')
    .setIssuer(TOKEN_ISSUER)
    .setAudience(TOKEN_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + expSeconds)
    .sign(privateKey);
}

afterEach(() => vi.useRealTimers());

describe('session token verification cache', () => {
  it('a cached token is refused once it expires, and its claims cannot be changed through a result', async () => {
    const { publicKey, privateKey } = await generateKeyPair('EdDSA');
    const token = await tokenFor(privateKey, 60);
    const first = await verifySessionToken(publicKey, token);
    first.roles.push('admin');
    const second = await verifySessionToken(publicKey, token);
    expect(second.roles).toEqual(['participant']);
    vi.useFakeTimers({ now: Date.now() + 61_000 });
    await expect(verifySessionToken(publicKey, token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('a token checked under one key is not taken under another', async () => {
    const a = await generateKeyPair('EdDSA');
    const b = await generateKeyPair('EdDSA');
    const token = await tokenFor(a.privateKey, 60);
    await verifySessionToken(a.publicKey, token);
    await expect(verifySessionToken(b.publicKey, token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    const tampered = `${token.slice(0, -4)}${token.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    await expect(verifySessionToken(a.publicKey, tampered)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});
