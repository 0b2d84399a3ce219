// Step: the periodic work no poll triggers: link re-evaluation (time-based conditions such as
// 15 minutes of high utilisation) and pruning old events.
import type { NmsConfig } from '../config/schema';
import type { Clock } from '../domain/clock';
import type { Monitor } from '../domain/monitor';
import type { NmsStore } from '../store/db';
import type { Stoppers } from './lifecycle';

function every(ms: number, fn: () => void, stoppers: Stoppers): void {
  const t = setInterval(fn, ms);
  t.unref();
  stoppers.add(() => clearInterval(t));
}

export function startEvaluationLoop(monitor: Monitor, stoppers: Stoppers): void {
  every(30_000, () => monitor.evaluateAll(), stoppers);
}

export function startEventPruning(config: NmsConfig, store: NmsStore, clock: Clock, stoppers: Stoppers): void {
  every(3_600_000, () => store.pruneEvents(clock.now() - config.events.keepDays * 86_400_000), stoppers);
}
