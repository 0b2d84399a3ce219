// Accounts, login with lock-out, and session bookkeeping. Users belong to a site;
// who may manage a user follows the site tree (see ../permissions).
import type { Role } from '../../protocol/session';
import type { CreateUserBody, UpdateUserBody, User } from '../../protocol/users';
import { isAdmin, managesSite, requireManagesSite, seesSite } from '../permissions';
import { type Actor, type Clock, fail, iso, newId } from '../shared';
import type { SiteService } from '../sites/service';
import { DEFAULT_LOGIN_GUARD, LoginGuard, type LoginGuardOptions } from './login-guard';
import { checkNewPassword } from './one-time-password';
import { DEFAULT_SCRYPT, hashPassword, verifyAgainstDummy, verifyPassword } from './password';
import type { AccountStore, SessionRecord, UserRecord } from './store';

export interface AccountOptions {
  maxFailedLogins: number;
  lockoutSeconds: number;
  /** The rest of the login guard's limits; defaults in login-guard.ts. */
  loginGuard?: Partial<LoginGuardOptions>;
  /** scrypt cost; tests lower it, production keeps the default. */
  scrypt?: { N: number; r: number; p: number };
  /** The configured initial administrator password (public): never accepted as a new password. */
  initialPassword?: string;
}

/** Sessions that just ended, so live connections (signalling) can end too. */
export interface SessionsEnded {
  userId: string;
  /** Only this session (logout); otherwise every session of the user but `keepSid`. */
  sid?: string;
  keepSid?: string;
  reason: 'logged_out' | 'disabled' | 'account_changed' | 'deleted' | 'password_changed';
}
export type SessionsEndedListener = (e: SessionsEnded) => void;

export class AccountService {
  private readonly guard: LoginGuard;
  private readonly endListeners = new Set<SessionsEndedListener>();

  constructor(
    private readonly store: AccountStore,
    private readonly sites: SiteService,
    private readonly clock: Clock,
    private readonly opts: AccountOptions,
  ) {
    this.guard = new LoginGuard(clock, {
      ...DEFAULT_LOGIN_GUARD,
      maxFailedLogins: opts.maxFailedLogins,
      lockoutSeconds: opts.lockoutSeconds,
      ...opts.loginGuard,
    });
  }

  /** Returns an unsubscribe function. Listener errors are isolated from the caller. */
  onSessionsEnded(listener: SessionsEndedListener): () => void {
    this.endListeners.add(listener);
    return () => this.endListeners.delete(listener);
  }

  private ended(e: SessionsEnded): void {
    for (const l of this.endListeners) {
      try {
        l(e);
      } catch {
        // a failing listener must not undo or fail a saved change
      }
    }
  }

  view(u: UserRecord): User {
    const locked = u.lockedUntil !== null && Date.parse(u.lockedUntil) > this.clock.now().getTime();
    return {
      id: u.id,
      username: u.username,
      displayName: u.displayName,
      siteId: u.siteId,
      roles: [...u.roles],
      disabled: u.disabled,
      lockedUntil: locked ? u.lockedUntil : null,
      createdAt: u.createdAt,
      updatedAt: u.updatedAt,
    };
  }

  record(id: string): UserRecord {
    return this.store.getUser(id) ?? fail('NOT_FOUND', `No user ${id}`);
  }

  get(id: string): User {
    return this.view(this.record(id));
  }

  find(id: string): User | undefined {
    const u = this.store.getUser(id);
    return u ? this.view(u) : undefined;
  }

  /** The caller as the domain sees them: current roles and site from the store. */
  actorOf(userId: string): Actor {
    const u = this.store.getUser(userId);
    if (!u || u.disabled) fail('UNAUTHENTICATED', 'The account no longer exists or is disabled');
    return { sub: u.id, siteId: u.siteId, roles: u.roles };
  }

  count(): number {
    return this.store.countUsers();
  }

  /** Users the caller may see: everyone at or below their site (admins: all); plain participants only themselves. */
  list(actor: Actor, siteId?: string): User[] {
    if (siteId !== undefined) this.sites.get(siteId);
    const tree = this.sites.tree();
    const broad = isAdmin(actor) || actor.roles.some((r) => r === 'operator' || r === 'chair');
    return this.store
      .listUsers()
      .filter((u) => (broad ? seesSite(tree, actor, u.siteId) : u.id === actor.sub))
      .filter((u) => siteId === undefined || u.siteId === siteId)
      .map((u) => this.view(u));
  }

