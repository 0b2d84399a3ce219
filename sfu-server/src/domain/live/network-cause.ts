// Why a site's quality is down, when the network knows: nms reports each site's path to the
// province (nearest link first) with each link's health. A faulty link on the path is the cause,
// the one highest up when several are (it is shared by more sites, the root of the rest); a path
// whose every link is up means the trouble is the site's own connection (its PC, its LAN, its
// last metres); a site nms does not know, or a path it cannot see, says nothing.
import type { NetworkCause } from '../../protocol/network';
import type { Grade } from './quality';

export interface PathLink {
  id: string;
  name: string;
  state: string;
  reasons: { code: string; value: number | null; minutes: number | null; text: string }[];
  lossRatio: number | null;
  utilisation: number | null;
  rttMs: number | null;
}

export interface SitePath {
  code: string;
  known: boolean;
  path: PathLink[];
}

const FAULTY = new Set(['degraded', 'down', 'flapping']);

/** Grades that call for an explanation. */
export const needsCause = (grade: Grade): boolean => grade === 'fair' || grade === 'poor';

export function networkCause(path: SitePath | undefined): NetworkCause {
  if (!path?.known || path.path.length === 0) return { kind: 'unknown' };
  const faulty = path.path.filter((l) => FAULTY.has(l.state));
  const top = faulty.at(-1);
  if (top)
    return {
      kind: 'link',
      linkId: top.id,
      linkName: top.name,
      state: top.state,
      reasons: top.reasons.map((r) => ({ code: r.code, value: r.value, minutes: r.minutes })),
      lossRatio: top.lossRatio,
      utilisation: top.utilisation,
      alsoFaulty: faulty.length - 1,
    };
  return path.path.every((l) => l.state === 'up') ? { kind: 'site' } : { kind: 'unknown' };
}

/** Same cause as far as a screen shows it (figures within a percentage point). */
export function sameCause(a: NetworkCause | undefined, b: NetworkCause | undefined): boolean {
  if (!a || !b) return a === b;
  if (a.kind !== 'link' || b.kind !== 'link') return a.kind === b.kind;
  const near = (x: number | null, y: number | null) => (x === null || y === null ? x === y : Math.abs(x - y) < 0.01);
  return (
    a.linkId === b.linkId &&
    a.state === b.state &&
    a.alsoFaulty === b.alsoFaulty &&
    a.reasons.map((r) => r.code).join() === b.reasons.map((r) => r.code).join() &&
    near(a.lossRatio, b.lossRatio) &&
    near(a.utilisation, b.utilisation)
  );
}

const QUIET = new Set(['up', 'unknown']);

/**
 * The links of a site's path whose state changed since `before` (link id → state), for the quality
 * report's marks. The first look reports only links that are not up: a clean path is no news.
 */
export function pathChanges(before: ReadonlyMap<string, string> | undefined, path: readonly PathLink[]): PathLink[] {
  return path.filter((l) => {
    const was = before?.get(l.id);
    return was === undefined ? !QUIET.has(l.state) : was !== l.state;
  });
}
