// Numbers and times on the network views, the same for every reader whatever the browser's zone.
import type { Locale } from '../i18n/translate';

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

/** Hours and minutes in the province's zone, with the day too once it is not within the last 20 hours. */
export function fmtClock(iso: string, locale: string, now = Date.now()): string {
  const d = new Date(iso);
  return d.toLocaleString(locale === 'en' ? 'en-GB' : 'vi-VN', {
    timeZone: TZ,
    ...(now - d.getTime() > 20 * 3_600_000 ? { day: '2-digit', month: '2-digit' } : {}),
    hour: '2-digit',
    minute: '2-digit',
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

export function fmtUptime(seconds: number | null, locale: Locale | string): string {
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
