import type { Role } from '../../protocol/session';
import type { Transactional } from '../shared';

export interface UserRecord {
  id: string;
  username: string;
  displayName: string;
  siteId: string;
  roles: Role[];
  passwordHash: string;
  disabled: boolean;
  failedLogins: number;
  lockedUntil: string | null;
  /** The password was set by someone else (the seed's initial one, an admin's reset): change it first. */
  mustChangePassword: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface SessionRecord {
  id: string;
  userId: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
}

export interface AccountStore extends Transactional {
  getUser(id: string): UserRecord | undefined;
  getUserByUsername(username: string): UserRecord | undefined;
  listUsers(): UserRecord[];
  countUsers(): number;
  insertUser(user: UserRecord): void;
  updateUser(user: UserRecord): void;
  /** Deletes the user; their live sessions stay listed as revoked (at `at`) until they would have expired. */
  deleteUser(id: string, at: string): void;
  /** Meetings that name the user as chair or creator (a user with history is disabled, not deleted). */
  userMeetingCount(id: string): number;

  insertSession(session: SessionRecord): void;
  getSession(id: string): SessionRecord | undefined;
  revokeSession(id: string, at: string): void;
  /** Sessions revoked at or after `sinceIso` that would otherwise still be valid at `nowIso`. */
  listRevokedSessions(sinceIso: string, nowIso: string): { id: string; revokedAt: string; expiresAt: string }[];
  /** Revokes every live session of a user except `keep`. */
  revokeUserSessions(userId: string, at: string, keep?: string): void;
  /** Forgets sessions that expired before `beforeIso`; returns how many. */
  purgeSessions(beforeIso: string): number;
}
