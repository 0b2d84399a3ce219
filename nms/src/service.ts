// Wires config, store, domain and adapters into a running nms, one named step at a time
// (each in wiring/). main.ts and the integration tests both use it; only main.ts reads the
// environment.
import { createMetricsRegistry, HealthRegistry, type Logger } from '@lienthong/kit';
import type { FastifyInstance } from 'fastify';
import type { NmsConfig } from './config/schema';
import { type Clock, systemClock } from './domain/clock';
import type { EventLog } from './domain/events';
import type { Inventory } from './domain/inventory';
import type { Monitor, SiteInfo } from './domain/monitor';
import { type AppDeps, buildApp } from './http/app';
import type { KeySource } from './http/auth';
import { exposition, TextFamilies } from './metrics/families';
import { type NmsMetrics, registerNmsMetrics } from './metrics/nms-metrics';
import type { Prober } from './probes/fping';
import type { Poller } from './snmp/poller';
import type { NmsStore } from './store/db';
import { memorySeries, prometheusSeries } from './timeseries/sources';
import { sessionKeys } from './wiring/auth';
import { DemoStatus } from './wiring/demo';
import { followSfuServerSites } from './wiring/follow-sites';
import { Stoppers } from './wiring/lifecycle';
import { startPoller } from './wiring/poller';
import { startProbes } from './wiring/probes';
import { whenSitesKnown } from './wiring/sites-known';
import { createDomain, initialTree, openStore } from './wiring/state';
import { startEvaluationLoop, startEventPruning } from './wiring/timers';
import { startTraps } from './wiring/traps';

export interface NmsOptions {
  config: NmsConfig;
  logger: Logger;
  clock?: Clock;
  /** Overrides auth.publicKeyFile/Url (tests). */
  keys?: KeySource;
  /** A fixed site tree (tests): then sfu-server's directory is not followed. */
  sites?: SiteInfo[];
  /** Makes the HTTPS server (main.ts); absent: plain fastify (tests that inject). */
  serverFactory?: AppDeps['serverFactory'];
}

export interface Nms {
  app: FastifyInstance;
  store: NmsStore;
  inventory: Inventory;
  monitor: Monitor;
  poller: Poller;
  prober: Prober | null;
  metrics: NmsMetrics;
  events: EventLog;
  close(): Promise<void>;
}

export async function createNms(o: NmsOptions): Promise<Nms> {
  const { config } = o;
  const clock = o.clock ?? systemClock;
  const stoppers = new Stoppers();
  const { store } = openStore(config);
  try {
    return await wire(o, clock, store, stoppers);
  } catch (e) {
    await stoppers.stopAll();
    store.close();
    throw e;
  }
}

async function wire(o: NmsOptions, clock: Clock, store: NmsStore, stoppers: Stoppers): Promise<Nms> {
  const { config, logger } = o;
  const tree = initialTree(store, o.sites);
  const { inventory, events, monitor } = createDomain(config, store, clock, tree);
  const registry = createMetricsRegistry();
  const families = new TextFamilies();
  const metrics = registerNmsMetrics(registry, families, inventory, monitor);
  const health = new HealthRegistry();
  health.register('store', () => (store.ping() ? { ok: true } : { ok: false, reason: 'SQLite store does not answer' }));

  const demo = new DemoStatus();
  if (config.demo.enabled) demo.register(health);
  whenSitesKnown(config, tree, inventory, demo, logger, stoppers);
  if (!o.sites && config.sites.followSfuServer) followSfuServerSites(config, store, tree, logger, stoppers);
  const poller = startPoller(config, { inventory, monitor, metrics, health }, logger, stoppers);
  startEvaluationLoop(monitor, stoppers);
  startEventPruning(config, store, clock, stoppers);
  if (config.traps.enabled)
    startTraps(config, { clock, inventory, monitor, events, metrics, confirm: (id) => poller.confirm(id) }, logger, stoppers);
  const prober = config.probes.enabled ? startProbes(config, { inventory, monitor, metrics, health }, logger, stoppers) : null;
  const keys = await sessionKeys(config, o.keys, health, logger, stoppers);

  const app = await buildApp({
    ...(o.serverFactory ? { serverFactory: o.serverFactory } : {}),
    logger,
    health,
    metrics: exposition(registry, families),
    metricsToken: config.metrics.token,
    bodyLimit: config.http.bodyLimit,
    inventory,
    monitor,
    store,
    keys,
    series: config.timeseries.prometheusUrl ? prometheusSeries(config.timeseries.prometheusUrl) : memorySeries(monitor, () => clock.now()),
    pollNow: (id) => poller.confirm(id),
    events,
    alertsToken: config.alerts.webhookToken,
  });

  return {
    app,
    store,
    inventory,
    monitor,
    poller,
    prober,
    metrics,
    events,
    async close() {
      await stoppers.stopAll();
      await app.close();
      store.close();
    },
  };
}
