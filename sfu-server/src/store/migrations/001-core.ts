import type { Migration } from './migration';

export const coreMigration: Migration = {
  version: 1,
  name: 'sites, users, sessions, rooms, meetings',
  sql: `
      CREATE TABLE sites (
        id TEXT PRIMARY KEY,
        code TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        parent_id TEXT REFERENCES sites(id),
        demo INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        CHECK (parent_id IS NULL OR parent_id <> id)
      );
      CREATE INDEX sites_parent ON sites(parent_id);
      CREATE TABLE site_moves (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
        from_parent_id TEXT,
        to_parent_id TEXT,
        moved_at TEXT NOT NULL,
        moved_by TEXT
      );
      CREATE TABLE users (
        id TEXT PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,
        display_name TEXT NOT NULL,
        site_id TEXT NOT NULL REFERENCES sites(id),
        roles TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0,
        failed_logins INTEGER NOT NULL DEFAULT 0,
        locked_until TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX users_site ON users(site_id);
      CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        revoked_at TEXT
      );
      CREATE INDEX sessions_user ON sessions(user_id);
      CREATE TABLE rooms (
        id TEXT PRIMARY KEY,
        site_id TEXT NOT NULL REFERENCES sites(id),
        name TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (site_id, name)
      );
      CREATE TABLE meetings (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        starts_at TEXT NOT NULL,
        ends_at TEXT NOT NULL,
        host_site_id TEXT NOT NULL REFERENCES sites(id),
        room_id TEXT REFERENCES rooms(id),
        chair_user_id TEXT NOT NULL REFERENCES users(id),
        chair_site_id TEXT NOT NULL REFERENCES sites(id),
        status TEXT NOT NULL CHECK (status IN ('scheduled', 'cancelled')),
        opened_early_at TEXT,
        cancelled_at TEXT,
        cancel_reason TEXT,
        created_by TEXT NOT NULL REFERENCES users(id),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        CHECK (ends_at > starts_at)
      );
      CREATE INDEX meetings_room_window ON meetings(room_id, starts_at, ends_at);
      CREATE INDEX meetings_ends ON meetings(ends_at);
      CREATE TABLE meeting_invites (
        meeting_id TEXT NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
        site_id TEXT NOT NULL REFERENCES sites(id),
        scope TEXT NOT NULL CHECK (scope IN ('site', 'subtree')),
        position INTEGER NOT NULL,
        PRIMARY KEY (meeting_id, site_id)
      );
      CREATE INDEX meeting_invites_site ON meeting_invites(site_id);
    `,
};
