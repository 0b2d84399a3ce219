// One-time passwords: the seeded administrator's initial password (public: config, README,
// handover notes) and passwords an administrator set for someone else must be changed at first login.
import type { Migration } from './migration';

export const passwordChangeMigration: Migration = {
  version: 5,
  name: 'users who must change their password before anything else',
  sql: `
    ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
  `,
};
