// Message helpers for the admin screens: placeholders, labels by code, and coded errors.
import type { ImportProblem } from '@lienthong/sfu-server/protocol';
import { ApiError } from '../api/client';
import { t } from '../i18n/i18n.svelte';
import type { MessageKey } from '../i18n/messages';

/** t() with {name} placeholders. */
export function tf(key: MessageKey, vars: Record<string, string | number>): string {
  return t(key).replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}

function has(key: string): key is MessageKey {
  // Keys are checked at runtime: kinds, roles and codes come from the server.
  return t(key as MessageKey) !== undefined;
}

export const kindLabel = (kind: string): string => (has(`kind_${kind}`) ? t(`kind_${kind}` as MessageKey) : kind);
export const roleLabel = (role: string): string => (has(`role_${role}`) ? t(`role_${role}` as MessageKey) : role);
export const phaseLabel = (phase: string): string => (has(`phase_${phase}`) ? t(`phase_${phase}` as MessageKey) : phase);

/** The localized meaning of a coded error, with the code and the server's wording for support. */
export function errorText(e: unknown): string {
  if (e instanceof ApiError) {
    const key = `err_${e.code}`;
    const label = has(key) ? t(key as MessageKey) : t('error');
    return `${label} (${e.code}): ${e.message}`;
  }
  return e instanceof Error ? e.message : String(e);
}

/** The rows an import was refused for (the server's `details.problems` with line numbers). */
export function importProblems(e: unknown): ImportProblem[] {
  if (!(e instanceof ApiError)) return [];
  const d = e.details as { problems?: unknown } | undefined;
  if (!Array.isArray(d?.problems)) return [];
  return d.problems.filter((p): p is ImportProblem => typeof (p as ImportProblem)?.line === 'number');
}
