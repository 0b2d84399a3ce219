// Step: fping rounds to the devices that ask for probing, feeding device intake.
import type { HealthRegistry, Logger } from '@lienthong/kit';
import type { NmsConfig } from '../config/schema';
import type { Inventory } from '../domain/inventory';
import type { Monitor } from '../domain/monitor';
import type { NmsMetrics } from '../metrics/nms-metrics';
import { Prober } from '../probes/fping';
import type { Stoppers } from './lifecycle';

export function startProbes(
  config: NmsConfig,
  deps: { inventory: Inventory; monitor: Monitor; metrics: NmsMetrics; health: HealthRegistry },
  logger: Logger,
  stoppers: Stoppers,
): Prober {
  const p = new Prober({
    ...config.probes,
    targets: () =>
      deps.inventory
        .devices()
        .filter((d) => d.probe)
        .map((d) => d.address),
    onStats: (target, stats) => deps.monitor.onProbe(target, stats),
    onRound: (_s, ok) => deps.metrics.probeRounds.inc({ outcome: ok ? 'ok' : 'failed' }),
    logger: logger.child({ component: 'probes' }),
  });
  p.start();
  stoppers.add(() => p.stop());
  deps.health.register('probes', () => (p.lastError ? { ok: false, reason: p.lastError } : { ok: true }));
  return p;
}
