// Persistence for chair-led meetings over the core's SQLite connection: the audit
// log and roll-call attendance (written as it happens, so a restart loses nothing).
// The SQLite side of ChairRepositoryPort.
import type Database from 'better-sqlite3';
import type { ChairRepositoryPort, StoredRollCall } from '../domain/floor/chair-repository-port';
import type { AttendanceEntry, AttendanceStatus, ControlSettings, RollCall } from '../domain/floor/types';
import type { AuditEntry } from '../protocol/chair';

type Row = Record<string, unknown>;
const isoOrNull = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const msOrNull = (v: unknown) => (v === null || v === undefined ? null : Date.parse(v as string));

export type { StoredRollCall } from '../domain/floor/chair-repository-port';

export class ChairRepository implements ChairRepositoryPort {
  constructor(private readonly db: Database.Database) {}

  saveControl(meetingId: string, settings: ControlSettings, at: number): void {
    this.db
      .prepare(
        `INSERT INTO meeting_control (meeting_id, settings, updated_at) VALUES (?, ?, ?)
         ON CONFLICT(meeting_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at`,
      )
      .run(meetingId, JSON.stringify(settings), new Date(at).toISOString());
  }

  loadControl(meetingId: string): ControlSettings | undefined {
    const row = this.db.prepare('SELECT settings FROM meeting_control WHERE meeting_id = ?').get(meetingId) as
      | { settings: string }
      | undefined;
    return row ? (JSON.parse(row.settings) as ControlSettings) : undefined;
  }

  insertAudit(e: AuditEntry): void {
    this.db
      .prepare(
        `INSERT INTO meeting_audit (meeting_id, at, actor_user_id, actor_name, actor_site_id, action, target_site_id, detail)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(e.meetingId, new Date(e.at).toISOString(), e.actorUserId, e.actorName, e.actorSiteId, e.action, e.targetSiteId, e.detail);
  }

  listAudit(meetingId: string): AuditEntry[] {
    return (this.db.prepare('SELECT * FROM meeting_audit WHERE meeting_id = ? ORDER BY id').all(meetingId) as Row[]).map((r) => ({
      at: Date.parse(r.at as string),
      meetingId: r.meeting_id as string,
      actorUserId: r.actor_user_id as string,
      actorName: r.actor_name as string,
      actorSiteId: r.actor_site_id as string,
      action: r.action as string,
      targetSiteId: (r.target_site_id as string | null) ?? null,
      detail: (r.detail as string | null) ?? null,
    }));
  }

  /** Writes the roll call and all its entries (insert or replace), in one transaction. */
  saveRollCall(meetingId: string, startedBy: string, rc: RollCall): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO roll_calls (id, meeting_id, started_at, ended_at, started_by) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT(id) DO UPDATE SET ended_at = excluded.ended_at`,
        )
        .run(rc.id, meetingId, new Date(rc.startedAt).toISOString(), isoOrNull(rc.endedAt), startedBy);
      const up = this.db.prepare(
        `INSERT INTO attendance (roll_call_id, site_id, site_code, site_name, position, status, head_count, reason, at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(roll_call_id, site_id) DO UPDATE SET status = excluded.status, head_count = excluded.head_count,
           reason = excluded.reason, at = excluded.at`,
      );
      rc.entries.forEach((e, i) => {
        up.run(rc.id, e.siteId, e.siteCode, e.siteName, i, e.status, e.headCount, e.reason, isoOrNull(e.at));
      });
    })();
  }

  /** Every roll call of a meeting, oldest first, with its entries in roll order. */
  rollCalls(meetingId: string): StoredRollCall[] {
    const calls = this.db.prepare('SELECT * FROM roll_calls WHERE meeting_id = ? ORDER BY started_at, id').all(meetingId) as Row[];
    const entries = this.db.prepare('SELECT * FROM attendance WHERE roll_call_id = ? ORDER BY position');
    return calls.map((c) => ({
      id: c.id as string,
      meetingId: c.meeting_id as string,
      startedBy: c.started_by as string,
      startedAt: Date.parse(c.started_at as string),
      endedAt: msOrNull(c.ended_at),
      entries: (entries.all(c.id) as Row[]).map(
        (r): AttendanceEntry => ({
          siteId: r.site_id as string,
          siteCode: r.site_code as string,
          siteName: r.site_name as string,
          status: r.status as AttendanceStatus,
          headCount: (r.head_count as number | null) ?? null,
          reason: (r.reason as string | null) ?? null,
          at: msOrNull(r.at),
        }),
      ),
    }));
  }
}