  /** Single user, subject to the same visibility as `list`. */
  getVisible(actor: Actor, id: string): User {
    const u = this.record(id);
    if (!this.list(actor).some((v) => v.id === u.id)) fail('FORBIDDEN', 'You may not see this user');
    return this.view(u);
  }

  async create(actor: Actor, body: CreateUserBody): Promise<User> {
    this.sites.get(body.siteId);
    requireManagesSite(this.sites.tree(), actor, body.siteId, 'create users');
    this.checkGrantable(actor, body.roles);
    if (this.store.getUserByUsername(body.username)) fail('USERNAME_TAKEN', `Username ${body.username} is taken`);
    const passwordHash = await hashPassword(body.password, this.opts.scrypt ?? DEFAULT_SCRYPT);
    // Checked again after the await: another request may have taken the name meanwhile.
    if (this.store.getUserByUsername(body.username)) fail('USERNAME_TAKEN', `Username ${body.username} is taken`);
    const now = iso(this.clock.now());
    const rec: UserRecord = {
      id: newId(),
      username: body.username,
      displayName: body.displayName.trim(),
      siteId: body.siteId,
      roles: dedupe(body.roles),
      passwordHash,
      disabled: false,
      failedLogins: 0,
      lockedUntil: null,
      mustChangePassword: false,
      createdAt: now,
      updatedAt: now,
    };
    this.store.insertUser(rec);
    return this.view(rec);
  }

  update(actor: Actor, id: string, body: UpdateUserBody): User {
    const cur = this.record(id);
    const tree = this.sites.tree();
    this.requireManagesUser(actor, cur);
    if (body.siteId !== undefined && body.siteId !== cur.siteId) {
      this.sites.get(body.siteId);
      requireManagesSite(tree, actor, body.siteId, 'move users');
    }
    if (body.roles) this.checkGrantable(actor, body.roles);
    if (id === actor.sub && (body.disabled === true || (body.roles && !sameRoles(body.roles, cur.roles)))) {
      fail('FORBIDDEN', 'You may not disable yourself or change your own roles');
    }
    const next: UserRecord = {
      ...cur,
      displayName: body.displayName?.trim() ?? cur.displayName,
      siteId: body.siteId ?? cur.siteId,
      roles: body.roles ? dedupe(body.roles) : cur.roles,
      disabled: body.disabled ?? cur.disabled,
      updatedAt: iso(this.clock.now()),
    };
    // A disabled user, or one whose site or roles changed, must log in again.
    const endSessions = next.disabled || next.siteId !== cur.siteId || !sameRoles(next.roles, cur.roles);
    this.store.transaction(() => {
      this.store.updateUser(next);
      if (endSessions) this.store.revokeUserSessions(id, next.updatedAt);
    });
    if (endSessions) this.ended({ userId: id, reason: next.disabled ? 'disabled' : 'account_changed' });
    return this.view(next);
  }

  remove(actor: Actor, id: string): void {
    const cur = this.record(id);
    this.requireManagesUser(actor, cur);
    if (id === actor.sub) fail('FORBIDDEN', 'You may not delete yourself');
    const meetings = this.store.userMeetingCount(id);
    if (meetings > 0) fail('CONFLICT', `The user is named in ${meetings} meeting(s); disable the account instead`);
    this.store.deleteUser(id, iso(this.clock.now()));
    this.ended({ userId: id, reason: 'deleted' });
  }

  /** Returns whether the change was the required one (the caller's session then carries a stale claim). */
  async changeOwnPassword(actor: Actor, currentPassword: string, newPassword: string, keepSessionId: string): Promise<boolean> {
    const cur = this.record(actor.sub);
    if (!(await verifyPassword(currentPassword, cur.passwordHash))) fail('INVALID_CREDENTIALS', 'The current password is wrong');
    checkNewPassword(cur, { current: currentPassword, next: newPassword }, this.opts.initialPassword);
    await this.setPassword(cur.id, newPassword, { keepSessionId, mustChange: false });
    return cur.mustChangePassword;
  }

