// nms sends codes and numbers; the network views word them in the reader's language.
// Every link-health reason and SNMP poll error code of nms's protocol has a message here
// (the Record types make a new code without wording a type error).
import type { EventView, LinkHealthReason, LinkHealthReasonCode, LinkView, NmsErrorCode } from '@lienthong/nms/protocol';
import type { MessageKey } from '../i18n/messages';
import { type Locale, translate } from '../i18n/translate';
import { fmtClock, fmtMs, fmtPct } from './format';

/** The error codes a device poll can end with (the rest of NmsErrorCode are REST errors). */
export type PollErrorCode = Extract<NmsErrorCode, `SNMP_${string}`>;

export const REASON_KEYS: Readonly<Record<LinkHealthReasonCode, MessageKey>> = {
  flapping: 'netReason_flapping',
  admin_down: 'netReason_admin_down',
  oper_down: 'netReason_oper_down',
  no_answer: 'netReason_no_answer',
  no_snmp: 'netReason_no_snmp',
  high_utilisation: 'netReason_high_utilisation',
  errors: 'netReason_errors',
  loss: 'netReason_loss',
  rtt: 'netReason_rtt',
};

export const POLL_ERROR_KEYS: Readonly<Record<PollErrorCode, MessageKey>> = {
  SNMP_TIMEOUT: 'netErr_SNMP_TIMEOUT',
  SNMP_AUTH_FAILED: 'netErr_SNMP_AUTH_FAILED',
  SNMP_UNKNOWN_USER: 'netErr_SNMP_UNKNOWN_USER',
  SNMP_NOT_IN_TIME_WINDOW: 'netErr_SNMP_NOT_IN_TIME_WINDOW',
  SNMP_BAD_RESPONSE: 'netErr_SNMP_BAD_RESPONSE',
  SNMP_TOO_BIG: 'netErr_SNMP_TOO_BIG',
  SNMP_TABLE_TOO_LARGE: 'netErr_SNMP_TABLE_TOO_LARGE',
  SNMP_ERROR_STATUS: 'netErr_SNMP_ERROR_STATUS',
  SNMP_ERROR: 'netErr_SNMP_ERROR',
};

const LINK_STATE_KEYS: Readonly<Record<string, MessageKey>> = {
  up: 'netStateUp',
  degraded: 'netStateDegraded',
  down: 'netStateDown',
  flapping: 'netStateFlapping',
  unknown: 'netStateUnknown',
};

/** The standard traps are named by the event kind nms gave them; others by their OID. */
const TRAP_NAMES: Readonly<Record<string, string>> = {
  cold_start: 'coldStart',
  warm_start: 'warmStart',
  link_down: 'linkDown',
  link_up: 'linkUp',
};

const keyOf = <K extends string>(table: Readonly<Record<K, MessageKey>>, code: string): MessageKey | undefined =>
  Object.hasOwn(table, code) ? table[code as K] : undefined;

/** A link health reason in the reader's language; nms's English text for a code this build does not know. */
export function reasonText(r: LinkHealthReason, locale: Locale): string {
  const key = keyOf(REASON_KEYS, r.code);
  if (!key) return r.text;
  const v = r.value;
  return translate(locale, key)
    .replace('{n}', v === null ? '–' : r.code === 'errors' ? v.toFixed(1) : String(v))
    .replace('{min}', String(r.minutes ?? '–'))
    .replace('{pct}', fmtPct(v, 0))
    .replace('{ms}', fmtMs(v));
}

export const reasonsText = (reasons: readonly LinkHealthReason[], locale: Locale): string =>
  reasons.map((r) => reasonText(r, locale)).join('; ');

/** A device's poll error in the reader's language; nms's own words (or the code) for an unknown code. */
export function pollErrorText(code: string, message: string | null, locale: Locale): string {
  const key = keyOf(POLL_ERROR_KEYS, code);
  return key ? translate(locale, key) : (message ?? code);
}

interface EventDetails {
  code?: string;
  operUp?: boolean;
  adminUp?: boolean;
  trapOid?: string;
  inform?: boolean;
  source?: string;
  from?: string;
  to?: string;
  reasons?: LinkHealthReason[];
  alertname?: string;
  status?: 'firing' | 'resolved';
  labels?: Record<string, string>;
}

