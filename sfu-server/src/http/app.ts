// Fastify app factory, separate from main.ts so tests can `inject` or listen on port 0.
import { existsSync } from 'node:fs';
import type { RequestListener, Server } from 'node:http';
import { resolve } from 'node:path';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  type HealthRegistry,
  installBrowserGuards,
  installErrorHandler,
  installNotFound,
  type Logger,
  registerOpsRoutes,
} from '@lienthong/kit';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { serveWebApp } from './web-static';

export interface AppDeps {
  logger: Logger;
  health: HealthRegistry;
  metrics: Registry;
  bodyLimit: number;
  /** Origins besides the server's own whose pages may change state (config http.allowedOrigins). */
  allowedOrigins?: readonly string[];
  /** Bearer token for /metrics (config metrics.token); empty: direct scrapes from this machine only. */
  metricsToken?: string;
  webRoot?: string | undefined;
  /** Makes the HTTPS server (kit/tls httpsServerFactory); absent in tests that only inject. */
  serverFactory?: (handler: RequestListener) => Server;
  /** Feature routes (auth, sites, meetings...) registered by the composition root. */
  routes?: ((app: FastifyInstance) => void | Promise<void>)[];
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    // pino's Logger is a FastifyBaseLogger; the cast keeps the app type the default one.
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: deps.bodyLimit,
    ...(deps.serverFactory ? { serverFactory: deps.serverFactory } : {}),
  }).withTypeProvider<TypeBoxTypeProvider>();
  installErrorHandler(app);
  installBrowserGuards(app, { allowedOrigins: deps.allowedOrigins ?? [] });
  registerOpsRoutes(app, { health: deps.health, metrics: deps.metrics, metricsToken: deps.metricsToken });
  for (const r of deps.routes ?? []) await r(app);
  if (deps.webRoot && existsSync(resolve(deps.webRoot, 'index.html'))) {
    await serveWebApp(app, deps.webRoot);
  } else {
    installNotFound(app);
  }
  return app;
}