  /** The administrator knows the password they set: the user must change it at their next login. */
  async resetPassword(actor: Actor, id: string, newPassword: string): Promise<void> {
    const cur = this.record(id);
    this.requireManagesUser(actor, cur);
    checkNewPassword(cur, { next: newPassword }, this.opts.initialPassword);
    await this.setPassword(cur.id, newPassword, { mustChange: true });
  }

  /**
   * Administrators whose password still is the initial one (a store seeded before one-time
   * passwords existed) must change it: flags them and ends their sessions. Returns how many.
   */
  async flagInitialPasswords(initialPassword: string): Promise<number> {
    let flagged = 0;
    for (const u of this.store.listUsers()) {
      if (u.mustChangePassword || !u.roles.includes('admin') || !(await verifyPassword(initialPassword, u.passwordHash))) continue;
      const now = iso(this.clock.now());
      this.store.transaction(() => {
        this.store.updateUser({ ...u, mustChangePassword: true, updatedAt: now });
        this.store.revokeUserSessions(u.id, now);
      });
      this.ended({ userId: u.id, reason: 'password_changed' });
      flagged++;
    }
    return flagged;
  }

  unlock(actor: Actor, id: string): User {
    const cur = this.record(id);
    this.requireManagesUser(actor, cur);
    const next = { ...cur, failedLogins: 0, lockedUntil: null, updatedAt: iso(this.clock.now()) };
    this.store.updateUser(next);
    this.guard.unlockAccount(cur.username);
    return this.view(next);
  }

  /**
   * Password check behind the login guard (see login-guard.ts): refused without a check when
   * this address is rate-limited or locked for this account, or the account itself is locked.
   * `address` is the caller's network address as the server sees it (never a client header).
   */
  async authenticate(username: string, password: string, address = 'local'): Promise<UserRecord> {
    const name = username.trim().toLowerCase();
    const ticket = this.guard.begin(address, name);
    let ok = false;
    let u: UserRecord | undefined;
    try {
      u = this.store.getUserByUsername(name);
      if (u && u.lockedUntil !== null && Date.parse(u.lockedUntil) > this.clock.now().getTime()) {
        this.guard.release(ticket);
        fail('ACCOUNT_LOCKED', `Too many failed logins; try again after ${u.lockedUntil}`, { lockedUntil: u.lockedUntil });
      }
      const hash = u?.passwordHash;
      ok = await this.guard.check(async () => {
        if (hash === undefined) {
          await verifyAgainstDummy(password);
          return false;
        }
        return verifyPassword(password, hash);
      });
    } finally {
      if (!ticket.done) this.guard.finish(ticket, ok);
    }
    if (!u || !ok) {
      if (u) this.failedAgainstAccount(u.id);
      fail('INVALID_CREDENTIALS', 'Wrong username or password');
    }
    // Re-read: an admin may have disabled or locked the account while the hash ran.
    const fresh = this.store.getUser(u.id) ?? fail('INVALID_CREDENTIALS', 'Wrong username or password');
    if (fresh.lockedUntil !== null && Date.parse(fresh.lockedUntil) > this.clock.now().getTime()) {
      fail('ACCOUNT_LOCKED', `Too many failed logins; try again after ${fresh.lockedUntil}`, { lockedUntil: fresh.lockedUntil });
    }
    if (fresh.disabled) fail('ACCOUNT_DISABLED', 'This account is disabled');
    if (fresh.failedLogins !== 0 || fresh.lockedUntil !== null) this.store.updateUser({ ...fresh, failedLogins: 0, lockedUntil: null });
    return fresh;
  }

  /** Failures from everywhere: past the account threshold the account locks until it runs out or an admin unlocks it. */
  private failedAgainstAccount(userId: string): void {
    const cur = this.store.getUser(userId);
    if (!cur) return;
    const lock = this.guard.accountFailed(cur.username);
    const now = this.clock.now();
    this.store.updateUser({
      ...cur,
      failedLogins: lock ? 0 : cur.failedLogins + 1,
      lockedUntil: lock ? iso(new Date(now.getTime() + this.opts.lockoutSeconds * 1000)) : cur.lockedUntil,
    });
  }

