// Link health, site health (with the upstream cause), events and link time series.
import { DirectoryServer, Nullable } from '@lienthong/kit/contracts';
import Type, { type Static } from 'typebox';
import { LinkEnd } from './inventory';

export const LinkState = Type.Union([
  Type.Literal('unknown'),
  Type.Literal('up'),
  Type.Literal('degraded'),
  Type.Literal('down'),
  Type.Literal('flapping'),
]);
export type LinkState = Static<typeof LinkState>;

export const LinkHealthReasonCode = Type.Union([
  Type.Literal('flapping'),
  Type.Literal('admin_down'),
  Type.Literal('oper_down'),
  Type.Literal('no_answer'),
  Type.Literal('no_snmp'),
  Type.Literal('high_utilisation'),
  Type.Literal('errors'),
  Type.Literal('loss'),
  Type.Literal('rtt'),
]);
export type LinkHealthReasonCode = Static<typeof LinkHealthReasonCode>;
export const LinkHealthReason = Type.Object({
  code: LinkHealthReasonCode,
  /** Status changes (flapping), ratio (high_utilisation, loss), errors/s, or ms (rtt). */
  value: Nullable(Type.Number()),
  /** The window it was seen over (flapping, high_utilisation). */
  minutes: Nullable(Type.Number()),
  text: Type.String(),
});
export type LinkHealthReason = Static<typeof LinkHealthReason>;

/**
 * A cascade link's health as its servers' pings see it (the parent's view, else the child's); null
 * when neither has reported it lately.
 */
export const CascadeLinkHealth = Type.Object({
  /** unknown: no answer yet; down: three pings missed in a row. */
  state: Type.Union([Type.Literal('unknown'), Type.Literal('up'), Type.Literal('down')]),
  /** The last ping's round trip over NATS, while up. */
  rttMs: Nullable(Type.Number()),
  /** When the state last changed (ISO time). */
  since: Type.String(),
  /** The server whose pings these are. */
  seenBy: Type.String(),
});
export type CascadeLinkHealth = Static<typeof CascadeLinkHealth>;

export const LinkView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: Type.Union([Type.Literal('primary'), Type.Literal('backup')]),
  speedBps: Type.Number(),
  downstream: LinkEnd,
  upstream: LinkEnd,
  demo: Type.Boolean(),
  /**
   * The cascade between two media servers this link carries: its ends are served by a server (child)
   * and that server's parent server (from sfu-server's site directory). Null when it carries none
   * or the servers are unknown.
   */
  cascade: Nullable(Type.Object({ child: DirectoryServer, parent: DirectoryServer, health: Nullable(CascadeLinkHealth) })),
  health: Type.Object({
    state: LinkState,
    /** Why it is not up; `text` is English for logs and API users, the web app words `code` itself. */
    reasons: Type.Array(LinkHealthReason),
    since: Nullable(Type.String()),
    adminUp: Nullable(Type.Boolean()),
    operUp: Nullable(Type.Boolean()),
    inBps: Nullable(Type.Number()),
    outBps: Nullable(Type.Number()),
    utilisation: Nullable(Type.Number()),
    errorsPerSecond: Nullable(Type.Number()),
    rttMs: Nullable(Type.Number()),
    lossRatio: Nullable(Type.Number()),
    statusChanges15m: Type.Integer(),
  }),
});
export type LinkView = Static<typeof LinkView>;

export const SiteState = Type.Union([
  Type.Literal('unknown'),
  Type.Literal('ok'),
  Type.Literal('degraded'),
  Type.Literal('down'),
  Type.Literal('unreachable'),
  /** Its devices answer ping but not SNMP: reachable, not monitored (not an outage). */
  Type.Literal('unmonitored'),
]);
export type SiteState = Static<typeof SiteState>;

