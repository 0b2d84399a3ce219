// Sessions are issued by sfu-server; nms verifies them with its Ed25519 public key
// (from a file, or fetched from sfu-server at start-up and retried until it answers).
import { readFileSync } from 'node:fs';
import {
  AppError,
  createParser,
  importPublicKeyPem,
  type Logger,
  tokenFromRequest,
  type VerifyKey,
  verifySessionToken,
} from '@lienthong/kit';
import { RevocationsReply } from '@lienthong/kit/contracts';
import type { FastifyRequest } from 'fastify';
import { fetchOk, isUntrustedCertificate, repeat, type TrustedCa } from '../follow';

export type SessionUser = Awaited<ReturnType<typeof verifySessionToken>>;

export interface KeySource {
  current(): VerifyKey | null;
  status(): string;
  /** Sessions sfu-server ended early (logout, disabled account); absent when keys come from a file. */
  isRevoked?(sid: string): boolean;
}

export function staticKey(key: VerifyKey): KeySource {
  return { current: () => key, status: () => 'ok' };
}

export async function keyFromFile(path: string): Promise<KeySource> {
  return staticKey(await importPublicKeyPem(readFileSync(path, 'utf8')));
}

/** Fetches the PEM in the background until it succeeds; stop() ends the retries. */
export function keyFromUrl(
  url: string,
  retryMs: number,
  logger: Logger,
  caFile?: TrustedCa,
): KeySource & { stop(): void; ready: Promise<void> } {
  let key: VerifyKey | null = null;
  let lastError = 'not fetched yet';
  let untrusted = false;
  let loaded!: () => void;
  const ready = new Promise<void>((r) => {
    loaded = r;
  });
  const loop = repeat(
    async () => {
      key = await importPublicKeyPem(await (await fetchOk(url, caFile)).text());
      logger.info({ url }, 'session public key loaded');
      loaded();
    },
    retryMs,
    (e) => {
      lastError = e.message;
      untrusted = isUntrustedCertificate(e);
      logger.warn({ url, err: lastError, caFile }, 'cannot fetch session public key; retrying');
    },
    { untilOk: true },
  );
  return {
    current: () => key,
    // Health shows a stable code; the URL and the fetch error are in the log.
    status: () =>
      key
        ? 'ok'
        : lastError === 'not fetched yet'
          ? 'AUTH_KEY_PENDING: session key not fetched yet'
          : untrusted
            ? `AUTH_KEY_UNTRUSTED: the certificate at auth.publicKeyUrl is not trusted (auth.caFile): ${lastError}`
            : 'AUTH_KEY_UNAVAILABLE: cannot fetch the session key',
    stop: loop.stop,
    ready,
  };
}

/**
 * Follows sfu-server's list of sessions ended early, so a logged-out token stops
 * working here within one poll interval, not only when it expires.
 */
export function revocationsFromUrl(
  url: string,
  everyMs: number,
  logger: Logger,
  caFile?: TrustedCa,
): { isRevoked(sid: string): boolean; stop(): void } {
  const revoked = new Map<string, number>(); // sid -> expiry (ms)
  let since: string | undefined;
  const loop = repeat(
    async () => {
      const res = await fetchOk(since ? `${url}?since=${encodeURIComponent(since)}` : url, caFile);
      const parsed = revocationsParser.parse(await res.json());
      if (!parsed.ok) throw new Error(`not a revocation list: ${parsed.problems.slice(0, 3).join('; ')}`);
      const body = parsed.value;
      for (const r of body.revoked) revoked.set(r.sid, Date.parse(r.expiresAt));
      // Overlap by the poll interval: a revocation stamped just before `now` is never missed.
      since = new Date(Date.parse(body.now) - everyMs).toISOString();
      const now = Date.now();
      for (const [sid, exp] of revoked) if (exp < now) revoked.delete(sid);
    },
    everyMs,
    (e) => logger.warn({ url, err: e.message }, 'cannot fetch session revocations; keeping the last list'),
  );
  return { isRevoked: (sid) => revoked.has(sid), stop: loop.stop };
}

const revocationsParser = createParser(RevocationsReply);

export async function authenticate(req: FastifyRequest, keys: KeySource): Promise<SessionUser> {
  const key = keys.current();
  if (!key) throw new AppError('AUTH_UNAVAILABLE', 'Session verification key not loaded yet', 503);
  const token = tokenFromRequest(req.headers);
  if (!token) throw new AppError('UNAUTHENTICATED', 'Log in first (Bearer token or lt_session cookie)', 401);
  const user = await verifySessionToken(key, token);
  if (keys.isRevoked?.(user.sid)) throw new AppError('UNAUTHENTICATED', 'The session has ended (logged out)', 401);
  // Logged in with a one-time password (sfu-server's initial admin password, a reset): change it first.
  if (user.mustChangePassword) throw new AppError('PASSWORD_CHANGE_REQUIRED', 'Change your password first (at sfu-server)', 403);
  return user;
}
