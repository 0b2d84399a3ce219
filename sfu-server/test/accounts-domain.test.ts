import { AppError } from '@lienthong/kit';
import { afterEach, describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../src/domain/accounts/password';
import { AccountService } from '../src/domain/accounts/service';
import { FAST_SCRYPT, seededDomain } from './support/core';

type D = Awaited<ReturnType<typeof seededDomain>>;
let d: D;
afterEach(() => d?.store.close());

async function codeOf(fn: () => unknown): Promise<string> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof AppError) return e.code;
    throw e;
  }
  throw new Error('expected an AppError');
}

describe('password hashing', () => {
  it('uses scrypt with a per-hash salt and checks in constant time', async () => {
    const a = await hashPassword('mật khẩu dài', FAST_SCRYPT);
    const b = await hashPassword('mật khẩu dài', FAST_SCRYPT);
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('mật khẩu dài', a)).toBe(true);
    expect(await verifyPassword('mật khẩu dàI', a)).toBe(false);
    expect(await verifyPassword('x', 'garbage')).toBe(false);
  });
});

describe('login and lock-out', () => {
  it('locks one address for one account after maxFailedLogins failures, not the account everywhere', async () => {
    d = await seededDomain();
    expect((await d.accounts.authenticate('p.cuvan', 'password-123', '10.0.0.9')).username).toBe('p.cuvan');
    for (let i = 0; i < 3; i++)
      expect(await codeOf(() => d.accounts.authenticate('p.cuvan', 'wrong-password', '10.0.0.66'))).toBe('INVALID_CREDENTIALS');
    // The guesser's address is locked out, even with the right password...
    expect(await codeOf(() => d.accounts.authenticate('p.cuvan', 'password-123', '10.0.0.66'))).toBe('LOGIN_LOCKED');
    // ...the owner at their own PC is not, and the account itself is not locked.
    expect((await d.accounts.authenticate('p.cuvan', 'password-123', '10.0.0.9')).id).toBe(d.users.cuvan.id);
    expect(d.accounts.get(d.users.cuvan.id).lockedUntil).toBeNull();
    d.clock.advance(601_000);
    expect((await d.accounts.authenticate('p.cuvan', 'password-123', '10.0.0.66')).id).toBe(d.users.cuvan.id);
  });

  it('locks the account when guesses come from many addresses, until an admin unlocks it', async () => {
    d = await seededDomain();
    for (let i = 0; i < 50; i++)
      expect(await codeOf(() => d.accounts.authenticate('p.cuvan', 'wrong-password', `10.1.${i}.1`))).toBe('INVALID_CREDENTIALS');
    expect(await codeOf(() => d.accounts.authenticate('p.cuvan', 'password-123', '10.0.0.9'))).toBe('ACCOUNT_LOCKED');
    expect(d.accounts.get(d.users.cuvan.id).lockedUntil).not.toBeNull();
    d.accounts.unlock(d.actors.admin, d.users.cuvan.id);
    expect((await d.accounts.authenticate('p.cuvan', 'password-123', '10.0.0.9')).id).toBe(d.users.cuvan.id);
  });

  it('checks concurrent guesses against the limit before any hash finishes', async () => {
    d = await seededDomain();
    const guesses = Array.from({ length: 40 }, (_, i) =>
      d.accounts.authenticate('p.cuvan', i === 39 ? 'password-123' : 'wrong-password', '10.0.0.66').then(
        () => 'OK',
        (e: unknown) => (e instanceof AppError ? e.code : String(e)),
      ),
    );
    const codes = await Promise.all(guesses);
    // Only as many passwords checked as the limit allows; the rest refused without a check...
    expect(codes.filter((c) => c === 'INVALID_CREDENTIALS').length).toBe(3);
    expect(codes.filter((c) => c === 'LOGIN_LOCKED' || c === 'RATE_LIMITED').length).toBe(37);
    // ...including the right password, sent last.
    expect(['LOGIN_LOCKED', 'RATE_LIMITED']).toContain(codes[39]);
  });

  it('checks the account lock again after the hash: a right password racing a distributed guess is refused', async () => {
    d = await seededDomain();
    const outcome = (p: Promise<unknown>) =>
      p.then(
        () => 'OK',
        (e: unknown) => (e instanceof AppError ? e.code : String(e)),
      );
    // One check at a time: the right password's hash starts before the 50th failure is counted.
    const accounts = new AccountService(d.store, d.sites, d.clock, {
      maxFailedLogins: 3,
      lockoutSeconds: 600,
      loginGuard: { maxConcurrentChecks: 1, maxQueuedChecks: 100 },
    });
    const guesses = Array.from({ length: 50 }, (_, i) => outcome(accounts.authenticate('p.cuvan', 'wrong-password', `10.2.${i}.1`)));
    const right = outcome(accounts.authenticate('p.cuvan', 'password-123', '10.0.0.9'));
    expect(await Promise.all(guesses)).toEqual(Array(50).fill('INVALID_CREDENTIALS'));
    expect(await right).toBe('ACCOUNT_LOCKED');
  });

  it('does not reveal unknown users and refuses disabled accounts', async () => {
    d = await seededDomain();
    expect(await codeOf(() => d.accounts.authenticate('nobody', 'password-123'))).toBe('INVALID_CREDENTIALS');
    d.accounts.update(d.actors.opDt, d.users.cuvan.id, { disabled: true });
    expect(await codeOf(() => d.accounts.authenticate('p.cuvan', 'password-123'))).toBe('ACCOUNT_DISABLED');
  });

  it('a successful login resets the failure count', async () => {
    d = await seededDomain();
    await codeOf(() => d.accounts.authenticate('p.cuvan', 'wrong-password'));
    await codeOf(() => d.accounts.authenticate('p.cuvan', 'wrong-password'));
    await d.accounts.authenticate('p.cuvan', 'password-123');
    await codeOf(() => d.accounts.authenticate('p.cuvan', 'wrong-password'));
    await codeOf(() => d.accounts.authenticate('p.cuvan', 'wrong-password'));
    expect((await d.accounts.authenticate('p.cuvan', 'password-123')).id).toBe(d.users.cuvan.id);
  });
});

