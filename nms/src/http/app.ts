// Fastify app factory, separate from main.ts so tests can `inject` or listen on port 0.
import type { RequestListener, Server } from 'node:http';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  type Exposition,
  type HealthRegistry,
  installBrowserGuards,
  installErrorHandler,
  installNotFound,
  type Logger,
  registerOpsRoutes,
} from '@lienthong/kit';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { type ApiDeps, apiRoutes } from './routes/api';

export interface AppDeps extends ApiDeps {
  logger: Logger;
  health: HealthRegistry;
  metrics: Exposition;
  /** Bearer token for /metrics (config metrics.token); empty: direct scrapes from this machine only. */
  metricsToken?: string;
  bodyLimit: number;
  /** Makes the HTTPS server (kit/tls httpsServerFactory); absent in tests that only inject. */
  serverFactory?: (handler: RequestListener) => Server;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: deps.bodyLimit,
    ...(deps.serverFactory ? { serverFactory: deps.serverFactory } : {}),
  }).withTypeProvider<TypeBoxTypeProvider>();
  installErrorHandler(app);
  // Browsers reach nms through sfu-server's proxy; cookies of the host still reach this port directly.
  installBrowserGuards(app);
  registerOpsRoutes(app, { health: deps.health, metrics: deps.metrics, metricsToken: deps.metricsToken });
  await apiRoutes(app, deps);
  installNotFound(app);
  return app;
}
