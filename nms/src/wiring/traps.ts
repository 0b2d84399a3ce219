// Step: the trap receiver, with a per-source budget so a flood becomes one event, not a storm.
// A trap sets no state: a device's own trap asks for an immediate poll that confirms it.
// Traps no device may have sent are counted and noted (one event per source a minute).
import type { Logger } from '@lienthong/kit';
import type { NmsConfig } from '../config/schema';
import type { Clock } from '../domain/clock';
import { type EventLog, RateLimiter } from '../domain/events';
import type { Inventory } from '../domain/inventory';
import type { Monitor, TrapInfo } from '../domain/monitor';
import type { TrapRefusal } from '../domain/trap-source';
import type { NmsMetrics } from '../metrics/nms-metrics';
import { startTrapReceiver } from '../snmp/traps';
import type { Stoppers } from './lifecycle';

interface TrapDeps {
  clock: Clock;
  inventory: Inventory;
  monitor: Monitor;
  events: EventLog;
  metrics: NmsMetrics;
  /** Poll this device now (again after a poll in flight): the trap's claim is checked by SNMP. */
  confirm(deviceId: string): void;
}

/** Trap kinds that say something a poll reads (interface status, sysUpTime). */
const CONFIRMED_BY_POLL = new Set<TrapInfo['kind']>(['link_down', 'link_up', 'cold_start', 'warm_start']);

/** Remembers sources already noted, so each is noted at most once a minute. */
function oncePerMinute(): (key: string) => boolean {
  const noted = new Set<string>();
  return (key) => {
    if (noted.has(key)) return false;
    noted.add(key);
    setTimeout(() => noted.delete(key), 60_000).unref();
    return true;
  };
}

const sourceOf = (t: TrapInfo) => t.source.split(':')[0] ?? t.source;

/** Lets a trap through to the monitor unless its source is over budget (then one trap_flood event a minute). */
function trapGate(config: NmsConfig, { clock, monitor, events, metrics, confirm }: TrapDeps): (t: TrapInfo) => void {
  const limiter = new RateLimiter(clock, config.traps.perSourcePerSecond, config.traps.perSourceBurst);
  const floodNoted = oncePerMinute();
  return (t) => {
    const src = sourceOf(t);
    if (!limiter.allow(src)) {
      metrics.trapsDropped.inc({ reason: 'rate_limited' });
      if (floodNoted(src)) {
        events.record({
          kind: 'trap_flood',
          severity: 'warning',
          source: 'trap',
          deviceId: t.deviceId,
          message: `trap flood from ${src}: excess traps dropped`,
          details: { source: src },
        });
      }
      return;
    }
    metrics.trapsReceived.inc({ kind: t.kind, version: t.inform ? 'inform' : 'trap' });
    monitor.onTrap(t);
    if (t.deviceId && CONFIRMED_BY_POLL.has(t.kind)) confirm(t.deviceId);
  };
}

/** Counts a trap no device may have sent; notes it as an event once per source a minute. */
function trapRefusal({ events, metrics }: TrapDeps): (t: TrapInfo, reason: TrapRefusal) => void {
  const noted = oncePerMinute();
  return (t, reason) => {
    metrics.trapsRejected.inc({ reason });
    const src = sourceOf(t);
    if (!noted(src)) return;
    events.record({
      kind: 'unknown_source_trap',
      severity: 'warning',
      source: 'trap',
      message:
        reason === 'unknown_source'
          ? `trap ${t.trapOid} from unknown source ${src} ignored`
          : `trap ${t.trapOid} from ${src} ignored: not the credentials of the device at that address`,
      details: { trapOid: t.trapOid, source: src, reason },
    });
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
    onRefused: trapRefusal(deps),
    onBadMessage: (reason) => {
      deps.metrics.trapsDropped.inc({ reason: /auth|digest|user|decrypt/i.test(reason) ? 'auth' : 'malformed' });
      logger.debug({ reason }, 'trap refused');
    },
  });
  deps.inventory.onChange(() => rx.refresh());
  stoppers.add(() => rx.close());
  logger.info({ port: config.traps.port }, 'trap receiver listening');
}
