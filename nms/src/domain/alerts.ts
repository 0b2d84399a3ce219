// Alertmanager's alerts as nms events: one event per alert and status (firing, resolved) of one
// firing episode. Alertmanager re-sends a group on every group_interval/repeat_interval and whenever
// another alert joins it: those re-sends fold into the stored event (count), never a new one.
import type { AlertmanagerAlert, AlertmanagerWebhook } from '../protocol/alerts';
import type { EventLog, NewEvent } from './events';

export interface AlertDetails {
  alertname: string;
  status: AlertmanagerAlert['status'];
  fingerprint: string;
  startsAt: string;
  endsAt: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  generatorURL: string;
}

const SEVERITIES = new Set<NewEvent['severity']>(['info', 'warning', 'critical']);

/** Inventory ids of the names nms's metrics put in the `device` and `link` labels. */
export interface AlertNames {
  deviceId(name: string): string | null;
  linkId(name: string): string | null;
}
const noNames: AlertNames = { deviceId: () => null, linkId: () => null };

/** The event of one alert; `sourceKey` makes a re-send of the same episode and status a duplicate. */
export function alertEvent(a: AlertmanagerAlert, names: AlertNames = noNames): NewEvent & { sourceKey: string } {
  const alertname = a.labels.alertname ?? 'alert';
  const labelled = a.labels.severity as NewEvent['severity'] | undefined;
  // A resolved alert is news, not trouble.
  const severity = a.status === 'resolved' ? 'info' : labelled && SEVERITIES.has(labelled) ? labelled : 'warning';
  const summary = a.annotations.summary ?? a.annotations.description ?? '';
  const details: AlertDetails = {
    alertname,
    status: a.status,
    fingerprint: a.fingerprint,
    startsAt: a.startsAt,
    endsAt: a.endsAt,
    labels: a.labels,
    annotations: a.annotations,
    generatorURL: a.generatorURL,
  };
  return {
    kind: 'alert',
    severity,
    source: 'alertmanager',
    siteCode: a.labels.site ?? null,
    deviceId: a.labels.device ? names.deviceId(a.labels.device) : null,
    linkId: a.labels.link ? names.linkId(a.labels.link) : null,
    message: `${alertname} ${a.status}${summary ? `: ${summary}` : ''}`,
    details,
    sourceKey: ['alert', a.fingerprint, a.status, a.startsAt].join('|'),
  };
}

/** Records every alert of one webhook message; returns how many were new and how many re-sends. */
export function recordAlerts(events: EventLog, msg: AlertmanagerWebhook, names?: AlertNames): { recorded: number; duplicates: number } {
  let recorded = 0;
  let duplicates = 0;
  for (const a of msg.alerts) {
    if (events.record(alertEvent(a, names)).duplicate) duplicates++;
    else recorded++;
  }
  return { recorded, duplicates };
}
