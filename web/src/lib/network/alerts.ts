// Which Alertmanager alerts are active now, from nms's events (kind 'alert'): an alert's newest
// event decides (firing, or resolved); critical ones first, then the newest.
import type { EventView } from '@lienthong/nms/protocol';

interface AlertFacts {
  fingerprint?: string;
  status?: 'firing' | 'resolved';
}

export function activeAlerts(events: readonly EventView[]): EventView[] {
  const newest = new Map<string, EventView>();
  for (const e of events) {
    const d = (e.details ?? {}) as AlertFacts;
    if (e.kind !== 'alert' || !d.fingerprint) continue;
    const seen = newest.get(d.fingerprint);
    if (!seen || e.id > seen.id) newest.set(d.fingerprint, e);
  }
  const rank = (e: EventView) => (e.severity === 'critical' ? 0 : e.severity === 'warning' ? 1 : 2);
  return [...newest.values()].filter((e) => (e.details as AlertFacts).status === 'firing').sort((a, b) => rank(a) - rank(b) || b.id - a.id);
}
