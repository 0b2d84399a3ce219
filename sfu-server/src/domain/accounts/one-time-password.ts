// One-time passwords. The seeded administrator's initial password is public (config file, README,
// handover notes) and a password an administrator set for someone else is known to them: either
// logs in, but the session may only see who it is, change the password and log out. REST
// (http/routes/context.ts), signalling (signalling/server.ts) and nms (a token claim) check here.
import { fail } from '../shared';

/** What a session whose password must change may still do; everything else is refused. */
export type OwnAccountAction = 'whoami' | 'change_password' | 'logout';

/** Refuses anything but the own-account actions while the password must change. */
export function requirePasswordChanged(user: { mustChangePassword?: boolean | undefined }, action?: OwnAccountAction): void {
  if (user.mustChangePassword === true && action === undefined) {
    fail('PASSWORD_CHANGE_REQUIRED', 'Change your password first: it was set by someone else or is the initial one');
  }
}

/**
 * The new password of a change: never the initial administrator password (public), and for a
 * password that must change, not the same one again.
 */
export function checkNewPassword(
  user: { mustChangePassword: boolean },
  change: { current?: string; next: string },
  initialPassword: string | undefined,
): void {
  if (initialPassword !== undefined && change.next === initialPassword) {
    fail('PASSWORD_REUSED', 'The initial administrator password is public: choose another one');
  }
  if (user.mustChangePassword && change.current !== undefined && change.next === change.current) {
    fail('PASSWORD_REUSED', 'Choose a new password, not the one you were given');
  }
}
