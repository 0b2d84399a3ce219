// What the server measured of each site during a meeting (quality report afterwards): samples of
// its link and the moments it dropped out and came back. Kept with the meeting, deleted with it.
import type { Migration } from './migration';

export const qualityMigration: Migration = {
  version: 6,
  name: 'per-site quality samples and connection events of meetings',
  sql: `
    CREATE TABLE meeting_quality (
      meeting_id TEXT NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
      site_id TEXT NOT NULL,
      peer_id TEXT NOT NULL,
      at INTEGER NOT NULL,
      rtt_ms REAL,
      loss REAL NOT NULL,
      jitter_ms REAL,
      send_bps INTEGER NOT NULL,
      recv_bps INTEGER NOT NULL,
      grade TEXT NOT NULL
    );
    CREATE INDEX meeting_quality_meeting ON meeting_quality(meeting_id, at);
    CREATE TABLE meeting_site_events (
      meeting_id TEXT NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
      site_id TEXT NOT NULL,
      peer_id TEXT NOT NULL,
      at INTEGER NOT NULL,
      kind TEXT NOT NULL
    );
    CREATE INDEX meeting_site_events_meeting ON meeting_site_events(meeting_id, at);
  `,
};
