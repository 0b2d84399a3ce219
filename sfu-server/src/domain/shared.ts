// Small pieces every domain service shares: the clock, the caller, coded errors, transactions.

import { AppError } from '@lienthong/kit';
import { ERROR_STATUS, type ErrorCode } from '../protocol/errors';
import type { Role } from '../protocol/session';

export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

/** Who is acting: built from the current user record, not from possibly stale token claims. */
export interface Actor {
  sub: string;
  siteId: string;
  roles: readonly Role[];
}

export function fail(code: ErrorCode, message: string, details?: unknown): never {
  throw new AppError(code, message, ERROR_STATUS[code], details);
}

/** Runs `fn` atomically; the store decides how (a SQLite transaction). */
export interface Transactional {
  transaction<T>(fn: () => T): T;
}

export const newId = (): string => globalThis.crypto.randomUUID();
export const iso = (d: Date): string => d.toISOString();
