// Wires config, store, domain and adapters into a running nms. main.ts and the
// integration tests both use it; only main.ts reads the environment.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createMetricsRegistry, HealthRegistry, type Logger } from '@lienthong/kit';
import { REVOCATIONS_PATH, SITE_DIRECTORY_PATH } from '@lienthong/kit/contracts';
import { thaiNguyenSeed } from '@lienthong/sfu-server/seed';
import type { FastifyInstance } from 'fastify';
import type { NmsConfig } from './config/schema';
import { demoPlan, startSnmpsim } from './demo/demo';
import { type Clock, systemClock } from './domain/clock';
import { EventLog, RateLimiter } from './domain/events';
import { Inventory } from './domain/inventory';
import { Monitor, type SiteInfo } from './domain/monitor';
import { buildApp } from './http/app';
import { type KeySource, keyFromFile, keyFromUrl, revocationsFromUrl } from './http/auth';
import { parseInventoryFile } from './inventory-file';
import { type NmsMetrics, registerNmsMetrics } from './metrics/nms-metrics';
import { Prober } from './probes/fping';
import { followSiteDirectory } from './sites-sync';
import { Poller } from './snmp/poller';
import { startTrapReceiver } from './snmp/traps';
import { NmsStore } from './store/db';
import { memorySeries, prometheusSeries } from './timeseries/sources';

export interface NmsOptions {
  config: NmsConfig;
  logger: Logger;
  clock?: Clock;
  /** Overrides auth.publicKeyFile/Url (tests). */
  keys?: KeySource;
  sites?: SiteInfo[];
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
  const { config, logger } = o;
  const clock = o.clock ?? systemClock;
  const dataDir = resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const store = new NmsStore(join(dataDir, 'nms.sqlite'));
  // The tree: given (tests), else as last read from sfu-server, else the seed until sfu-server answers.
  const cached = !o.sites && config.sites.followSfuServer ? store.loadSites() : [];
  const sites: SiteInfo[] =
    o.sites ?? (cached.length > 0 ? cached : thaiNguyenSeed().map((s) => ({ code: s.code, name: s.name, parentCode: s.parentCode })));
  let siteCodes = new Set(sites.map((s) => s.code));
  const inventory = new Inventory(
    store,
    () => siteCodes,
    {
      pollIntervalSeconds: config.snmp.defaultIntervalSeconds,
      timeoutMs: config.snmp.defaultTimeoutMs,
      retries: config.snmp.defaultRetries,
    },
    randomUUID,
  );
  const events = new EventLog(store, clock, config.events.dedupWindowSeconds * 1000);
  const h = config.health;
  const monitor = new Monitor(
    inventory,
    events,
    clock,
    sites,
    {
      utilisationRatio: h.utilisationRatio,
      utilisationForMs: h.utilisationForMinutes * 60_000,
      flapChanges: h.flapChanges,
      flapWindowMs: h.flapWindowMinutes * 60_000,
      lossRatio: h.lossRatio,
      rttMs: h.rttMs,
      errorsPerSecond: h.errorsPerSecond,
    },
    config.timeseries.memoryPoints,
  );
  const registry = createMetricsRegistry();
  const metrics = registerNmsMetrics(registry, inventory, monitor);
  const health = new HealthRegistry();
  health.register('store', () => (store.ping() ? { ok: true } : { ok: false, reason: 'SQLite store does not answer' }));

  const stoppers: (() => void | Promise<void>)[] = [];

  // Demo agents and inventory first, so the poller starts with them.
  if (config.demo.enabled) {
    // The seeded sites in seed order (a tree read back from sfu-server may be ordered otherwise),
    // so the demo always cuts the same district's uplink.
    const known = new Set(sites.map((s) => s.code));
    const plan = demoPlan(
      thaiNguyenSeed().filter((s) => known.has(s.code)),
      config.demo.basePort,
      config.demo.districts,
    );
    const child = startSnmpsim(join(dataDir, 'demo-agents'), config.demo.basePort, plan.files);
    child.on('exit', (code) => logger.warn({ code }, 'demo snmpsimd exited'));
    child.on('error', (e) => logger.warn({ err: e.message }, 'demo snmpsimd could not start (is snmpsim installed?)'));
    stoppers.push(() => {
      child.kill('SIGTERM');
    });
    inventory.import(plan.inventory);
    logger.info(
      { devices: plan.inventory.devices?.length, port: config.demo.basePort },
      'DEMO: simulated devices started (snmpsimd), flagged demo',
    );
  }

  // The operator's own inventory file, applied at start (after the demo, so it can override names).
  if (config.inventory.importFile) {
    const file = config.inventory.importFile;
    const format = /\.json$/i.test(file) ? 'json' : 'yaml';
    const res = inventory.import(parseInventoryFile(readFileSync(file, 'utf8'), format));
    logger.info({ file, ...res }, 'inventory file imported');
  }

  if (!o.sites && config.sites.followSfuServer) {
    const sync = followSiteDirectory(
      new URL(SITE_DIRECTORY_PATH, config.auth.publicKeyUrl).toString(),
      config.sites.pollSeconds * 1000,
      logger.child({ component: 'sites' }),
      (next) => {
        store.saveSites(next);
        siteCodes = new Set(next.map((s) => s.code));
        monitor.setSites(next);
        logger.info({ sites: next.length }, 'site tree updated from sfu-server');
      },
    );
    stoppers.push(() => sync.stop());
  }

