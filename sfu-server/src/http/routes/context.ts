// Per-request authentication for the core routes: a bearer token or the lt_session
// cookie, verified (signature, expiry, revocation) and turned into a fresh Actor.
import { AppError, type GroupHandlers, tokenFromRequest } from '@lienthong/kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { VerifiedSession } from '../../auth/tokens';
import type { Core } from '../../core';
import { type OwnAccountAction, requirePasswordChanged } from '../../domain/accounts/one-time-password';
import type { Actor } from '../../domain/shared';
import { SESSION_COOKIE } from '../../protocol/auth';
import type { SfuRoutes } from '../../protocol/rest';

export interface Caller {
  session: VerifiedSession;
  actor: Actor;
}

/** The handlers of one group of the REST table (`meetings` for `meetings.*`). */
export type SfuHandlers<G extends string> = GroupHandlers<SfuRoutes, Caller, G>;

/** The routes a session whose password must change may still call (the rule is the domain's). */
const OWN_ACCOUNT: Partial<Record<string, OwnAccountAction>> = {
  'auth.me': 'whoami',
  'auth.password': 'change_password',
  'auth.logout': 'logout',
} satisfies Partial<Record<keyof SfuRoutes, OwnAccountAction>>;

export async function requireCaller(core: Core, req: FastifyRequest, route: string): Promise<Caller> {
  const token = tokenFromRequest(req.headers);
  if (!token) throw new AppError('UNAUTHENTICATED', 'Log in first', 401);
  const session = await core.tokens.verify(token);
  requirePasswordChanged(session.user, OWN_ACCOUNT[route]);
  // Roles and site from the store, not the token: a demoted user loses rights at once.
  return { session, actor: { sub: session.user.id, siteId: session.user.siteId, roles: session.user.roles } };
}

const isHttps = (req: FastifyRequest) => req.protocol === 'https' || req.headers['x-forwarded-proto'] === 'https';

export function setSessionCookie(req: FastifyRequest, reply: FastifyReply, token: string, maxAgeSeconds: number): void {
  const parts = [`${SESSION_COOKIE}=${encodeURIComponent(token)}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${maxAgeSeconds}`];
  if (isHttps(req)) parts.push('Secure');
  reply.header('set-cookie', parts.join('; '));
}

export function clearSessionCookie(req: FastifyRequest, reply: FastifyReply): void {
  const parts = [`${SESSION_COOKIE}=`, 'Path=/', 'HttpOnly', 'SameSite=Lax', 'Max-Age=0'];
  if (isHttps(req)) parts.push('Secure');
  reply.header('set-cookie', parts.join('; '));
}