describe('user administration follows the tree', () => {
  it('an operator manages users of their subtree only and cannot grant admin', async () => {
    d = await seededDomain();
    const op = d.actors.opDt;
    const u = await d.accounts.create(op, {
      username: 'xa.labang',
      displayName: 'Đại biểu Xã La Bằng',
      siteId: d.site('TN-DT-LABANG').id,
      roles: ['participant'],
      password: 'password-123',
    });
    expect(u.siteId).toBe(d.site('TN-DT-LABANG').id);
    expect(
      await codeOf(() =>
        d.accounts.create(op, {
          username: 'xa.other',
          displayName: 'x',
          siteId: d.site('TN-VN').id,
          roles: ['participant'],
          password: 'password-123',
        }),
      ),
    ).toBe('FORBIDDEN');
    expect(
      await codeOf(() =>
        d.accounts.create(op, {
          username: 'xa.boss',
          displayName: 'x',
          siteId: d.site('TN-DT').id,
          roles: ['admin'],
          password: 'password-123',
        }),
      ),
    ).toBe('FORBIDDEN');
    expect(await codeOf(() => d.accounts.update(op, d.users.dongHy.id, { displayName: 'x' }))).toBe('FORBIDDEN');
    expect(await codeOf(() => d.accounts.update(op, u.id, { siteId: d.site('TN-VN').id }))).toBe('FORBIDDEN');
    expect(
      await codeOf(() =>
        d.accounts.create(op, {
          username: 'xa.labang',
          displayName: 'x',
          siteId: d.site('TN-DT').id,
          roles: ['participant'],
          password: 'password-123',
        }),
      ),
    ).toBe('USERNAME_TAKEN');
    expect(
      d.accounts
        .list(op)
        .map((x) => x.username)
        .sort(),
    ).toEqual(['chair.dt', 'op.dt', 'p.cuvan', 'xa.labang']);
    expect(d.accounts.list(d.actors.cuvan).map((x) => x.username)).toEqual(['p.cuvan']);
  });

  it('sessions end on logout, password change (except the current one) and when disabled', async () => {
    d = await seededDomain();
    const id = d.users.cuvan.id;
    const s1 = d.accounts.openSession(id, 3600);
    const s2 = d.accounts.openSession(id, 3600);
    d.accounts.closeSession(s1.id);
    expect(await codeOf(() => d.accounts.checkSession(s1.id, id))).toBe('UNAUTHENTICATED');
    expect(d.accounts.checkSession(s2.id, id).id).toBe(id);
    const s3 = d.accounts.openSession(id, 3600);
    await d.accounts.changeOwnPassword(d.actors.cuvan, 'password-123', 'new-password-456', s3.id);
    expect(await codeOf(() => d.accounts.checkSession(s2.id, id))).toBe('UNAUTHENTICATED');
    expect(d.accounts.checkSession(s3.id, id).id).toBe(id);
    d.accounts.update(d.actors.admin, id, { disabled: true });
    expect(await codeOf(() => d.accounts.checkSession(s3.id, id))).toBe('UNAUTHENTICATED');
    const s4 = d.accounts.openSession(d.users.dongHy.id, 60);
    d.clock.advance(61_000);
    expect(await codeOf(() => d.accounts.checkSession(s4.id, d.users.dongHy.id))).toBe('UNAUTHENTICATED');
    expect(d.accounts.purgeExpiredSessions()).toBe(0); // expired for less than a day: kept
    d.clock.advance(25 * 3600_000);
    expect(d.accounts.purgeExpiredSessions()).toBe(4);
    expect(d.store.getSession(s4.id)).toBeUndefined();
  });
});

