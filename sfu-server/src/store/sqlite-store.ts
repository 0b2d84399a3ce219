// better-sqlite3 adapter: the only importer of the library. WAL + synchronous=FULL so a
// committed write survives the process (or the machine) dying right after it.
import Database from 'better-sqlite3';
import type { SessionRecord, UserRecord } from '../domain/accounts/store';
import type { MeetingRecord, RoomRecord } from '../domain/meetings/store';
import type { SiteMoveRecord, SiteRecord, SiteUsage } from '../domain/sites/store';
import type { Invite } from '../protocol/meetings';
import { migrations as defaultMigrations, type Migration } from './migrations';
import { type Row, roomFrom, siteFrom, str, strOrNull, userFrom } from './rows';

export function openDatabase(path: string): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return db;
}

/** Applies the migrations not yet recorded; returns the versions applied now. */
export function migrate(db: Database.Database, list: readonly Migration[] = defaultMigrations): number[] {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const done = new Set((db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version));
  const applied: number[] = [];
  for (const m of [...list].sort((a, b) => a.version - b.version)) {
    if (done.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        m.version,
        m.name,
        new Date().toISOString(),
      );
    })();
    applied.push(m.version);
  }
  return applied;
}

/** One store object implementing every domain store interface over one connection. */
export class SqliteStore {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(readonly db: Database.Database) {}

