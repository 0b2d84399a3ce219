// What the network monitor said about the links on each site's path while the site was in a
// meeting (a link turning degraded, down, flapping or back up), marked on its quality report.
import type { Migration } from './migration';

export const networkEventsMigration: Migration = {
  version: 7,
  name: "changes of the links on each site's path during meetings",
  sql: `
    CREATE TABLE meeting_network_events (
      meeting_id TEXT NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
      site_id TEXT NOT NULL,
      at INTEGER NOT NULL,
      link_id TEXT NOT NULL,
      link_name TEXT NOT NULL,
      state TEXT NOT NULL,
      reasons_json TEXT NOT NULL
    );
    CREATE INDEX meeting_network_events_meeting ON meeting_network_events(meeting_id, at);
  `,
};
