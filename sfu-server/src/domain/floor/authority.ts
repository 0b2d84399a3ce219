// Who holds the chair's powers in a live meeting. They belong to the meeting's chair USER and
// the console operators named for the meeting (a technician often runs the console for the
// chair), never to every account of the chair site. Floor rules about who speaks stay keyed
// by site (FloorControl.chairSiteId); only the authority to act is per user. Plain TS.
import { AppError } from '@lienthong/kit';
import type { ChairAuthority, Person } from './types';

export type { ChairAuthority, Person } from './types';
export type Power = 'chair' | 'operator' | 'participant';

const notChair = (message: string) => new AppError('NOT_CHAIR', message, 403);

/** The schedule's chair and operators as one comparable key. */
export const scheduleKey = (chairUserId: string, operatorIds: readonly string[]) => [chairUserId, ...operatorIds].join(',');

export function authorityFromSchedule(chair: Person, operators: readonly Person[]): ChairAuthority {
  return {
    chair: { ...chair },
    operators: operators.map((o) => ({ ...o })),
    scheduled: scheduleKey(
      chair.userId,
      operators.map((o) => o.userId),
    ),
  };
}

export const cloneAuthority = (a: ChairAuthority): ChairAuthority => ({
  chair: { ...a.chair },
  operators: a.operators.map((o) => ({ ...o })),
  scheduled: a.scheduled,
});

export function powerOf(a: ChairAuthority, userId: string): Power {
  if (a.chair.userId === userId) return 'chair';
  return a.operators.some((o) => o.userId === userId) ? 'operator' : 'participant';
}

/** The chair user or a named console operator: who acts from, and is shown, the chair's console. */
export function hasConsole(a: ChairAuthority, userId: string): boolean {
  return powerOf(a, userId) !== 'participant';
}

/** The one check behind every chair action: the chair user or a named console operator. */
export function requireChairPowers(a: ChairAuthority, userId: string): void {
  if (!hasConsole(a, userId)) throw notChair("Only the meeting's chair or its console operators may do this");
}

/** Naming console operators is the chair user's own decision. */
export function requireChairUser(a: ChairAuthority, userId: string): void {
  if (a.chair.userId !== userId) throw notChair("Only the meeting's chair may name console operators");
}

export interface HeirCandidate extends Person {
  siteId: string;
  connected: boolean;
  joinedAt: number;
  /** The account holds the chair role. */
  chairRole: boolean;
}

/**
 * Who receives the chair's powers when the chair hands over to a site: the user named, who
 * must be connected at that site; otherwise the site's earliest connected participant holding
 * the chair role, else its earliest connected participant (someone there must run the meeting).
 */
export function chooseHeir(candidates: readonly HeirCandidate[], siteId: string, named?: string): Person {
  const here = candidates.filter((c) => c.siteId === siteId && c.connected).sort((a, b) => a.joinedAt - b.joinedAt);
  if (named !== undefined) {
    const c = here.find((x) => x.userId === named);
    if (!c) throw new AppError('USER_NOT_PRESENT', 'That user is not connected at that site', 404);
    return { userId: c.userId, name: c.name };
  }
  const c = here.find((x) => x.chairRole) ?? here[0];
  if (!c) throw new AppError('SITE_NOT_PRESENT', 'That site is not in the meeting', 404);
  return { userId: c.userId, name: c.name };
}
