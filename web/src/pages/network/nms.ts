// Typed calls to the nms REST API (through sfu-server's /api/nms proxy) and the formatting
// shared by the network pages.
import type { DeviceView, EventView, LinkHealthReason, LinkTimeSeries, LinkView, SiteHealthView } from '@lienthong/nms/protocol';
import { api } from '../../lib/api/rest';
import { t } from '../../lib/i18n/i18n.svelte';
import { type MessageKey, vi } from '../../lib/i18n/messages';

export type { DeviceView, EventView, LinkTimeSeries, LinkView, SiteHealthView };

export const nms = {
  sites: async () => (await api<{ sites: SiteHealthView[] }>('GET', '/api/nms/sites')).sites,
  site: (code: string) =>
    api<{ site: SiteHealthView; devices: DeviceView[]; links: LinkView[] }>('GET', `/api/nms/sites/${encodeURIComponent(code)}`),
  links: async () => (await api<{ links: LinkView[] }>('GET', '/api/nms/links')).links,
  link: async (id: string) => (await api<{ link: LinkView }>('GET', `/api/nms/links/${encodeURIComponent(id)}`)).link,
  series: async (id: string, minutes: number) =>
    (await api<{ series: LinkTimeSeries }>('GET', `/api/nms/links/${encodeURIComponent(id)}/timeseries?minutes=${minutes}`)).series,
  devices: async () => (await api<{ devices: DeviceView[] }>('GET', '/api/nms/devices')).devices,
  events: async (siteCode: string | null, limit = 200) => {
    const q = new URLSearchParams({ limit: String(limit) });
    if (siteCode) q.set('siteCode', siteCode);
    return (await api<{ events: EventView[] }>('GET', `/api/nms/events?${q}`)).events;
  },
};

/** Everyone on the network views sees times in the province's zone, whatever the browser's. */
export const TZ = 'Asia/Ho_Chi_Minh';

export function fmtTime(iso: string | number | null, locale: string, withDate = false): string {
  if (iso === null) return '–';
  const d = new Date(iso);
  return d.toLocaleString(locale === 'en' ? 'en-GB' : 'vi-VN', {
    timeZone: TZ,
    ...(withDate ? { day: '2-digit', month: '2-digit' } : {}),
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  });
}

export function fmtBps(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  const units = ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s', 'Tbit/s'];
  let x = Math.abs(v);
  let i = 0;
  while (x >= 1000 && i < units.length - 1) {
    x /= 1000;
    i++;
  }
  return `${v < 0 ? '-' : ''}${x >= 100 || i === 0 ? x.toFixed(0) : x.toFixed(1)} ${units[i]}`;
}

export function fmtPct(ratio: number | null | undefined, digits = 1): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '–';
  return `${(ratio * 100).toFixed(digits)}%`;
}

export function fmtMs(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  return v < 10 ? `${v.toFixed(2)} ms` : `${v.toFixed(0)} ms`;
}

export function fmtUptime(seconds: number | null, locale: string): string {
  if (seconds === null) return '–';
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const day = locale === 'en' ? 'd' : ' ngày';
  return d > 0 ? `${d}${day} ${h}h${String(m).padStart(2, '0')}` : `${h}h${String(m).padStart(2, '0')}`;
}

/** Ratio of a rate to the link speed, null when either is unknown. */
export function ofSpeed(bps: number | null, speedBps: number): number | null {
  return bps === null || !(speedBps > 0) ? null : bps / speedBps;
}

/** Worst first: what needs attention comes to the top of tables. */
export const linkSeverity: Record<string, number> = { down: 0, flapping: 1, degraded: 2, unknown: 3, up: 4 };

/** A link health reason in the reader's language (nms sends a code and its numbers). */
export function reasonText(r: LinkHealthReason): string {
  const key = `netReason_${r.code}`;
  if (!(key in vi)) return r.text;
  const v = r.value;
  return t(key as MessageKey)
    .replace('{n}', v === null ? '–' : r.code === 'errors' ? v.toFixed(1) : String(v))
    .replace('{min}', String(r.minutes ?? '–'))
    .replace('{pct}', fmtPct(v, 0))
    .replace('{ms}', fmtMs(v));
}

export const reasonsText = (reasons: LinkHealthReason[]) => reasons.map(reasonText).join('; ');

/** A device's poll error in the reader's language; nms's own words stay available as detail. */
export function deviceErrorText(code: string, message: string | null): string {
  const key = `netErr_${code}`;
  return key in vi ? t(key as MessageKey) : (message ?? code);
}

/** The standard traps are named by the event kind nms gave them; others by their OID. */
const TRAP_NAMES: Record<string, string> = { cold_start: 'coldStart', warm_start: 'warmStart', link_down: 'linkDown', link_up: 'linkUp' };
const linkStateKey: Record<string, MessageKey> = {
  up: 'netStateUp',
  degraded: 'netStateDegraded',
  down: 'netStateDown',
  flapping: 'netStateFlapping',
  unknown: 'netStateUnknown',
};

/** What happened, in the reader's language, from the event's kind and details; nms's English text otherwise. */
export function eventText(e: EventView): string {
  const d = (e.details ?? {}) as {
    code?: string;
    operUp?: boolean;
    adminUp?: boolean;
    trapOid?: string;
    inform?: boolean;
    source?: string;
    from?: string;
    to?: string;
    reasons?: LinkHealthReason[];
  };
  const admin = () => t(d.adminUp === false ? 'netEvt_adminDown' : 'netEvt_adminUp');
  const trap = () => {
    const name = TRAP_NAMES[e.kind] ?? d.trapOid ?? '?';
    return t(d.inform ? 'netEvt_inform' : 'netEvt_trap').replace('{name}', name);
  };
  switch (e.kind) {
    case 'device_recovered':
      return t('netEvt_recovered');
    case 'reboot':
      return t('netEvt_reboot');
    case 'device_unreachable':
    case 'poll_error':
      return d.code ? deviceErrorText(d.code, e.message) : e.message;
    case 'link_down':
    case 'link_up':
      if (e.source === 'trap' && d.trapOid) return trap();
      if (d.operUp === undefined) return e.message;
      return t(d.operUp ? 'netEvt_ifUp' : 'netEvt_ifDown').replace('{admin}', admin());
    case 'cold_start':
    case 'warm_start':
    case 'vendor_trap':
      return d.trapOid ? trap() : e.message;
    case 'unknown_source_trap':
      return d.source
        ? t('netEvt_unknownSource')
            .replace('{name}', d.trapOid ?? '?')
            .replace('{source}', d.source)
        : e.message;
    case 'trap_flood':
      return d.source ? t('netEvt_flood').replace('{source}', d.source) : e.message;
    case 'link_state': {
      if (!d.from || !d.to) return e.message;
      const label = (s: string) => (linkStateKey[s] ? t(linkStateKey[s]) : s);
      const why = d.reasons?.length ? ` (${reasonsText(d.reasons)})` : '';
      return `${label(d.from)} → ${label(d.to)}${why}`;
    }
    default:
      return e.message;
  }
}
