// Routes and error handling every service's Fastify app shares.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import { fromForeignOrigin, isStateChanging, metricsReader, SECURITY_HEADERS } from './browser-guards';
import { AppError, toWireError } from './errors';
import type { HealthRegistry } from './health';

/** What /metrics serves: a prom-client registry, or anything that writes the same text (as a string or its UTF-8 bytes). */
export interface Exposition {
  contentType: Registry['contentType'];
  metrics(): Promise<string | Buffer>;
}

export interface OpsDeps {
  health: HealthRegistry;
  metrics: Exposition;
  /** Bearer token Prometheus sends for /metrics; empty: only direct scrapes from this machine. */
  metricsToken?: string | undefined;
}

export function registerOpsRoutes(app: FastifyInstance, deps: OpsDeps): void {
  app.get('/healthz', { logLevel: 'warn' }, async (_req, reply) => {
    const report = await deps.health.report();
    return reply.code(report.status === 'ok' ? 200 : 503).send(report);
  });
  app.get('/metrics', { logLevel: 'warn' }, async (req, reply) => {
    if (!metricsReader(deps.metricsToken, req.headers, req.socket.remoteAddress)) {
      reply.header('www-authenticate', 'Bearer realm="metrics"');
      throw new AppError('UNAUTHENTICATED', 'Metrics need the scrape token (metrics.token)', 401);
    }
    return reply.type(deps.metrics.contentType).send(await deps.metrics.metrics());
  });
}

/**
 * Refuses state-changing requests a page of another origin made the browser send (the session cookie
 * would go along), and adds the security headers to every reply that has not set its own.
 */
export function installBrowserGuards(app: FastifyInstance, opts: { allowedOrigins?: readonly string[] } = {}): void {
  const allowed = opts.allowedOrigins ?? [];
  app.addHook('onRequest', async (req) => {
    if (isStateChanging(req.method) && fromForeignOrigin(req.headers, allowed))
      throw new AppError('FORBIDDEN_ORIGIN', 'Requests from pages of another site are refused', 403);
  });
  app.addHook('onSend', async (_req, reply, payload) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) if (!reply.hasHeader(name)) reply.header(name, value);
    return payload;
  });
}

const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
};

/** Coded errors keep their status and code; validation errors become BAD_REQUEST; the rest is hidden. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | AppError, req, reply) => {
    if (err instanceof AppError) {
      const retry = (err.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
      if (typeof retry === 'number') reply.header('retry-after', String(retry));
      return reply.code(err.status).send({ ok: false, error: toWireError(err) });
    }
    const fe = err as FastifyError;
    if (fe.validation) {
      return reply.code(400).send({ ok: false, error: { code: 'BAD_REQUEST', message: fe.message } });
    }
    if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
      const code = FASTIFY_CODES[fe.code] ?? 'BAD_REQUEST';
      return reply.code(fe.statusCode).send({ ok: false, error: { code, message: fe.message } });
    }
    req.log.error({ err }, 'unhandled error');
    return reply.code(500).send({ ok: false, error: toWireError(err) });
  });
}

/** 404 for unknown routes; `fallback` may answer instead (e.g. a single-page app's index.html). */
export function installNotFound(app: FastifyInstance, fallback?: (req: FastifyRequest, reply: FastifyReply) => boolean): void {
  app.setNotFoundHandler((req, reply) => {
    if (fallback?.(req, reply)) return;
    reply.code(404).send({ ok: false, error: { code: 'NOT_FOUND', message: `No route ${req.method} ${req.url}` } });
  });
}
