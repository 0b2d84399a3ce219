// The chair console's site list for meetings of a hundred communes: each site's states, counts
// per state, and a filter by name or code (without diacritics: "cu van" finds "Xã Cù Vân") and
// by state. Groups stay under their parent site; a group with no match is left out.
import type { ControlState, Participant } from '@lienthong/sfu-server/protocol';
import type { SiteGroup } from './layout';

export const SITE_STATES = ['reconnecting', 'queued', 'micOpen', 'muted', 'noCamera', 'poor'] as const;
export type SiteState = (typeof SITE_STATES)[number];

/** What the chair may want to find: dropped out, asking to speak, mic open, muted, no camera, poor link. */
export function siteStates(p: Participant, control: Pick<ControlState, 'mics' | 'media' | 'queue'>): Set<SiteState> {
  const s = new Set<SiteState>();
  if (!p.connected) s.add('reconnecting');
  if (control.queue.some((q) => q.siteId === p.siteId)) s.add('queued');
  const mic = control.mics[p.siteId] ?? 'closed';
  if (mic === 'muted') s.add('muted');
  else if (mic === 'open' && control.media[p.peerId]?.micLive) s.add('micOpen');
  if (!control.media[p.peerId]?.camera) s.add('noCamera');
  if (p.quality.grade === 'poor') s.add('poor');
  return s;
}

/** Lower case, no diacritics (đ included), single spaces: what an operator types on any keyboard. */
export function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase().replace(/\s+/g, ' ').trim();
}

export interface ConsoleFilter {
  text: string;
  state: SiteState | null;
}

export interface ConsoleView {
  groups: SiteGroup[];
  /** Sites listed in all (before filtering) and shown now. */
  total: number;
  shown: number;
  /** Sites in each state, over every listed site (not only those shown). */
  counts: Record<SiteState, number>;
}

export function consoleView(
  groups: readonly SiteGroup[],
  control: Pick<ControlState, 'mics' | 'media' | 'queue'>,
  filter: ConsoleFilter,
): ConsoleView {
  const counts = Object.fromEntries(SITE_STATES.map((s) => [s, 0])) as Record<SiteState, number>;
  const words = fold(filter.text).split(' ').filter(Boolean);
  const out: SiteGroup[] = [];
  let total = 0;
  let shown = 0;
  for (const [heading, members] of groups) {
    const kept: Participant[] = [];
    for (const p of members) {
      total++;
      const states = siteStates(p, control);
      for (const s of states) counts[s]++;
      const hay = fold(`${p.siteName} ${p.siteCode} ${heading}`);
      if (filter.state !== null && !states.has(filter.state)) continue;
      if (!words.every((w) => hay.includes(w))) continue;
      kept.push(p);
    }
    shown += kept.length;
    if (kept.length > 0) out.push([heading, kept]);
  }
  return { groups: out, total, shown, counts };
}
