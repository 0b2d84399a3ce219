// Rows of the sites, users and rooms tables as domain records.
import type { UserRecord } from '../domain/accounts/store';
import type { RoomRecord } from '../domain/meetings/store';
import type { SiteRecord } from '../domain/sites/store';
import type { Role } from '../protocol/session';
import type { SiteKind } from '../protocol/sites';

export type Row = Record<string, unknown>;
export const str = (v: unknown) => v as string;
export const strOrNull = (v: unknown) => (v === null || v === undefined ? null : (v as string));

export const siteFrom = (r: Row): SiteRecord => ({
  id: str(r.id),
  code: str(r.code),
  name: str(r.name),
  kind: r.kind as SiteKind,
  parentId: strOrNull(r.parent_id),
  demo: r.demo === 1,
  createdAt: str(r.created_at),
  updatedAt: str(r.updated_at),
});

export const userFrom = (r: Row): UserRecord => ({
  id: str(r.id),
  username: str(r.username),
  displayName: str(r.display_name),
  siteId: str(r.site_id),
  roles: JSON.parse(str(r.roles)) as Role[],
  passwordHash: str(r.password_hash),
  disabled: r.disabled === 1,
  failedLogins: Number(r.failed_logins),
  lockedUntil: strOrNull(r.locked_until),
  mustChangePassword: r.must_change_password === 1,
  createdAt: str(r.created_at),
  updatedAt: str(r.updated_at),
});

export const roomFrom = (r: Row): RoomRecord => ({
  id: str(r.id),
  siteId: str(r.site_id),
  name: str(r.name),
  createdAt: str(r.created_at),
  updatedAt: str(r.updated_at),
});
