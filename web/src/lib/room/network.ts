// The chair console's line on why a site's quality is down, from the server's room:network
// (what nms says about the site's path), and the quality report's list of link changes, in the
// reader's language.
import type { LinkHealthReason } from '@lienthong/nms/protocol';
import type { NetworkCause } from '@lienthong/sfu-server/protocol';
import { type Locale, translate } from '../i18n/translate';
import { reasonsText } from '../network/wording';

const STATE_KEYS = {
  up: 'netStateUp',
  degraded: 'netStateDegraded',
  down: 'netStateDown',
  flapping: 'netStateFlapping',
  unknown: 'netStateUnknown',
} as const;

type Reasons = Extract<NetworkCause, { kind: 'link' }>['reasons'];

const stateText = (state: string, locale: Locale) => {
  const key = STATE_KEYS[state as keyof typeof STATE_KEYS];
  return key ? translate(locale, key) : state;
};
// A code this build does not word shows as it is.
const why = (reasons: Reasons, locale: Locale) =>
  reasonsText(
    reasons.map((r) => ({ ...r, code: r.code as LinkHealthReason['code'], text: r.code })),
    locale,
  );

export function causeLine(cause: NetworkCause, locale: Locale): string {
  const tr = (key: Parameters<typeof translate>[1]) => translate(locale, key);
  if (cause.kind === 'site') return tr('netCauseSite');
  if (cause.kind === 'unknown') return tr('netCauseUnknown');
  const line = tr('netCauseLink')
    .replace('{link}', cause.linkName)
    .replace('{state}', stateText(cause.state, locale))
    .replace('{why}', why(cause.reasons, locale) || '–');
  return cause.alsoFaulty > 0 ? `${line}; ${tr('netCauseMore').replace('{n}', String(cause.alsoFaulty))}` : line;
}

/** A change of a link on a site's path, as the quality report lists it: "x-uplink: Suy giảm (Mất gói 4%)". */
export function linkChangeText(n: { linkName: string; state: string; reasons: Reasons }, locale: Locale): string {
  const reasons = why(n.reasons, locale);
  return `${n.linkName}: ${stateText(n.state, locale)}${reasons ? ` (${reasons})` : ''}`;
}
