// Link health: up / degraded / down / flapping / unknown from status, utilisation held over time,
// errors, loss and latency. A flapping uplink ranks worse than a down one.
import type { LinkHealthReason, LinkHealthReasonCode, LinkState } from '../protocol/health';

export interface HealthThresholds {
  utilisationRatio: number;
  utilisationForMs: number;
  flapChanges: number;
  flapWindowMs: number;
  lossRatio: number;
  rttMs: number;
  errorsPerSecond: number;
}

export const defaultThresholds: HealthThresholds = {
  utilisationRatio: 0.8,
  utilisationForMs: 15 * 60_000,
  flapChanges: 4,
  flapWindowMs: 15 * 60_000,
  lossRatio: 0.02,
  // G.114: 150 ms one way, so 300 ms round trip.
  rttMs: 300,
  errorsPerSecond: 1,
};

export interface LinkObservation {
  adminUp: boolean | null;
  operUp: boolean | null;
  inBps: number | null;
  outBps: number | null;
  speedBps: number;
  errorsPerSecond: number | null;
  rttMs: number | null;
  lossRatio: number | null;
  /** Oper status change times of the monitored interface(s), ms. */
  changes: number[];
}

export interface LinkHealth {
  state: LinkState;
  reasons: LinkHealthReason[];
  since: number | null;
  utilisation: number | null;
  statusChanges: number;
}

const pct = (r: number) => `${Math.round(r * 100)}%`;
const reason = (
  code: LinkHealthReasonCode,
  text: string,
  value: number | null = null,
  minutes: number | null = null,
): LinkHealthReason => ({
  code,
  value,
  minutes,
  text,
});

export class LinkHealthTracker {
  private highSince: number | null = null;
  private current: LinkHealth = { state: 'unknown', reasons: [], since: null, utilisation: null, statusChanges: 0 };

  constructor(private readonly th: HealthThresholds = defaultThresholds) {}

  get health(): LinkHealth {
    return this.current;
  }

  /** Returns the new health and whether the state changed. */
  evaluate(o: LinkObservation, now: number): { health: LinkHealth; changed: boolean; previous: LinkState } {
    const reasons: LinkHealthReason[] = [];
    const changes = o.changes.filter((t) => now - t <= this.th.flapWindowMs).length;
    const rates = [o.inBps, o.outBps].filter((v): v is number => v !== null);
    const utilisation = rates.length > 0 && o.speedBps > 0 ? Math.max(...rates) / o.speedBps : null;
    if (utilisation !== null && utilisation > this.th.utilisationRatio) this.highSince ??= now;
    else if (utilisation !== null) this.highSince = null;

    let state: LinkState;
    if (changes >= this.th.flapChanges) {
      state = 'flapping';
      const minutes = Math.round(this.th.flapWindowMs / 60_000);
      reasons.push(reason('flapping', `${changes} status changes in ${minutes} min`, changes, minutes));
    } else if (o.adminUp === false) {
      state = 'down';
      reasons.push(reason('admin_down', 'administratively down'));
    } else if (o.operUp === false) {
      state = 'down';
      reasons.push(reason('oper_down', 'oper down while admin up'));
    } else if (o.operUp === null && o.lossRatio !== null && o.lossRatio >= 1) {
      state = 'down';
      reasons.push(reason('no_answer', 'no SNMP status and no probe answers'));
    } else if (o.operUp === null && o.rttMs === null && o.lossRatio === null) {
      state = 'unknown';
    } else if (o.operUp === null) {
      // Ping answers but SNMP says nothing: the link carries, its status and load are not known.
      state = 'unknown';
      reasons.push(reason('no_snmp', 'no SNMP status; the far end answers ping'));
    } else {
      state = 'up';
      if (this.highSince !== null && now - this.highSince >= this.th.utilisationForMs && utilisation !== null) {
        const minutes = Math.round((now - this.highSince) / 60_000);
        reasons.push(reason('high_utilisation', `utilisation ${pct(utilisation)} for ${minutes} min`, utilisation, minutes));
      }
      if (o.errorsPerSecond !== null && o.errorsPerSecond > this.th.errorsPerSecond)
        reasons.push(reason('errors', `${o.errorsPerSecond.toFixed(1)} errors/s`, o.errorsPerSecond));
      if (o.lossRatio !== null && o.lossRatio > this.th.lossRatio) reasons.push(reason('loss', `loss ${pct(o.lossRatio)}`, o.lossRatio));
      if (o.rttMs !== null && o.rttMs > this.th.rttMs) reasons.push(reason('rtt', `round trip ${Math.round(o.rttMs)} ms`, o.rttMs));
      if (reasons.length > 0) state = 'degraded';
    }
    const previous = this.current.state;
    const changed = previous !== state;
    this.current = { state, reasons, since: changed ? now : this.current.since, utilisation, statusChanges: changes };
    return { health: this.current, changed, previous };
  }
}