describe('one-time passwords', () => {
  it('a reset password must be changed; the change clears it; the initial admin password is never accepted', async () => {
    d = await seededDomain();
    const svc = new AccountService(d.store, d.sites, d.clock, {
      maxFailedLogins: 3,
      lockoutSeconds: 600,
      scrypt: FAST_SCRYPT,
      initialPassword: 'initial-admin-1',
    });
    const { requirePasswordChanged } = await import('../src/domain/accounts/one-time-password');
    await svc.resetPassword(d.actors.admin, d.users.cuvan.id, 'given-by-admin-1');
    const given = await svc.authenticate('p.cuvan', 'given-by-admin-1');
    expect(given.mustChangePassword).toBe(true);
    expect(await codeOf(() => requirePasswordChanged(given))).toBe('PASSWORD_CHANGE_REQUIRED');
    expect(() => requirePasswordChanged(given, 'change_password')).not.toThrow();
    const s = svc.openSession(given.id, 3600);
    expect(await codeOf(() => svc.changeOwnPassword(d.actors.cuvan, 'given-by-admin-1', 'given-by-admin-1', s.id))).toBe('PASSWORD_REUSED');
    expect(await codeOf(() => svc.changeOwnPassword(d.actors.cuvan, 'given-by-admin-1', 'initial-admin-1', s.id))).toBe('PASSWORD_REUSED');
    expect(await svc.changeOwnPassword(d.actors.cuvan, 'given-by-admin-1', 'chosen-by-me-1', s.id)).toBe(true);
    expect(svc.record(given.id).mustChangePassword).toBe(false);
    expect(() => requirePasswordChanged(svc.record(given.id))).not.toThrow();
    expect(await svc.changeOwnPassword(d.actors.cuvan, 'chosen-by-me-1', 'chosen-by-me-2', s.id)).toBe(false);
    expect(await codeOf(() => svc.resetPassword(d.actors.admin, d.users.cuvan.id, 'initial-admin-1'))).toBe('PASSWORD_REUSED');
  });
});
