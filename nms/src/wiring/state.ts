// Steps 1-3: the store, the tree nms starts with, and the domain objects on top of them.
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { NmsConfig } from '../config/schema';
import type { Clock } from '../domain/clock';
import { EventLog } from '../domain/events';
import { Inventory } from '../domain/inventory';
import { Monitor, type SiteInfo } from '../domain/monitor';
import { NmsStore } from '../store/db';
import { SiteTree } from './site-tree';

export function openStore(config: NmsConfig): { store: NmsStore; dataDir: string } {
  const dataDir = resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true });
  return { store: new NmsStore(join(dataDir, 'nms.sqlite')), dataDir };
}

/** Given sites (tests) win; else the tree last read from sfu-server; else none yet. */
export function initialTree(store: NmsStore, given: SiteInfo[] | undefined): SiteTree {
  return new SiteTree(given ?? store.loadSites());
}

export function createDomain(config: NmsConfig, store: NmsStore, clock: Clock, tree: SiteTree) {
  const inventory = new Inventory(
    store,
    () => tree.codes,
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
    tree.list,
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
  tree.onChange((sites) => monitor.setSites(sites));
  return { inventory, events, monitor };
}
