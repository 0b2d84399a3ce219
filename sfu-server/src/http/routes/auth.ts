// auth.* routes: login, logout, who am I, own password, and what verifiers (nms) follow.
import { AppError, tokenFromRequest } from '@lienthong/kit';
import type { Core } from '../../core';
import { clearSessionCookie, type SfuHandlers, setSessionCookie } from './context';

export function authHandlers(core: Core, opts: { networkMonitoring: boolean }): SfuHandlers<'auth'> {
  return {
    'auth.login': async ({ body, req, reply }) => {
      const user = await core.accounts.authenticate(body.username, body.password, req.ip);
      const site = core.sites.get(user.siteId);
      const issued = await core.tokens.sign(user, site.code);
      setSessionCookie(req, reply, issued.token, core.sessionTtlSeconds);
      req.log.info({ userId: user.id, siteCode: site.code }, 'login');
      const mustChangePassword = user.mustChangePassword;
      return { ok: true, token: issued.token, expiresAt: issued.expiresAt, user: core.accounts.view(user), site, mustChangePassword };
    },

    'auth.logout': async ({ req, reply }) => {
      const token = tokenFromRequest(req.headers);
      if (token) {
        try {
          const s = await core.tokens.verify(token);
          core.tokens.revoke(s.sid);
          req.log.info({ userId: s.sub }, 'logout');
        } catch (e) {
          if (!(e instanceof AppError)) throw e;
        }
      }
      clearSessionCookie(req, reply);
      return { ok: true };
    },

    'auth.revocations': ({ query }) => {
      const now = core.clock.now().toISOString();
      const since = query.since ?? new Date(0).toISOString();
      const revoked = core.store
        .listRevokedSessions(since, now)
        .map((r) => ({ sid: r.id, revokedAt: r.revokedAt, expiresAt: r.expiresAt }));
      return { ok: true, now, revoked };
    },

    'auth.me': ({ caller: { session } }) => ({
      ok: true,
      user: core.accounts.view(session.user),
      site: core.sites.get(session.user.siteId),
      sitePath: core.sites.path(session.user.siteId),
      expiresAt: new Date(session.exp * 1000).toISOString(),
      mustChangePassword: session.user.mustChangePassword,
      networkMonitoring: opts.networkMonitoring,
    }),

    'auth.password': async ({ body, caller: { actor, session }, req, reply }) => {
      const wasRequired = await core.accounts.changeOwnPassword(actor, body.currentPassword, body.newPassword, session.sid);
      if (!wasRequired) return { ok: true };
      // This session's token says "must change" to nms: replace it by one that does not.
      const user = core.accounts.record(actor.sub);
      const issued = await core.tokens.sign(user, core.sites.get(user.siteId).code);
      core.tokens.revoke(session.sid);
      setSessionCookie(req, reply, issued.token, core.sessionTtlSeconds);
      req.log.info({ userId: user.id }, 'required password change done');
      return { ok: true, token: issued.token, expiresAt: issued.expiresAt };
    },

    'auth.publicKey': () => core.tokens.publicKeyPem,
  };
}
