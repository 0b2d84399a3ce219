// The schema's history, oldest first: sqlite-store applies what the file has not seen yet.
import { coreMigration } from './001-core';
import { chairMigration, controlMigration } from './002-chair';
import { powersMigration } from './004-powers';
import { passwordChangeMigration } from './005-password-change';
import { qualityMigration } from './006-quality';
import { networkEventsMigration } from './007-network-events';
import { readinessMigration } from './008-readiness';
import { qualityVideoMigration } from './009-quality-video';
import { recordingsMigration } from './010-recordings';
import { roomSystemsMigration } from './011-room-systems';
import { roomSystemPortMigration } from './012-room-system-port';
import { mediaServersMigration } from './013-media-servers';
import type { Migration } from './migration';

export type { Migration } from './migration';
export const migrations: readonly Migration[] = [
  coreMigration,
  chairMigration,
  controlMigration,
  powersMigration,
  passwordChangeMigration,
  qualityMigration,
  networkEventsMigration,
  readinessMigration,
  qualityVideoMigration,
  recordingsMigration,
  roomSystemsMigration,
  roomSystemPortMigration,
  mediaServersMigration,
];