export const SiteHealthView = Type.Object({
  code: Type.String(),
  name: Type.String(),
  parentCode: Nullable(Type.String()),
  /** 0 = province, 1 = district, 2 = commune (any depth allowed). */
  depth: Type.Integer(),
  level: Type.String(),
  state: SiteState,
  /** The link that cuts this site off (its own uplink when down, else the highest down link above it). */
  cause: Nullable(Type.Object({ linkId: Type.String(), linkName: Type.String(), siteCode: Type.String() })),
  /** Links from this site up to the province, nearest first (primary links). */
  path: Type.Array(Type.String()),
  deviceCount: Type.Integer(),
  /** Devices answering neither SNMP nor ping (or not probed). */
  devicesDown: Type.Integer(),
  /** Devices answering ping but not SNMP. */
  devicesUnmonitored: Type.Integer(),
  /** In a meeting now (sfu-server says so): faults on its path are raised to critical. */
  inLiveMeeting: Type.Boolean(),
  /** The media server serving the site, from sfu-server's site directory; null when unknown. */
  server: Nullable(DirectoryServer),
});
export type SiteHealthView = Static<typeof SiteHealthView>;

export const EventKind = Type.Union([
  Type.Literal('link_down'),
  Type.Literal('link_up'),
  Type.Literal('cold_start'),
  Type.Literal('warm_start'),
  Type.Literal('reboot'),
  Type.Literal('device_unreachable'),
  Type.Literal('device_recovered'),
  Type.Literal('poll_error'),
  Type.Literal('link_state'),
  Type.Literal('vendor_trap'),
  Type.Literal('unknown_source_trap'),
  Type.Literal('trap_flood'),
  /** From Alertmanager's webhook (details: alertname, status, fingerprint, labels...). */
  Type.Literal('alert'),
]);
export type EventKind = Static<typeof EventKind>;

export const EventView = Type.Object({
  id: Type.Integer(),
  kind: EventKind,
  severity: Type.Union([Type.Literal('info'), Type.Literal('warning'), Type.Literal('critical')]),
  firstAt: Type.String(),
  lastAt: Type.String(),
  /** Duplicates folded into this event. */
  count: Type.Integer(),
  source: Type.Union([
    Type.Literal('poll'),
    Type.Literal('trap'),
    Type.Literal('probe'),
    Type.Literal('system'),
    Type.Literal('alertmanager'),
  ]),
  deviceId: Nullable(Type.String()),
  linkId: Nullable(Type.String()),
  siteCode: Nullable(Type.String()),
  interface: Nullable(Type.String()),
  message: Type.String(),
  details: Type.Optional(Type.Unknown()),
});
export type EventView = Static<typeof EventView>;

export const EventQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    sinceId: Type.Optional(Type.Integer({ minimum: 0 })),
    deviceId: Type.Optional(Type.String()),
    linkId: Type.Optional(Type.String()),
    siteCode: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type EventQuery = Static<typeof EventQuery>;

export const TimeSeriesPoint = Type.Object({
  t: Type.String(),
  inBps: Nullable(Type.Number()),
  outBps: Nullable(Type.Number()),
  utilisation: Nullable(Type.Number()),
  /** Mean of the last probe round; percentiles over the probe window. */
  rttMs: Nullable(Type.Number()),
  rttP50Ms: Nullable(Type.Number()),
  rttP95Ms: Nullable(Type.Number()),
  jitterMs: Nullable(Type.Number()),
  lossRatio: Nullable(Type.Number()),
});
export type TimeSeriesPoint = Static<typeof TimeSeriesPoint>;

export const TimeSeriesQuery = Type.Object(
  { minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 1440 })) },
  { additionalProperties: false },
);

export const LinkTimeSeries = Type.Object({
  linkId: Type.String(),
  source: Type.Union([Type.Literal('memory'), Type.Literal('prometheus')]),
  points: Type.Array(TimeSeriesPoint),
});
export type LinkTimeSeries = Static<typeof LinkTimeSeries>;
