// The video side of each quality sample: the simulcast layer the site received and the freezes its
// browser counted so far (older samples have neither).
import type { Migration } from './migration';

export const qualityVideoMigration: Migration = {
  version: 9,
  name: 'received layer and video freezes in quality samples',
  sql: `
    ALTER TABLE meeting_quality ADD COLUMN layer INTEGER;
    ALTER TABLE meeting_quality ADD COLUMN freezes INTEGER;
  `,
};
