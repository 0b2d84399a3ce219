import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * A non-global registry with the process metrics every service exposes. Event-loop delay is
 * sampled every 100 ms, not prom-client's 10 ms: a timer 100 times a second was most of what an
 * idle service cost (1 % of a core); a stalled loop still shows at this resolution.
 */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 100 });
  return registry;
}
