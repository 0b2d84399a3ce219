// Sessions are issued by sfu-server; nms verifies them with its Ed25519 public key
// (from a file, or fetched from sfu-server at start-up and retried until it answers).
import { readFileSync } from 'node:fs';
import {
  AppError,
  importPublicKeyPem,
  type Logger,
  tokenFromRequest,
  type VerifyKey,
  verifySessionToken,
} from '@lienthong/sfu-server/platform';
import type { FastifyRequest } from 'fastify';

export type SessionUser = Awaited<ReturnType<typeof verifySessionToken>>;

export interface KeySource {
  current(): VerifyKey | null;
  status(): string;
}

export function staticKey(key: VerifyKey): KeySource {
  return { current: () => key, status: () => 'ok' };
}

export async function keyFromFile(path: string): Promise<KeySource> {
  return staticKey(await importPublicKeyPem(readFileSync(path, 'utf8')));
}

/** Fetches the PEM in the background until it succeeds; stop() ends the retries. */
export function keyFromUrl(url: string, retryMs: number, logger: Logger): KeySource & { stop(): void; ready: Promise<void> } {
  let key: VerifyKey | null = null;
  let lastError = 'not fetched yet';
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let resolveReady!: () => void;
  const ready = new Promise<void>((r) => {
    resolveReady = r;
  });
  const attempt = async () => {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      key = await importPublicKeyPem(await res.text());
      logger.info({ url }, 'session public key loaded');
      resolveReady();
    } catch (e) {
      lastError = (e as Error).message;
      logger.warn({ url, err: lastError }, 'cannot fetch session public key; retrying');
      if (!stopped) {
        timer = setTimeout(() => void attempt(), retryMs);
        timer.unref();
      }
    }
  };
  void attempt();
  return {
    current: () => key,
    status: () => (key ? 'ok' : `public key from ${url} not loaded: ${lastError}`),
    stop: () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
    ready,
  };
}

export const EDITOR_ROLES = new Set(['admin', 'network_engineer']);

export async function authenticate(req: FastifyRequest, keys: KeySource): Promise<SessionUser> {
  const key = keys.current();
  if (!key) throw new AppError('AUTH_UNAVAILABLE', 'Session verification key not loaded yet', 503);
  const token = tokenFromRequest(req.headers);
  if (!token) throw new AppError('UNAUTHENTICATED', 'Log in first (Bearer token or lt_session cookie)', 401);
  return verifySessionToken(key, token);
}

export function requireEditor(user: SessionUser): void {
  if (!user.roles.some((r) => EDITOR_ROLES.has(r)))
    throw new AppError('FORBIDDEN', 'Editing the inventory needs the network_engineer or admin role', 403);
}
