// Alertmanager's webhook message (version 4), as Prometheus Alertmanager 0.25 sends it to
// POST /api/nms/alerts/alertmanager. Bounded: a label set, a string and the alert count.
import Type, { type Static } from 'typebox';

/** Largest webhook body accepted, bytes (a group of 1,000 alerts with long annotations fits). */
export const ALERT_WEBHOOK_BODY_LIMIT = 1_048_576;

const Text = Type.String({ maxLength: 4096 });
const LabelSet = Type.Record(Type.String({ maxLength: 256 }), Text, { maxProperties: 64 });
const AlertStatus = Type.Union([Type.Literal('firing'), Type.Literal('resolved')]);

export const AlertmanagerAlert = Type.Object(
  {
    status: AlertStatus,
    labels: LabelSet,
    annotations: LabelSet,
    startsAt: Type.String({ maxLength: 64 }),
    endsAt: Type.String({ maxLength: 64 }),
    generatorURL: Text,
    /** Alertmanager's hash of the label set: the same alert across re-sends. */
    fingerprint: Type.String({ pattern: '^[0-9a-f]{1,32}$' }),
  },
  // A format we do not own: fields a newer Alertmanager adds are ignored, not refused.
  { additionalProperties: true },
);
export type AlertmanagerAlert = Static<typeof AlertmanagerAlert>;

export const AlertmanagerWebhook = Type.Object(
  {
    version: Type.Literal('4'),
    groupKey: Text,
    truncatedAlerts: Type.Optional(Type.Integer({ minimum: 0 })),
    status: AlertStatus,
    receiver: Text,
    groupLabels: LabelSet,
    commonLabels: LabelSet,
    commonAnnotations: LabelSet,
    externalURL: Text,
    alerts: Type.Array(AlertmanagerAlert, { maxItems: 1000 }),
  },
  { additionalProperties: true },
);
export type AlertmanagerWebhook = Static<typeof AlertmanagerWebhook>;

export const AlertsAccepted = Type.Object({
  ok: Type.Literal(true),
  /** Alerts stored as new events, and those folded into an event already stored (a re-send). */
  recorded: Type.Integer(),
  duplicates: Type.Integer(),
});
export type AlertsAccepted = Static<typeof AlertsAccepted>;
