// Media servers of a cascade (issue 15): each assigned to the site whose subtree it serves. A site
// with a server cannot be deleted (the service says so first; RESTRICT is the backstop).
import type { Migration } from './migration';

export const mediaServersMigration: Migration = {
  version: 13,
  name: 'media servers',
  sql: `
    CREATE TABLE media_servers (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      url TEXT NOT NULL UNIQUE,
      site_id TEXT NOT NULL UNIQUE REFERENCES sites(id) ON DELETE RESTRICT,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );
  `,
};
