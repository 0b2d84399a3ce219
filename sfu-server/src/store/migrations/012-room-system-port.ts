// The SIP port a room system answers on, for calls the chair places to it (dial-out to its address).
import type { Migration } from './migration';

export const roomSystemPortMigration: Migration = {
  version: 12,
  name: 'room system SIP port',
  sql: `ALTER TABLE room_systems ADD COLUMN sip_port INTEGER;`,
};
