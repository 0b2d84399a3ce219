// Technical checks sites made (who, when, what they found) and reminders sent to sites that
// had not checked before a meeting.
import type { Migration } from './migration';

export const readinessMigration: Migration = {
  version: 8,
  name: 'technical checks of sites and reminders to check before meetings',
  sql: `
    CREATE TABLE tech_checks (
      site_id TEXT NOT NULL,
      user_id TEXT NOT NULL,
      user_name TEXT NOT NULL,
      at INTEGER NOT NULL,
      camera INTEGER NOT NULL,
      microphone INTEGER NOT NULL,
      speaker INTEGER NOT NULL,
      media_path TEXT NOT NULL,
      rtt_ms REAL,
      loss REAL
    );
    CREATE INDEX tech_checks_site ON tech_checks(site_id, at);
    CREATE TABLE readiness_reminders (
      meeting_id TEXT NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
      site_id TEXT NOT NULL,
      at INTEGER NOT NULL,
      by_user_id TEXT NOT NULL,
      by_name TEXT NOT NULL
    );
    CREATE INDEX readiness_reminders_site ON readiness_reminders(site_id, at);
  `,
};
