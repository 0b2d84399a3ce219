// Step: the SNMP poller over the inventory's devices, with the configured poll modules,
// feeding device intake and the self-metrics.
import type { HealthRegistry, Logger } from '@lienthong/kit';
import type { NmsConfig } from '../config/schema';
import type { Inventory } from '../domain/inventory';
import type { Monitor } from '../domain/monitor';
import type { NmsMetrics } from '../metrics/nms-metrics';
import { modulesByName } from '../snmp/modules';
import { planOf } from '../snmp/poll-engine';
import { Poller } from '../snmp/poller';
import type { Stoppers } from './lifecycle';

export function startPoller(
  config: NmsConfig,
  deps: { inventory: Inventory; monitor: Monitor; metrics: NmsMetrics; health: HealthRegistry },
  logger: Logger,
  stoppers: Stoppers,
): Poller {
  const { inventory, monitor, metrics } = deps;
  const poller = new Poller({
    concurrency: config.snmp.concurrency,
    limits: {
      maxVarbinds: config.snmp.maxVarbindsPerRequest,
      maxInterfaces: config.snmp.maxInterfaces,
      maxPdus: config.snmp.maxRequestsPerWalk,
    },
    plan: planOf(modulesByName(config.snmp.modules)),
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
      onInternalError: (where) => metrics.internalErrors.inc({ where: `poller.${where}` }),
    },
  });
  poller.setDevices(inventory.devices());
  inventory.onChange(() => poller.setDevices(inventory.devices()));
  poller.start();
  stoppers.add(() => poller.stop());
  deps.health.register('poller', () =>
    poller.queued > config.snmp.concurrency * 20
      ? { ok: false, reason: `${poller.queued} polls waiting: poller cannot keep up` }
      : { ok: true },
  );
  return poller;
}