/** Alertmanager alert names (monitoring/rules) worded in the UI; another name shows as it is. */
const ALERT_KEYS: Readonly<Record<string, MessageKey>> = {
  NmsDeviceDown: 'netAlert_NmsDeviceDown',
  NmsDeviceUnmonitored: 'netAlert_NmsDeviceUnmonitored',
  NmsLinkDown: 'netAlert_NmsLinkDown',
  NmsLinkFlapping: 'netAlert_NmsLinkFlapping',
  NmsLinkHighUtilisation: 'netAlert_NmsLinkHighUtilisation',
  NmsProbeLoss: 'netAlert_NmsProbeLoss',
  NmsProbeHighLatency: 'netAlert_NmsProbeHighLatency',
  NmsDeviceRebooted: 'netAlert_NmsDeviceRebooted',
  NmsPollerSlow: 'netAlert_NmsPollerSlow',
  NmsDown: 'netAlert_NmsDown',
};

function alertText(d: EventDetails, locale: Locale): string | null {
  if (!d.alertname || !d.status) return null;
  const key = ALERT_KEYS[d.alertname];
  const l = d.labels ?? {};
  return translate(locale, d.status === 'resolved' ? 'netEvt_alertResolved' : 'netEvt_alertFiring')
    .replace('{name}', key ? translate(locale, key) : d.alertname)
    .replace('{where}', l.device ?? l.link ?? l.site ?? d.alertname);
}

/** What happened, in the reader's language, from the event's kind and details; nms's English text otherwise. */
export function eventText(e: EventView, locale: Locale): string {
  const d = (e.details ?? {}) as EventDetails;
  const tr = (key: MessageKey) => translate(locale, key);
  const trap = () => tr(d.inform ? 'netEvt_inform' : 'netEvt_trap').replace('{name}', TRAP_NAMES[e.kind] ?? d.trapOid ?? '?');
  switch (e.kind) {
    case 'device_recovered':
      return tr('netEvt_recovered');
    case 'reboot':
      return tr('netEvt_reboot');
    case 'device_unreachable':
    case 'poll_error':
      return d.code ? pollErrorText(d.code, e.message, locale) : e.message;
    case 'link_down':
    case 'link_up':
      if (e.source === 'trap' && d.trapOid) return trap();
      if (d.operUp === undefined) return e.message;
      return tr(d.operUp ? 'netEvt_ifUp' : 'netEvt_ifDown').replace(
        '{admin}',
        tr(d.adminUp === false ? 'netEvt_adminDown' : 'netEvt_adminUp'),
      );
    case 'cold_start':
    case 'warm_start':
    case 'vendor_trap':
      return d.trapOid ? trap() : e.message;
    case 'unknown_source_trap':
      return d.source
        ? tr('netEvt_unknownSource')
            .replace('{name}', d.trapOid ?? '?')
            .replace('{source}', d.source)
        : e.message;
    case 'trap_flood':
      return d.source ? tr('netEvt_flood').replace('{source}', d.source) : e.message;
    case 'link_state':
      return linkStateChange(d, locale) ?? e.message;
    case 'alert':
      return alertText(d, locale) ?? e.message;
    default:
      return e.message;
  }
}

function linkStateChange(d: EventDetails, locale: Locale): string | null {
  if (!d.from || !d.to) return null;
  const label = (s: string) => {
    const key = LINK_STATE_KEYS[s];
    return key ? translate(locale, key) : s;
  };
  const why = d.reasons?.length ? ` (${reasonsText(d.reasons, locale)})` : '';
  return `${label(d.from)} → ${label(d.to)}${why}`;
}

type CascadeHealth = NonNullable<LinkView['cascade']>['health'];

/** A cascade link's own health, beside its label: "Liên thông: hoạt động, 12 ms", "… mất kết nối từ 10:32". */
export function cascadeHealthText(h: CascadeHealth, locale: Locale, now = Date.now()): string {
  if (!h) return translate(locale, 'netCascadeNoData');
  if (h.state === 'up') return translate(locale, 'netCascadeUp').replace('{rtt}', fmtMs(h.rttMs));
  if (h.state === 'down') return translate(locale, 'netCascadeDown').replace('{time}', fmtClock(h.since, locale, now));
  return translate(locale, 'netCascadeWaiting');
}
