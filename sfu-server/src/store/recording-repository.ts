// Meeting recordings over the core's SQLite connection.
import type Database from 'better-sqlite3';
import type { RecordingRecord, RecordingState } from '../domain/recording/recordings';

type Row = Record<string, unknown>;

const fromRow = (r: Row): RecordingRecord => ({
  id: String(r.id),
  meetingId: String(r.meeting_id),
  startedAt: Number(r.started_at),
  endedAt: r.ended_at === null ? null : Number(r.ended_at),
  startedBy: String(r.started_by),
  startedByName: String(r.started_by_name),
  state: String(r.state) as RecordingState,
  file: String(r.file),
  sizeBytes: r.size_bytes === null ? null : Number(r.size_bytes),
  durationMs: r.duration_ms === null ? null : Number(r.duration_ms),
  error: r.error === null ? null : String(r.error),
});

export class RecordingRepository {
  constructor(private readonly db: Database.Database) {}

  insert(r: RecordingRecord): void {
    this.db
      .prepare(
        `INSERT INTO recordings (id, meeting_id, started_at, ended_at, started_by, started_by_name, state, file, size_bytes, duration_ms, error)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(r.id, r.meetingId, r.startedAt, r.endedAt, r.startedBy, r.startedByName, r.state, r.file, r.sizeBytes, r.durationMs, r.error);
  }

  finish(
    id: string,
    f: { endedAt: number; state: RecordingState; sizeBytes: number | null; durationMs: number | null; error: string | null },
  ): void {
    this.db
      .prepare('UPDATE recordings SET ended_at = ?, state = ?, size_bytes = ?, duration_ms = ?, error = ? WHERE id = ?')
      .run(f.endedAt, f.state, f.sizeBytes, f.durationMs, f.error, id);
  }

  markDeleted(id: string): void {
    this.db.prepare(`UPDATE recordings SET state = 'deleted' WHERE id = ?`).run(id);
  }

  get(id: string): RecordingRecord | undefined {
    const row = this.db.prepare('SELECT * FROM recordings WHERE id = ?').get(id) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  ofMeeting(meetingId: string): RecordingRecord[] {
    return (this.db.prepare('SELECT * FROM recordings WHERE meeting_id = ? ORDER BY started_at, rowid').all(meetingId) as Row[]).map(
      fromRow,
    );
  }

  inState(state: RecordingState): RecordingRecord[] {
    return (this.db.prepare('SELECT * FROM recordings WHERE state = ?').all(state) as Row[]).map(fromRow);
  }

  /** Finished recordings that still hold a file (for the retention sweep). */
  withFiles(): RecordingRecord[] {
    return (this.db.prepare(`SELECT * FROM recordings WHERE state IN ('done', 'interrupted')`).all() as Row[]).map(fromRow);
  }
}
