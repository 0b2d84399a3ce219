// The readiness board as the page shows it: counts per level, sites cut off by one link folded
// under it, the rest grouped under their parent, and the sites still to check.
import type { ReadinessBoard, ReadinessSite } from '@lienthong/sfu-server/protocol';

export type Level = 'green' | 'amber' | 'red';
export const LEVELS: readonly Level[] = ['green', 'amber', 'red'];

/** Per depth (0 province, 1 district, 2 commune and below): how many sites are green, amber, red. */
export function countsByDepth(sites: readonly ReadinessSite[]): { depth: number; counts: Record<Level, number> }[] {
  const out = new Map<number, Record<Level, number>>();
  for (const s of sites) {
    const d = Math.min(s.depth, 2);
    const c = out.get(d) ?? { green: 0, amber: 0, red: 0 };
    c[s.readiness] += 1;
    out.set(d, c);
  }
  return [...out].sort(([a], [b]) => a - b).map(([depth, counts]) => ({ depth, counts }));
}

export interface BoardView {
  faults: { linkId: string; linkName: string; sites: ReadinessSite[] }[];
  /** The other sites, under their parent's name (the sites without a parent on the board under ''). */
  groups: [string, ReadinessSite[]][];
  unchecked: ReadinessSite[];
}

export function boardView(b: ReadinessBoard): BoardView {
  const byId = new Map(b.sites.map((s) => [s.siteId, s]));
  const folded = new Set(b.faults.flatMap((f) => f.siteIds));
  const faults = b.faults.map((f) => ({ linkId: f.linkId, linkName: f.linkName, sites: f.siteIds.flatMap((id) => byId.get(id) ?? []) }));
  const groups = new Map<string, ReadinessSite[]>();
  for (const s of b.sites) {
    if (folded.has(s.siteId)) continue;
    const parent = s.parentId ? byId.get(s.parentId) : undefined;
    // A district's communes sit under it; a district under the province's name.
    const key = parent && parent.depth > 0 ? parent.siteName : s.depth <= 1 ? '' : (parent?.siteName ?? '');
    const list = groups.get(key) ?? [];
    list.push(s);
    groups.set(key, list);
  }
  return { faults, groups: [...groups], unchecked: b.sites.filter((s) => s.check === null) };
}
