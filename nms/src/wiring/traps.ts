// Step: the trap receiver, with a per-source budget so a flood becomes one event, not a storm.
import type { Logger } from '@lienthong/kit';
import type { NmsConfig } from '../config/schema';
import type { Clock } from '../domain/clock';
import { type EventLog, RateLimiter } from '../domain/events';
import type { Inventory } from '../domain/inventory';
import type { Monitor, TrapInfo } from '../domain/monitor';
import type { NmsMetrics } from '../metrics/nms-metrics';
import { startTrapReceiver } from '../snmp/traps';
import type { Stoppers } from './lifecycle';

interface TrapDeps {
  clock: Clock;
  inventory: Inventory;
  monitor: Monitor;
  events: EventLog;
  metrics: NmsMetrics;
}

/** Lets a trap through to the monitor unless its source is over budget (then one trap_flood event a minute). */
function trapGate(config: NmsConfig, { clock, monitor, events, metrics }: TrapDeps): (t: TrapInfo) => void {
  const limiter = new RateLimiter(clock, config.traps.perSourcePerSecond, config.traps.perSourceBurst);
  const floodNoted = new Set<string>();
  return (t) => {
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
    metrics.trapsReceived.inc({ kind: t.kind, version: t.inform ? 'inform' : 'trap' });
    monitor.onTrap(t);
  };
}

export function startTraps(config: NmsConfig, deps: TrapDeps, logger: Logger, stoppers: Stoppers): void {
  const rx = startTrapReceiver({
    port: config.traps.port,
    address: config.traps.host,
    communities: config.traps.communities,
    users: config.traps.users,
    ...(config.traps.engineID ? { engineID: config.traps.engineID } : {}),
    devices: () => deps.inventory.devices(),
    logger: logger.child({ component: 'traps' }),
    onTrap: trapGate(config, deps),
    onBadMessage: (reason) => {
      deps.metrics.trapsDropped.inc({ reason: /auth|digest|user|decrypt/i.test(reason) ? 'auth' : 'malformed' });
      logger.debug({ reason }, 'trap refused');
    },
  });
  stoppers.add(() => rx.close());
  logger.info({ port: config.traps.port }, 'trap receiver listening');
}