  openSession(userId: string, ttlSeconds: number): SessionRecord {
    const now = this.clock.now();
    const s: SessionRecord = {
      id: newId(),
      userId,
      createdAt: iso(now),
      expiresAt: iso(new Date(now.getTime() + ttlSeconds * 1000)),
      revokedAt: null,
    };
    this.store.insertSession(s);
    return s;
  }

  /** The user behind a live session, or UNAUTHENTICATED (revoked, expired, user gone or disabled). */
  checkSession(sessionId: string, userId: string): UserRecord {
    const s = this.store.getSession(sessionId);
    if (!s || s.userId !== userId) fail('UNAUTHENTICATED', 'Unknown session');
    if (s.revokedAt !== null) fail('UNAUTHENTICATED', 'The session has ended (logged out)');
    if (Date.parse(s.expiresAt) <= this.clock.now().getTime()) fail('UNAUTHENTICATED', 'The session has expired');
    const u = this.store.getUser(userId);
    if (!u || u.disabled) fail('UNAUTHENTICATED', 'The account no longer exists or is disabled');
    return u;
  }

  /** Housekeeping: drops sessions expired for more than a day (kept that long for audit questions). */
  purgeExpiredSessions(): number {
    return this.store.purgeSessions(iso(new Date(this.clock.now().getTime() - 24 * 3600_000)));
  }

  closeSession(sessionId: string): void {
    const s = this.store.getSession(sessionId);
    this.store.revokeSession(sessionId, iso(this.clock.now()));
    if (s) this.ended({ userId: s.userId, sid: sessionId, reason: 'logged_out' });
  }

  /** Seeding only (no permission checks): hashes now, so the inserts can share one transaction. */
  async prepareSeedUser(u: {
    username: string;
    displayName: string;
    siteId: string;
    roles: Role[];
    password: string;
    /** The seeded administrator: its initial password is public. */
    mustChangePassword?: boolean;
  }): Promise<UserRecord> {
    const now = iso(this.clock.now());
    return {
      id: newId(),
      username: u.username,
      displayName: u.displayName,
      siteId: u.siteId,
      roles: u.roles,
      passwordHash: await hashPassword(u.password, this.opts.scrypt ?? DEFAULT_SCRYPT),
      disabled: false,
      failedLogins: 0,
      lockedUntil: null,
      mustChangePassword: u.mustChangePassword ?? false,
      createdAt: now,
      updatedAt: now,
    };
  }

  insertSeedUser(rec: UserRecord): void {
    this.store.insertUser(rec);
  }

  private async setPassword(id: string, password: string, opts: { keepSessionId?: string; mustChange: boolean }): Promise<void> {
    const { keepSessionId, mustChange } = opts;
    const passwordHash = await hashPassword(password, this.opts.scrypt ?? DEFAULT_SCRYPT);
    const cur = this.record(id);
    const now = iso(this.clock.now());
    this.store.transaction(() => {
      this.store.updateUser({ ...cur, passwordHash, failedLogins: 0, lockedUntil: null, mustChangePassword: mustChange, updatedAt: now });
      this.store.revokeUserSessions(id, now, keepSessionId);
    });
    this.ended({ userId: id, reason: 'password_changed', ...(keepSessionId ? { keepSid: keepSessionId } : {}) });
  }

  private requireManagesUser(actor: Actor, target: UserRecord): void {
    if (!managesSite(this.sites.tree(), actor, target.siteId)) fail('FORBIDDEN', 'You may not manage users of this site');
    if (!isAdmin(actor) && target.roles.includes('admin')) fail('FORBIDDEN', 'Only an administrator may manage an administrator');
  }

  private checkGrantable(actor: Actor, roles: readonly Role[]): void {
    if (!isAdmin(actor) && roles.includes('admin')) fail('FORBIDDEN', 'Only an administrator may grant the admin role');
  }
}

const dedupe = (roles: readonly Role[]): Role[] => [...new Set(roles)];
const sameRoles = (a: readonly Role[], b: readonly Role[]) => a.length === b.length && a.every((r) => b.includes(r));
