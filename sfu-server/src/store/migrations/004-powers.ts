// Meeting powers and session ends: the console operators named for a meeting, and the
// sessions of deleted users (their rows go with the user, but verifiers such as nms must
// still learn that those tokens are dead until they would have expired).
import type { Migration } from './migration';

export const powersMigration: Migration = {
  version: 4,
  name: 'meeting console operators; revoked sessions of deleted users',
  sql: `
    CREATE TABLE meeting_operators (
      meeting_id TEXT NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
      user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      position INTEGER NOT NULL,
      PRIMARY KEY (meeting_id, user_id)
    );
    CREATE INDEX meeting_operators_user ON meeting_operators(user_id);
    CREATE TABLE revoked_sessions (
      id TEXT PRIMARY KEY,
      revoked_at TEXT NOT NULL,
      expires_at TEXT NOT NULL
    );
  `,
};
