// Meeting times are entered and shown in Asia/Ho_Chi_Minh; the API speaks ISO UTC.
// Vietnam has had no daylight saving since 1975, so the offset is a constant +07:00.
export const TIME_ZONE = 'Asia/Ho_Chi_Minh';
const OFFSET_MS = 7 * 3600_000;

/** ISO instant -> value for <input type="datetime-local"> (YYYY-MM-DDTHH:mm) in Vietnam time. */
export function toLocalInput(iso: string): string {
  const d = new Date(Date.parse(iso) + OFFSET_MS);
  return d.toISOString().slice(0, 16);
}

/** datetime-local value in Vietnam time -> ISO UTC, or null when empty/invalid. */
export function fromLocalInput(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return null;
  const ms = Date.parse(`${value.slice(0, 16)}:00+07:00`);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

export function formatLocal(iso: string, locale: 'vi' | 'en'): string {
  return new Date(iso).toLocaleString(locale === 'en' ? 'en-GB' : 'vi-VN', { timeZone: TIME_ZONE, dateStyle: 'short', timeStyle: 'short' });
}

/** "08:00 – 10:00, 12/03/2026" style window; dates repeated only when the days differ. */
export function formatWindow(startIso: string, endIso: string, locale: 'vi' | 'en'): string {
  const loc = locale === 'en' ? 'en-GB' : 'vi-VN';
  const day = (iso: string) =>
    new Date(iso).toLocaleDateString(loc, { timeZone: TIME_ZONE, day: '2-digit', month: '2-digit', year: 'numeric' });
  const hm = (iso: string) =>
    new Date(iso).toLocaleTimeString(loc, { timeZone: TIME_ZONE, hour: '2-digit', minute: '2-digit', hour12: false });
  if (day(startIso) === day(endIso)) return `${hm(startIso)} – ${hm(endIso)}, ${day(startIso)}`;
  return `${hm(startIso)} ${day(startIso)} – ${hm(endIso)} ${day(endIso)}`;
}
