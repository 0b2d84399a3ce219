import { collectDefaultMetrics, Registry } from 'prom-client';

/** A non-global registry with the process metrics every service exposes. */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}
