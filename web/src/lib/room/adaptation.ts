// Wording of what adaptation shed (the server's `media:adaptation` table): the site's own
// notice, the chair console's line per site, and which tiles are paused for this site.
import type { SiteAdaptation } from '@lienthong/sfu-server/protocol';
import type { MessageKey } from '../i18n/messages';

export type Format = (key: MessageKey, vars: Record<string, string | number>) => string;

const kbps = (v: number | null) => (v === null ? '?' : String(v));

/** What the site receives, in words ("only the main picture kept, 2 videos paused"). */
export function shedWhat(s: SiteAdaptation, f: Format): string {
  return s.step === 'none' ? '' : f(`adaptStep_${s.step}`, { n: s.paused });
}

/** The site's own notice, empty when nothing was shed either way. */
export function ownNotice(s: SiteAdaptation | undefined, f: Format): string[] {
  if (!s) return [];
  const lines: string[] = [];
  if (s.step !== 'none') {
    const why = s.reason ? `: ${f(`adaptReason_${s.reason}`, {})}` : '';
    lines.push(`${f('adaptReduced', { kbps: kbps(s.linkKbps) })} — ${shedWhat(s, f)}${why}`);
  }
  if (s.sendVideoPaused) lines.push(f('adaptSendPaused', { kbps: kbps(s.uplinkKbps) }));
  return lines;
}

/** The chair console's line for a site: what it receives and sends, and why; empty when nothing was shed. */
export function consoleLine(s: SiteAdaptation | undefined, f: Format): string {
  if (!s) return '';
  const parts: string[] = [];
  if (s.step !== 'none')
    parts.push(
      f('adaptConsoleRecv', { what: shedWhat(s, f), kbps: kbps(s.linkKbps), why: s.reason ? f(`adaptReason_${s.reason}`, {}) : '' }),
    );
  if (s.sendVideoPaused) parts.push(f('adaptConsoleSend', { kbps: kbps(s.uplinkKbps) }));
  return parts.join(' · ');
}

/** Is the video from `peerId` paused for this site by adaptation (its tile shows a still picture)? */
export function pausedForMe(s: SiteAdaptation | undefined, peerId: string, mainPeerId: string | null): boolean {
  if (!s) return false;
  return s.step === 'audio-only' || (s.step === 'main-only' && peerId !== mainPeerId);
}
