// Composition root: the only place that reads process.env and wires config,
// logger and adapters together.
import { mkdirSync } from 'node:fs';
import { availableParallelism, networkInterfaces } from 'node:os';
import { resolve } from 'node:path';
import { createLogger, createMetricsRegistry, HealthRegistry, loadConfigOrExit, parseStartupArgs, redactConfig } from '@lienthong/kit';
import type { FastifyInstance } from 'fastify';
import { SfuConfigSchema, sfuDefaults } from './config/schema';
import { createCore } from './core';
import { buildApp } from './http/app';
import { registerNmsProxy } from './http/nms-proxy';
import { registerApiRoutes } from './http/routes';
import { MediaPortsTakenError } from './media/port-wait';
import { MediaWorkerPool } from './media/worker-pool';
import { registerSfuMetrics } from './metrics/sfu-metrics';
import { meetingAccess } from './signalling/meeting-access';
import { attachSignalling } from './signalling/server';

const args = parseStartupArgs(process.argv.slice(2), process.env.LIENTHONG_SFU_CONFIG);
const config = loadConfigOrExit('sfu-server', args, SfuConfigSchema, sfuDefaults);
const logger = createLogger({ service: 'sfu-server', level: config.log.level });
logger.info({ config: redactConfig(SfuConfigSchema, config) }, 'starting sfu-server');

const dataDir = resolve(config.dataDir);
mkdirSync(dataDir, { recursive: true });
const health = new HealthRegistry();
const metrics = createMetricsRegistry();

const core = await createCore({ dataDir, auth: config.auth, demoSeed: config.demo.seed, logger: logger.child({ component: 'core' }) });
health.register('store', () => (core.store.ping() ? { ok: true } : { ok: false, reason: 'SQLite store does not answer' }));

const workers = config.media.workers || availableParallelism();
// Browsers need a reachable address in ICE candidates: default to this machine's first LAN address.
const firstLanAddress = () =>
  Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address ?? '127.0.0.1';
const announcedAddress = config.media.announcedAddress || (config.media.listenIp === '0.0.0.0' ? firstLanAddress() : config.media.listenIp);
const pool = new MediaWorkerPool({
  workers,
  listenIp: config.media.listenIp,
  announcedAddress,
  basePort: config.media.basePort,
  logLevel: config.media.logLevel,
  logger: logger.child({ component: 'media' }),
});
let signalling: ReturnType<typeof attachSignalling> | undefined;

/** A taken port is an operator's matter: one line saying what to do, no stack trace, exit 1. */
const cannotStart = async (reason: string): Promise<never> => {
  console.error(`sfu-server: cannot start: ${reason}`);
  await signalling?.close();
  await pool.close();
  core.close();
  process.exit(1);
};

await pool.start().catch((e) => (e instanceof MediaPortsTakenError ? cannotStart(e.message) : Promise.reject(e)));
health.register('mediasoup', () =>
  pool.all().length === workers ? { ok: true } : { ok: false, reason: `${pool.all().length} of ${workers} mediasoup workers alive` },
);
const sfuMetrics = registerSfuMetrics(metrics, pool, () => signalling?.conference);

const app = await buildApp({
  logger,
  health,
  metrics,
  bodyLimit: config.http.bodyLimit,
  allowedOrigins: config.http.allowedOrigins,
  metricsToken: config.metrics.token,
  webRoot: config.webRoot,
  routes: [
    (a) => registerApiRoutes(a, core),
    ...(config.nms.url ? [(a: FastifyInstance) => registerNmsProxy(a, config.nms.url, config.nms.bodyLimit)] : []),
  ],
});

signalling = attachSignalling({
  httpServer: app.server,
  allowedOrigins: config.http.allowedOrigins,
  pool,
  logger: logger.child({ component: 'signalling' }),
  authenticate: (token) => core.tokens.verify(token),
  meetings: meetingAccess(core),
  maxPeersPerRouter: config.media.maxPeersPerRouter,
  graceMs: config.media.reconnectGraceSeconds * 1000,
  limits: config.limits,
  counters: { onRequest: sfuMetrics.request, onError: sfuMetrics.requestError, onJoinFailure: sfuMetrics.joinFailure },
});

let shuttingDown = false;
const shutdown = async (signal: string) => {
  // npm start's Ctrl-C reaches us twice (SIGINT from the terminal, SIGTERM from the launcher).
  if (shuttingDown) return;
  shuttingDown = true;
  logger.info({ signal }, 'shutting down');
  await signalling?.close();
  await app.close();
  await pool.close();
  core.close();
  process.exit(0);
};
process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('SIGTERM', () => void shutdown('SIGTERM'));

const { host, port } = config.http;
await app
  .listen({ host, port })
  .catch((e: NodeJS.ErrnoException) =>
    e.code === 'EADDRINUSE'
      ? cannotStart(
          `HTTP port ${port} (${host}) is in use. Is another sfu-server running? See what holds it: ss -ltnp 'sport = :${port}'. Or set http.port.`,
        )
      : Promise.reject(e),
  );
logger.info(`sfu-server listening on http://${config.http.host}:${config.http.port}`);
