import { describe, expect, it } from 'vitest';
import { makeApp, makeCore, tempDir } from './support/core';

describe('GET /api/auth/revocations', () => {
  it('lists sessions ended by logout until they would have expired, and validates `since`', async () => {
    const tmp = tempDir();
    try {
      const { core, clock } = await makeCore({ dataDir: tmp.dir });
      const app = await makeApp(core);
      const login = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'admin', password: 'admin-password-1' },
      });
      const token = login.json().token as string;
      const sid = (await core.tokens.verify(token)).sid;
      const before = (await app.inject('/api/auth/revocations')).json();
      expect(before.revoked).toEqual([]);
      await app.inject({ method: 'POST', url: '/api/auth/logout', headers: { authorization: `Bearer ${token}` } });
      clock.advance(1000);
      const after = (await app.inject('/api/auth/revocations')).json();
      expect(after.revoked.map((r: { sid: string }) => r.sid)).toEqual([sid]);
      // Incremental: nothing new since the last answer.
      const since = (await app.inject(`/api/auth/revocations?since=${encodeURIComponent(after.now)}`)).json();
      expect(since.revoked).toEqual([]);
      expect((await app.inject('/api/auth/revocations?since=yesterday')).statusCode).toBe(400);
      // Once the session would have expired anyway, it is no longer listed.
      clock.advance(core.sessionTtlSeconds * 1000 + 1000);
      expect((await app.inject('/api/auth/revocations')).json().revoked).toEqual([]);
      await app.close();
      core.close();
    } finally {
      tmp.cleanup();
    }
  });
});
