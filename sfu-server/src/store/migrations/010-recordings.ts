// Meeting recordings: one row per start/stop; the row outlives its file (retention, deletion).
import type { Migration } from './migration';

export const recordingsMigration: Migration = {
  version: 10,
  name: 'meeting recordings',
  sql: `
    CREATE TABLE recordings (
      id TEXT PRIMARY KEY,
      meeting_id TEXT NOT NULL,
      started_at INTEGER NOT NULL,
      ended_at INTEGER,
      started_by TEXT NOT NULL,
      started_by_name TEXT NOT NULL,
      state TEXT NOT NULL,
      file TEXT NOT NULL,
      size_bytes INTEGER,
      duration_ms INTEGER,
      error TEXT
    );
    CREATE INDEX recordings_by_meeting ON recordings (meeting_id, started_at);
  `,
};
