// Meeting-room codecs (SIP room systems) registered at a site, and the number each meeting is dialled at.
import type { Migration } from './migration';

export const roomSystemsMigration: Migration = {
  version: 11,
  name: 'room systems and dial-in numbers',
  sql: `
    CREATE TABLE room_systems (
      id TEXT PRIMARY KEY,
      site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
      name TEXT NOT NULL,
      sip_user TEXT NOT NULL UNIQUE,
      address TEXT,
      created_at TEXT NOT NULL
    );
    CREATE INDEX room_systems_by_site ON room_systems (site_id);
    CREATE TABLE meeting_dial_numbers (
      meeting_id TEXT PRIMARY KEY,
      number TEXT NOT NULL UNIQUE
    );
  `,
};
