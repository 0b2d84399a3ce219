import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AppError, tokenFromRequest } from '@lienthong/kit';
import type { FastifyInstance } from 'fastify';
import type { Core } from '../../core';
import { LoginBody, type LoginReply, type MeReply, REVOCATIONS_PATH, RevocationsQuery, type RevocationsReply } from '../../protocol/auth';
import type { OkReply } from '../../protocol/errors';
import { PUBLIC_KEY_PATH } from '../../protocol/session';
import { ChangeOwnPasswordBody } from '../../protocol/users';
import { clearSessionCookie, requireCaller, setSessionCookie } from './context';

export function authRoutes(app: FastifyInstance, core: Core): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post('/api/auth/login', { schema: { body: LoginBody } }, async (req, reply): Promise<LoginReply> => {
    const user = await core.accounts.authenticate(req.body.username, req.body.password);
    const site = core.sites.get(user.siteId);
    const issued = await core.tokens.sign(user, site.code);
    setSessionCookie(req, reply, issued.token, core.sessionTtlSeconds);
    req.log.info({ userId: user.id, siteCode: site.code }, 'login');
    return { ok: true, token: issued.token, expiresAt: issued.expiresAt, user: core.accounts.view(user), site };
  });

  // Idempotent: a stale or missing token still clears the cookie.
  r.post('/api/auth/logout', async (req, reply): Promise<OkReply> => {
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
  });

  r.get(REVOCATIONS_PATH, { logLevel: 'warn', schema: { querystring: RevocationsQuery } }, async (req): Promise<RevocationsReply> => {
    const now = core.clock.now().toISOString();
    const since = req.query.since ?? new Date(0).toISOString();
    const revoked = core.store.listRevokedSessions(since, now).map((r) => ({ sid: r.id, revokedAt: r.revokedAt, expiresAt: r.expiresAt }));
    return { ok: true, now, revoked };
  });

  r.get('/api/auth/me', async (req): Promise<MeReply> => {
    const { session } = await requireCaller(core, req);
    return {
      ok: true,
      user: core.accounts.view(session.user),
      site: core.sites.get(session.user.siteId),
      sitePath: core.sites.path(session.user.siteId),
      expiresAt: new Date(session.exp * 1000).toISOString(),
    };
  });

  r.post('/api/auth/password', { schema: { body: ChangeOwnPasswordBody } }, async (req): Promise<OkReply> => {
    const { actor, session } = await requireCaller(core, req);
    await core.accounts.changeOwnPassword(actor, req.body.currentPassword, req.body.newPassword, session.sid);
    return { ok: true };
  });

  // Public on purpose: nms and other verifiers fetch it to check tokens without a shared secret.
  r.get(PUBLIC_KEY_PATH, async (_req, reply) => reply.type('application/x-pem-file').send(core.tokens.publicKeyPem));
}
