// Chair-led meetings: the audit log of chair actions and roll-call attendance.
import type { Migration } from './migration';

export const chairMigration: Migration = {
  version: 2,
  name: 'meeting audit log, roll calls and attendance',
  sql: `
    CREATE TABLE meeting_audit (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      meeting_id TEXT NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
      at TEXT NOT NULL,
      actor_user_id TEXT NOT NULL,
      actor_name TEXT NOT NULL,
      actor_site_id TEXT NOT NULL,
      action TEXT NOT NULL,
      target_site_id TEXT,
      detail TEXT
    );
    CREATE INDEX meeting_audit_meeting ON meeting_audit(meeting_id, id);
    CREATE TABLE roll_calls (
      id TEXT PRIMARY KEY,
      meeting_id TEXT NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
      started_at TEXT NOT NULL,
      ended_at TEXT,
      started_by TEXT NOT NULL
    );
    CREATE INDEX roll_calls_meeting ON roll_calls(meeting_id, started_at);
    CREATE TABLE attendance (
      roll_call_id TEXT NOT NULL REFERENCES roll_calls(id) ON DELETE CASCADE,
      site_id TEXT NOT NULL,
      site_code TEXT NOT NULL,
      site_name TEXT NOT NULL,
      position INTEGER NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('pending', 'present', 'absent', 'late')),
      head_count INTEGER,
      reason TEXT,
      at TEXT,
      PRIMARY KEY (roll_call_id, site_id)
    );
  `,
};

export const controlMigration: Migration = {
  version: 3,
  name: 'chair control settings per meeting',
  sql: `
    CREATE TABLE meeting_control (
      meeting_id TEXT PRIMARY KEY REFERENCES meetings(id) ON DELETE CASCADE,
      settings TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );
  `,
};