  /** Each SQL text prepared once: preparing parses it, and sessions and users are read on every request. */
  private q(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  static open(path: string): SqliteStore {
    const db = openDatabase(path);
    migrate(db);
    return new SqliteStore(db);
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** For the health check: the connection answers. */
  ping(): boolean {
    return (this.q('SELECT 1 AS one').get() as { one: number }).one === 1;
  }

  // ---- sites
  listSites(): SiteRecord[] {
    return (this.q('SELECT * FROM sites').all() as Row[]).map(siteFrom);
  }
  insertSite(s: SiteRecord): void {
    this.q('INSERT INTO sites (id, code, name, kind, parent_id, demo, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
      s.id,
      s.code,
      s.name,
      s.kind,
      s.parentId,
      s.demo ? 1 : 0,
      s.createdAt,
      s.updatedAt,
    );
  }
  updateSite(s: SiteRecord): void {
    this.q('UPDATE sites SET code = ?, name = ?, kind = ?, parent_id = ?, demo = ?, updated_at = ? WHERE id = ?').run(
      s.code,
      s.name,
      s.kind,
      s.parentId,
      s.demo ? 1 : 0,
      s.updatedAt,
      s.id,
    );
  }
  deleteSite(id: string): void {
    this.q('DELETE FROM sites WHERE id = ?').run(id);
  }
  insertSiteMove(m: SiteMoveRecord): void {
    this.q('INSERT INTO site_moves (site_id, from_parent_id, to_parent_id, moved_at, moved_by) VALUES (?, ?, ?, ?, ?)').run(
      m.siteId,
      m.fromParentId,
      m.toParentId,
      m.movedAt,
      m.movedBy,
    );
  }
  listSiteMoves(siteId: string): SiteMoveRecord[] {
    return (this.q('SELECT * FROM site_moves WHERE site_id = ? ORDER BY id').all(siteId) as Row[]).map((r) => ({
      siteId: str(r.site_id),
      fromParentId: strOrNull(r.from_parent_id),
      toParentId: strOrNull(r.to_parent_id),
      movedAt: str(r.moved_at),
      movedBy: strOrNull(r.moved_by),
    }));
  }
  siteUsage(id: string): SiteUsage {
    const n = (sql: string, ...args: string[]) => (this.q(sql).get(...args) as { n: number }).n;
    return {
      children: n('SELECT COUNT(*) AS n FROM sites WHERE parent_id = ?', id),
      users: n('SELECT COUNT(*) AS n FROM users WHERE site_id = ?', id),
      rooms: n('SELECT COUNT(*) AS n FROM rooms WHERE site_id = ?', id),
      meetings: n(
        `SELECT COUNT(*) AS n FROM meetings WHERE host_site_id = ? OR chair_site_id = ?
           OR id IN (SELECT meeting_id FROM meeting_invites WHERE site_id = ?)`,
        id,
        id,
        id,
      ),
    };
  }

  // ---- users and sessions
  getUser(id: string): UserRecord | undefined {
    const r = this.q('SELECT * FROM users WHERE id = ?').get(id) as Row | undefined;
    return r ? userFrom(r) : undefined;
  }
  getUserByUsername(username: string): UserRecord | undefined {
    const r = this.q('SELECT * FROM users WHERE username = ?').get(username) as Row | undefined;
    return r ? userFrom(r) : undefined;
  }
  listUsers(): UserRecord[] {
    return (this.q('SELECT * FROM users ORDER BY username').all() as Row[]).map(userFrom);
  }
  countUsers(): number {
    return (this.q('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n;
  }
  insertUser(u: UserRecord): void {
    this.q(
      `INSERT INTO users (id, username, display_name, site_id, roles, password_hash, disabled, failed_logins, locked_until,
           must_change_password, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      u.id,
      u.username,
      u.displayName,
      u.siteId,
      JSON.stringify(u.roles),
      u.passwordHash,
      u.disabled ? 1 : 0,
      u.failedLogins,
      u.lockedUntil,
      u.mustChangePassword ? 1 : 0,
      u.createdAt,
      u.updatedAt,
    );
  }
  updateUser(u: UserRecord): void {
    this.q(
      `UPDATE users SET username = ?, display_name = ?, site_id = ?, roles = ?, password_hash = ?, disabled = ?, failed_logins = ?,
           locked_until = ?, must_change_password = ?, updated_at = ? WHERE id = ?`,
    ).run(
      u.username,
      u.displayName,
      u.siteId,
      JSON.stringify(u.roles),
      u.passwordHash,
      u.disabled ? 1 : 0,
      u.failedLogins,
      u.lockedUntil,
      u.mustChangePassword ? 1 : 0,
      u.updatedAt,
      u.id,
    );
  }
  deleteUser(id: string, at: string): void {
    this.transaction(() => {
      // Their sessions go with the row: keep the live ones listed as revoked for verifiers (nms).
      this.q('INSERT OR IGNORE INTO revoked_sessions SELECT id, ?, expires_at FROM sessions WHERE user_id = ? AND expires_at > ?').run(
        at,
        id,
        at,
      );
      this.q('DELETE FROM users WHERE id = ?').run(id);
    });
  }
  userMeetingCount(id: string): number {
    return (this.q('SELECT COUNT(*) AS n FROM meetings WHERE chair_user_id = ? OR created_by = ?').get(id, id) as { n: number }).n;
  }
  insertSession(s: SessionRecord): void {
    this.q('INSERT INTO sessions (id, user_id, created_at, expires_at, revoked_at) VALUES (?, ?, ?, ?, ?)').run(
      s.id,
      s.userId,
      s.createdAt,
      s.expiresAt,
      s.revokedAt,
    );
  }
  getSession(id: string): SessionRecord | undefined {
    const r = this.q('SELECT * FROM sessions WHERE id = ?').get(id) as Row | undefined;
    return r
      ? {
          id: str(r.id),
          userId: str(r.user_id),
          createdAt: str(r.created_at),
          expiresAt: str(r.expires_at),
          revokedAt: strOrNull(r.revoked_at),
        }
      : undefined;
  }
  revokeSession(id: string, at: string): void {
    this.q('UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(at, id);
  }
  listRevokedSessions(sinceIso: string, nowIso: string): { id: string; revokedAt: string; expiresAt: string }[] {
    const rows = this.q(
      `SELECT id, revoked_at, expires_at FROM sessions WHERE revoked_at IS NOT NULL AND revoked_at >= ? AND expires_at > ?
         UNION ALL SELECT id, revoked_at, expires_at FROM revoked_sessions WHERE revoked_at >= ? AND expires_at > ? ORDER BY revoked_at`,
    ).all(sinceIso, nowIso, sinceIso, nowIso) as { id: string; revoked_at: string; expires_at: string }[];
    return rows.map((r) => ({ id: r.id, revokedAt: r.revoked_at, expiresAt: r.expires_at }));
  }
  revokeUserSessions(userId: string, at: string, keep?: string): void {
    this.q('UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL AND id <> ?').run(at, userId, keep ?? '');
  }

  purgeSessions(beforeIso: string): number {
    this.q('DELETE FROM revoked_sessions WHERE expires_at < ?').run(beforeIso);
    return this.q('DELETE FROM sessions WHERE expires_at < ?').run(beforeIso).changes;
  }

  // ---- rooms
  listRooms(siteId?: string): RoomRecord[] {
    const rows = siteId
      ? this.q('SELECT * FROM rooms WHERE site_id = ? ORDER BY name').all(siteId)
      : this.q('SELECT * FROM rooms ORDER BY site_id, name').all();
    return (rows as Row[]).map(roomFrom);
  }
  getRoom(id: string): RoomRecord | undefined {
    const r = this.q('SELECT * FROM rooms WHERE id = ?').get(id) as Row | undefined;
    return r ? roomFrom(r) : undefined;
  }
  insertRoom(r: RoomRecord): void {
    this.q('INSERT INTO rooms (id, site_id, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)').run(
      r.id,
      r.siteId,
      r.name,
      r.createdAt,
      r.updatedAt,
    );
  }
  updateRoom(r: RoomRecord): void {
    this.q('UPDATE rooms SET name = ?, updated_at = ? WHERE id = ?').run(r.name, r.updatedAt, r.id);
  }
  deleteRoom(id: string): void {
    this.q('DELETE FROM rooms WHERE id = ?').run(id);
  }
  roomMeetingCount(id: string): number {
    return (this.q('SELECT COUNT(*) AS n FROM meetings WHERE room_id = ?').get(id) as { n: number }).n;
  }

  // ---- meetings
  private meetingFrom(r: Row): MeetingRecord {
    const invites = (this.q('SELECT site_id, scope FROM meeting_invites WHERE meeting_id = ? ORDER BY position').all(r.id) as Row[]).map(
      (i): Invite => ({ siteId: str(i.site_id), scope: i.scope as Invite['scope'] }),
    );
    return {
      id: str(r.id),
      title: str(r.title),
      description: str(r.description),
      startsAt: str(r.starts_at),
      endsAt: str(r.ends_at),
      hostSiteId: str(r.host_site_id),
      roomId: strOrNull(r.room_id),
      chairUserId: str(r.chair_user_id),
      chairSiteId: str(r.chair_site_id),
      invites,
      operators: (this.q('SELECT user_id FROM meeting_operators WHERE meeting_id = ? ORDER BY position').all(r.id) as Row[]).map((o) =>
        str(o.user_id),
      ),
      status: r.status as MeetingRecord['status'],
      openedEarlyAt: strOrNull(r.opened_early_at),
      cancelledAt: strOrNull(r.cancelled_at),
      cancelReason: strOrNull(r.cancel_reason),
      createdBy: str(r.created_by),
      createdAt: str(r.created_at),
      updatedAt: str(r.updated_at),
    };
  }
  getMeeting(id: string): MeetingRecord | undefined {
    const r = this.q('SELECT * FROM meetings WHERE id = ?').get(id) as Row | undefined;
    return r ? this.meetingFrom(r) : undefined;
  }
  listMeetingsEndingAfter(afterIso: string): MeetingRecord[] {
    return (this.q('SELECT * FROM meetings WHERE ends_at > ? ORDER BY starts_at, id').all(afterIso) as Row[]).map((r) =>
      this.meetingFrom(r),
    );
  }
  listMeetingsBetween(fromIso: string, toIso: string): MeetingRecord[] {
    return (this.q('SELECT * FROM meetings WHERE starts_at < ? AND ends_at > ? ORDER BY starts_at, id').all(toIso, fromIso) as Row[]).map(
      (r) => this.meetingFrom(r),
    );
  }
  findRoomClash(roomId: string, startsAt: string, endsAt: string, excludeId?: string): MeetingRecord | undefined {
    const r = this.q(
      `SELECT * FROM meetings WHERE room_id = ? AND status = 'scheduled' AND starts_at < ? AND ends_at > ? AND id <> ?
         ORDER BY starts_at LIMIT 1`,
    ).get(roomId, endsAt, startsAt, excludeId ?? '') as Row | undefined;
    return r ? this.meetingFrom(r) : undefined;
  }
  insertMeeting(m: MeetingRecord): void {
    this.transaction(() => {
      this.q(
        `INSERT INTO meetings (id, title, description, starts_at, ends_at, host_site_id, room_id, chair_user_id, chair_site_id, status,
             opened_early_at, cancelled_at, cancel_reason, created_by, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        m.id,
        m.title,
        m.description,
        m.startsAt,
        m.endsAt,
        m.hostSiteId,
        m.roomId,
        m.chairUserId,
        m.chairSiteId,
        m.status,
        m.openedEarlyAt,
        m.cancelledAt,
        m.cancelReason,
        m.createdBy,
        m.createdAt,
        m.updatedAt,
      );
      this.writeInvites(m);
    });
  }
  updateMeeting(m: MeetingRecord): void {
    this.transaction(() => {
      this.q(
        `UPDATE meetings SET title = ?, description = ?, starts_at = ?, ends_at = ?, room_id = ?, chair_user_id = ?, chair_site_id = ?,
             status = ?, opened_early_at = ?, cancelled_at = ?, cancel_reason = ?, updated_at = ? WHERE id = ?`,
      ).run(
        m.title,
        m.description,
        m.startsAt,
        m.endsAt,
        m.roomId,
        m.chairUserId,
        m.chairSiteId,
        m.status,
        m.openedEarlyAt,
        m.cancelledAt,
        m.cancelReason,
        m.updatedAt,
        m.id,
      );
      this.q('DELETE FROM meeting_invites WHERE meeting_id = ?').run(m.id);
      this.writeInvites(m);
    });
  }
  private writeInvites(m: MeetingRecord): void {
    const ins = this.q('INSERT INTO meeting_invites (meeting_id, site_id, scope, position) VALUES (?, ?, ?, ?)');
    for (const [n, i] of m.invites.entries()) ins.run(m.id, i.siteId, i.scope, n);
    this.q('DELETE FROM meeting_operators WHERE meeting_id = ?').run(m.id);
    const op = this.q('INSERT INTO meeting_operators (meeting_id, user_id, position) VALUES (?, ?, ?)');
    for (const [n, userId] of m.operators.entries()) op.run(m.id, userId, n);
  }
}
