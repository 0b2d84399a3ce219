// Lookup and placeholder filling without Svelte state, so that plain modules (and tests)
// can word things in a given language; i18n.svelte.ts adds the reader's current choice.
import { en, type MessageKey, vi } from './messages';

export type Locale = 'vi' | 'en';
export const LOCALES: readonly Locale[] = ['vi', 'en'];

export const catalogues: Readonly<Record<Locale, Readonly<Record<MessageKey, string>>>> = { vi, en };

export function translate(locale: Locale, key: MessageKey): string {
  return catalogues[locale][key];
}

/** Keys are checked at runtime where codes come from a server. */
export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(vi, key);
}

/** The `{name}` placeholders of a message, sorted and without repeats. */
export function placeholders(text: string): string[] {
  return [...new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? ''))].sort();
}
