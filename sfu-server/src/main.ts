// Composition root: the only place that reads process.env and wires config,
// logger and adapters together.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { SfuConfigSchema, sfuDefaults } from './config/schema';
import { createCore, registerCoreRoutes } from './core';
import { buildApp } from './http/app';
import { createLogger, createMetricsRegistry, HealthRegistry, loadConfigOrExit, parseStartupArgs, redactConfig } from './platform';

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

const app = await buildApp({
  logger,
  health,
  metrics,
  bodyLimit: config.http.bodyLimit,
  webRoot: config.webRoot,
  routes: [(a) => registerCoreRoutes(a, core)],
});

const shutdown = async (signal: string) => {
  logger.info({ signal }, 'shutting down');
  await app.close();
  core.close();
  process.exit(0);
};
process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('SIGTERM', () => void shutdown('SIGTERM'));

await app.listen({ host: config.http.host, port: config.http.port });
logger.info(`sfu-server listening on http://${config.http.host}:${config.http.port}`);
