// The chair console's line on why a site's quality is down, from the server's room:network
// (what nms says about the site's path), in the reader's language.
import type { LinkHealthReason } from '@lienthong/nms/protocol';
import type { NetworkCause } from '@lienthong/sfu-server/protocol';
import { type Locale, translate } from '../i18n/translate';
import { reasonsText } from '../network/wording';

const STATE_KEYS = { degraded: 'netStateDegraded', down: 'netStateDown', flapping: 'netStateFlapping' } as const;

export function causeLine(cause: NetworkCause, locale: Locale): string {
  const tr = (key: Parameters<typeof translate>[1]) => translate(locale, key);
  if (cause.kind === 'site') return tr('netCauseSite');
  if (cause.kind === 'unknown') return tr('netCauseUnknown');
  const stateKey = STATE_KEYS[cause.state as keyof typeof STATE_KEYS];
  const why = reasonsText(
    // A code this build does not word shows as it is.
    cause.reasons.map((r) => ({ ...r, code: r.code as LinkHealthReason['code'], text: r.code })),
    locale,
  );
  const line = tr('netCauseLink')
    .replace('{link}', cause.linkName)
    .replace('{state}', stateKey ? tr(stateKey) : cause.state)
    .replace('{why}', why || '–');
  return cause.alsoFaulty > 0 ? `${line}; ${tr('netCauseMore').replace('{n}', String(cause.alsoFaulty))}` : line;
}
