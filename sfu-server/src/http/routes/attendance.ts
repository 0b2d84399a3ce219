// Roll-call exports: CSV (UTF-8 with BOM so Excel shows Vietnamese diacritics) and a
// printable minutes page. For the chair, the host or chair site, admins and operators
// of the host site's subtree.
import { AppError } from '@lienthong/kit';
import type { Core } from '../../core';
import type { AttendanceStatus } from '../../domain/floor/floor-control';
import { siteReports } from '../../domain/live/quality-log';
import { isAdmin, managesSite } from '../../domain/permissions';
import type { Actor } from '../../domain/shared';
import { inertCell } from '../../domain/spreadsheet';
import type { Meeting } from '../../protocol';
import { ChairRepository, type StoredRollCall } from '../../store/chair-repository';
import { QualityRepository } from '../../store/quality-repository';
import type { SfuHandlers } from './context';

export const STATUS_VI: Record<AttendanceStatus, string> = {
  pending: 'Chưa điểm danh',
  present: 'Có mặt',
  absent: 'Vắng',
  late: 'Đến muộn',
};

const TZ = 'Asia/Ho_Chi_Minh';
export function formatVnTime(ms: number | null): string {
  if (ms === null) return '';
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: TZ,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  }).formatToParts(new Date(ms));
  const v = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${v('day')}/${v('month')}/${v('year')} ${v('hour')}:${v('minute')}:${v('second')}`;
}

export function csvField(v: string | number | null): string {
  const s = inertCell(v === null ? '' : String(v)); // no formulas from site-provided text
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const html = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export const CSV_HEADER = ['STT', 'Mã đơn vị', 'Đơn vị', 'Trạng thái', 'Số người', 'Lý do', 'Thời gian'];

export function attendanceCsv(rc: StoredRollCall | undefined): string {
  const rows = [CSV_HEADER];
  for (const [i, e] of (rc?.entries ?? []).entries()) {
    rows.push([
      String(i + 1),
      e.siteCode,
      e.siteName,
      STATUS_VI[e.status],
      e.headCount === null ? '' : String(e.headCount),
      e.reason ?? '',
      formatVnTime(e.at),
    ]);
  }
  return `\uFEFF${rows.map((r) => r.map(csvField).join(',')).join('\r\n')}\r\n`;
}

export function minutesHtml(m: { title: string; chairSiteName: string; startsAt: string }, rc: StoredRollCall | undefined): string {
  const entries = rc?.entries ?? [];
  const count = (s: AttendanceStatus) => entries.filter((e) => e.status === s).length;
  const heads = entries.reduce((n, e) => n + (e.status !== 'absent' ? (e.headCount ?? 0) : 0), 0);
  const rows = entries
    .map(
      (e, i) =>
        `<tr><td>${i + 1}</td><td>${html(e.siteName)}</td><td>${STATUS_VI[e.status]}</td><td>${e.headCount ?? ''}</td><td>${html(e.reason ?? '')}</td><td>${formatVnTime(e.at)}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Biên bản điểm danh – ${html(m.title)}</title>
<style>
body{font-family:"Times New Roman",serif;max-width:960px;margin:2rem auto;line-height:1.4}
h1{text-align:center;font-size:1.4rem;text-transform:uppercase}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #000;padding:4px 6px;text-align:left}
.sign{display:flex;justify-content:space-between;margin-top:3rem;text-align:center}
@media print{body{margin:0}}
</style></head><body>
<p style="text-align:center"><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b><br><b>Độc lập – Tự do – Hạnh phúc</b></p>
<h1>Biên bản điểm danh</h1>
<p>Cuộc họp: <b>${html(m.title)}</b><br>
Điểm cầu chủ trì: ${html(m.chairSiteName)}<br>
Thời gian họp: ${formatVnTime(Date.parse(m.startsAt))}<br>
${rc ? `Bắt đầu điểm danh: ${formatVnTime(rc.startedAt)}${rc.endedAt ? ` – kết thúc: ${formatVnTime(rc.endedAt)}` : ' (chưa kết thúc)'}` : 'Chưa điểm danh.'}</p>
<table><thead><tr><th>STT</th><th>Điểm cầu</th><th>Trạng thái</th><th>Số người</th><th>Lý do</th><th>Thời gian</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<p>Tổng số điểm cầu: ${entries.length}; có mặt: ${count('present')}; đến muộn: ${count('late')}; vắng: ${count('absent')}; chưa điểm danh: ${count('pending')}. Tổng số người tham dự: ${heads}.</p>
<div class="sign"><div><b>Thư ký</b><br><i>(Ký, ghi rõ họ tên)</i></div><div><b>Chủ trì</b><br><i>(Ký, ghi rõ họ tên)</i></div></div>
</body></html>
`;
}

/**
 * The meeting, for those who run it: the chair, the host and chair sites, administrators and operators of
 * the host site's subtree (attendance, quality, readiness); anyone else gets FORBIDDEN.
 */
export function meetingOfOps(core: Core, actor: Actor, id: string): Meeting {
  const meeting = core.meetings.getVisible(actor, id);
  const ok =
    isAdmin(actor) ||
    actor.sub === meeting.chair.userId ||
    actor.siteId === meeting.chair.siteId ||
    actor.siteId === meeting.hostSiteId ||
    (actor.roles.includes('operator') && managesSite(core.sites.tree(), actor, meeting.hostSiteId));
  if (!ok)
    throw new AppError(
      'FORBIDDEN',
      'Only the chair, the host site, administrators and its operators see the attendance, quality and readiness',
      403,
    );
  return meeting;
}

export function attendanceHandlers(core: Core): SfuHandlers<'attendance'> {
  const repo = new ChairRepository(core.store.db);
  const quality = new QualityRepository(core.store.db);
  const siteOf = (siteId: string) => {
    try {
      return core.sites.get(siteId);
    } catch {
      return undefined; // a site deleted since the meeting: named by its id
    }
  };
  const allowed = (actor: Actor, id: string) => ({ meeting: meetingOfOps(core, actor, id), rc: repo.rollCalls(id).at(-1) });

  return {
    'attendance.csv': ({ params, caller, reply }) => {
      const { rc } = allowed(caller.actor, params.id);
      reply.header('content-disposition', `attachment; filename="diem-danh-${params.id}.csv"`);
      return attendanceCsv(rc);
    },
    'attendance.audit': ({ params, caller }) => {
      allowed(caller.actor, params.id);
      return { ok: true, entries: repo.listAudit(params.id) };
    },
    'attendance.quality': ({ params, caller }) => {
      const { meeting } = allowed(caller.actor, params.id);
      const sites = siteReports(quality.samples(params.id), quality.events(params.id), siteOf, quality.networkEvents(params.id));
      return { ok: true, meetingId: meeting.id, title: meeting.title, startsAt: meeting.startsAt, endsAt: meeting.endsAt, sites };
    },
    'attendance.minutes': ({ params, caller, reply }) => {
      const { meeting, rc } = allowed(caller.actor, params.id);
      // A printable page with its own styles and nothing else: no scripts, no requests.
      reply.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
      const chairSiteName = core.sites.get(meeting.chair.siteId).name;
      return minutesHtml({ title: meeting.title, chairSiteName, startsAt: meeting.startsAt }, rc);
    },
  };
}
