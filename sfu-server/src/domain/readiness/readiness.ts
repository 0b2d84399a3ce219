// Is each invited site ready for a meeting? From what the site's own technical check found
// (camera, microphone, speaker, its media path through the server), what the network monitor
// says of its path, and whether it is connected now. Green: checked and clean. Amber: not checked
// yet, or checked with a weak point (relayed path, loss, a degraded link). Red: the check failed or
// the site is cut off. Red sites cut off by the same link are one fault, folded under it.

import type { MediaPathKind } from '../../protocol/readiness';

export type { MediaPathKind };

export interface TechCheck {
  siteId: string;
  userId: string;
  userName: string;
  at: number;
  camera: boolean;
  microphone: boolean;
  speaker: boolean;
  mediaPath: MediaPathKind;
  rttMs: number | null;
  lossFraction: number | null;
}

/** What nms says of the site: its state and, when cut off, the link that cuts it. */
export interface SiteNetworkState {
  state: string;
  cause: { linkId: string; linkName: string } | null;
  /** The worst link on its path that is degraded (not cut), if any. */
  degradedLink: string | null;
}

export type Readiness = 'green' | 'amber' | 'red';
export type ReadinessReason =
  | 'not_checked'
  | 'camera_failed'
  | 'microphone_failed'
  | 'speaker_failed'
  | 'relayed'
  | 'media_loss'
  | 'slow_path'
  | 'network_cut'
  | 'network_degraded'
  | 'room_unreachable';

/** A room system registered at the site, as the SIP endpoint last found it. */
export interface RoomState {
  reachability: 'reachable' | 'unreachable' | 'unknown';
  inCall: boolean;
}

/** A check older than this before the meeting does not count (a room changes in a day). */
export const CHECK_VALID_MS = 24 * 3600_000;
const LOSSY = 0.03;
const SLOW_RTT_MS = 400;

/**
 * A site whose room system answers needs no browser check to be ready: the codec is what it will
 * meet with. A room system that does not answer is a weak point (amber), not a failure: the site
 * may still join from a PC.
 */
export function siteReadiness(
  check: TechCheck | null,
  network: SiteNetworkState | null,
  rooms: readonly RoomState[] = [],
): { readiness: Readiness; reasons: ReadinessReason[] } {
  const red: ReadinessReason[] = [];
  const amber: ReadinessReason[] = [];
  if (network?.cause || network?.state === 'down' || network?.state === 'unreachable') red.push('network_cut');
  else if (network?.degradedLink || network?.state === 'degraded') amber.push('network_degraded');
  if (rooms.some((r) => r.reachability === 'unreachable' && !r.inCall)) amber.push('room_unreachable');
  const roomAnswers = rooms.some((r) => r.reachability === 'reachable' || r.inCall);
  if (!check && !roomAnswers) amber.push('not_checked');
  else if (check) {
    if (!check.camera) red.push('camera_failed');
    if (!check.microphone) red.push('microphone_failed');
    if (!check.speaker) red.push('speaker_failed');
    if (check.mediaPath.startsWith('turn')) amber.push('relayed');
    if ((check.lossFraction ?? 0) > LOSSY) amber.push('media_loss');
    if ((check.rttMs ?? 0) > SLOW_RTT_MS) amber.push('slow_path');
  }
  if (red.length > 0) return { readiness: 'red', reasons: [...red, ...amber] };
  return { readiness: amber.length > 0 ? 'amber' : 'green', reasons: amber };
}

/** The latest check of each site made in the window before (and during) the meeting. */
export function latestChecks(checks: readonly TechCheck[], startsAt: number, endsAt: number): Map<string, TechCheck> {
  const out = new Map<string, TechCheck>();
  for (const c of checks) {
    if (c.at < startsAt - CHECK_VALID_MS || c.at > endsAt) continue;
    const had = out.get(c.siteId);
    if (!had || had.at < c.at) out.set(c.siteId, c);
  }
  return out;
}

export interface FoldedFault {
  linkId: string;
  linkName: string;
  siteIds: string[];
}

/** Sites cut off by the same link: one fault with its sites, not one problem per site. */
export function foldByCause<T extends { siteId: string; network: SiteNetworkState | null }>(rows: readonly T[]): FoldedFault[] {
  const faults = new Map<string, FoldedFault>();
  for (const r of rows) {
    const c = r.network?.cause;
    if (!c) continue;
    const f = faults.get(c.linkId) ?? { linkId: c.linkId, linkName: c.linkName, siteIds: [] };
    f.siteIds.push(r.siteId);
    faults.set(c.linkId, f);
  }
  return [...faults.values()];
}