  const poller = new Poller({
    concurrency: config.snmp.concurrency,
    limits: {
      maxVarbinds: config.snmp.maxVarbindsPerRequest,
      maxInterfaces: config.snmp.maxInterfaces,
      maxPdus: config.snmp.maxRequestsPerWalk,
    },
    logger: logger.child({ component: 'poller' }),
    hooks: {
      onResult: (d, snap) => monitor.onPoll(d, snap),
      onError: (d, code, msg) => monitor.onPollError(d, code, msg),
      onPollDone: ({ device, seconds, code, pdus, varbinds }) => {
        metrics.pollDuration.observe({ outcome: code }, seconds);
        metrics.pdusSent.inc(pdus);
        metrics.varbinds.inc(varbinds);
        if (code === 'SNMP_TIMEOUT') metrics.pollTimeouts.inc({ device: device.name });
      },
      onSkipped: () => metrics.pollsSkipped.inc(),
    },
  });
  poller.setDevices(inventory.devices());
  inventory.onChange(() => poller.setDevices(inventory.devices()));
  poller.start();
  stoppers.push(() => poller.stop());
  health.register('poller', () =>
    poller.queued > config.snmp.concurrency * 20
      ? { ok: false, reason: `${poller.queued} polls waiting: poller cannot keep up` }
      : { ok: true },
  );

  // Time-based link conditions (15 minutes of high utilisation) need re-evaluation without new polls.
  const evalTimer = setInterval(() => monitor.evaluateAll(), 30_000);
  evalTimer.unref();
  stoppers.push(() => clearInterval(evalTimer));
  const pruneTimer = setInterval(() => store.pruneEvents(clock.now() - config.events.keepDays * 86_400_000), 3_600_000);
  pruneTimer.unref();
  stoppers.push(() => clearInterval(pruneTimer));

  if (config.traps.enabled) {
    const limiter = new RateLimiter(clock, config.traps.perSourcePerSecond, config.traps.perSourceBurst);
    const floodNoted = new Set<string>();
    const rx = startTrapReceiver({
      port: config.traps.port,
      address: config.traps.host,
      communities: config.traps.communities,
      users: config.traps.users,
      ...(config.traps.engineID ? { engineID: config.traps.engineID } : {}),
      devices: () => inventory.devices(),
      logger: logger.child({ component: 'traps' }),
      onTrap: (t) => {
        const src = t.source.split(':')[0] ?? t.source;
        if (!limiter.allow(src)) {
          metrics.trapsDropped.inc({ reason: 'rate_limited' });
          if (!floodNoted.has(src)) {
            floodNoted.add(src);
            events.record({
              kind: 'trap_flood',
              severity: 'warning',
              source: 'trap',
              deviceId: t.deviceId,
              message: `trap flood from ${src}: excess traps dropped`,
              details: { source: src },
            });
            setTimeout(() => floodNoted.delete(src), 60_000).unref();
          }
          return;
        }
        metrics.trapsReceived.inc({ kind: t.kind, version: t.varbinds.length >= 0 ? (t.inform ? 'inform' : 'trap') : 'trap' });
        monitor.onTrap(t);
      },
      onBadMessage: (reason) => {
        metrics.trapsDropped.inc({ reason: /auth|digest|user|decrypt/i.test(reason) ? 'auth' : 'malformed' });
        logger.debug({ reason }, 'trap refused');
      },
    });
    stoppers.push(() => rx.close());
    logger.info({ port: config.traps.port }, 'trap receiver listening');
  }

  let prober: Prober | null = null;
  if (config.probes.enabled) {
    const p = new Prober({
      ...config.probes,
      targets: () =>
        inventory
          .devices()
          .filter((d) => d.probe)
          .map((d) => d.address),
      onStats: (target, stats) => monitor.onProbe(target, stats),
      onRound: (_s, ok) => metrics.probeRounds.inc({ outcome: ok ? 'ok' : 'failed' }),
      logger: logger.child({ component: 'probes' }),
    });
    p.start();
    stoppers.push(() => p.stop());
    health.register('probes', () => (p.lastError ? { ok: false, reason: `fping: ${p.lastError}` } : { ok: true }));
    prober = p;
  }

  let keys = o.keys;
  if (!keys) {
    if (config.auth.publicKeyFile) keys = await keyFromFile(config.auth.publicKeyFile);
    else {
      const k = keyFromUrl(config.auth.publicKeyUrl, config.auth.retrySeconds * 1000, logger.child({ component: 'auth' }));
      stoppers.push(() => k.stop());
      const revocations = revocationsFromUrl(
        new URL(REVOCATIONS_PATH, config.auth.publicKeyUrl).toString(),
        config.auth.revocationPollSeconds * 1000,
        logger.child({ component: 'auth' }),
      );
      stoppers.push(() => revocations.stop());
      keys = { ...k, current: () => k.current(), status: () => k.status(), isRevoked: revocations.isRevoked };
    }
  }
  const keySource = keys;
  health.register('auth', () => {
    const s = keySource.status();
    return s === 'ok' ? { ok: true } : { ok: false, reason: s };
  });

  const app = await buildApp({
    logger,
    health,
    metrics: registry,
    bodyLimit: config.http.bodyLimit,
    inventory,
    monitor,
    store,
    keys: keySource,
    series: config.timeseries.prometheusUrl ? prometheusSeries(config.timeseries.prometheusUrl) : memorySeries(monitor, () => clock.now()),
    pollNow: (id) => void poller.pollNow(id),
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
      for (const s of stoppers.reverse()) await s();
      await app.close();
      store.close();
    },
  };
}
