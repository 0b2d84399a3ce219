import type { MessageKey } from './messages';
import { type Locale, translate } from './translate';

export type { Locale };

const stored = typeof localStorage !== 'undefined' ? localStorage.getItem('lt_locale') : null;
const fromUrl = typeof location !== 'undefined' ? new URLSearchParams(location.search).get('lang') : null;

export const i18n = $state<{ locale: Locale }>({ locale: fromUrl === 'en' || (fromUrl === null && stored === 'en') ? 'en' : 'vi' });

export function setLocale(l: Locale): void {
  i18n.locale = l;
  localStorage.setItem('lt_locale', l);
  document.documentElement.lang = l;
}

export function t(key: MessageKey): string {
  return translate(i18n.locale, key);
}
