// The flat site list from /api/sites as a tree: children by parent, sorted by name
// with Vietnamese collation, and the rows a collapsible view shows.
import type { Site } from '@lienthong/sfu-server/protocol';

export interface SiteIndex {
  byId: Map<string, Site>;
  children: Map<string | null, Site[]>;
  roots: Site[];
}

const collator = new Intl.Collator('vi');

export function indexSites(sites: readonly Site[]): SiteIndex {
  const byId = new Map(sites.map((s) => [s.id, s]));
  const children = new Map<string | null, Site[]>();
  for (const s of sites) {
    // A parent outside the list (not visible) makes the site a root of what we show.
    const p = s.parentId !== null && byId.has(s.parentId) ? s.parentId : null;
    const list = children.get(p) ?? [];
    list.push(s);
    children.set(p, list);
  }
  for (const list of children.values()) list.sort((a, b) => collator.compare(a.name, b.name));
  return { byId, children, roots: children.get(null) ?? [] };
}

export interface TreeRow {
  site: Site;
  depth: number;
  hasChildren: boolean;
}

/** Depth-first rows, skipping the children of collapsed sites. */
export function visibleRows(idx: SiteIndex, expanded: ReadonlySet<string>, roots: readonly Site[] = idx.roots): TreeRow[] {
  const out: TreeRow[] = [];
  const walk = (s: Site, depth: number) => {
    const kids = idx.children.get(s.id) ?? [];
    out.push({ site: s, depth, hasChildren: kids.length > 0 });
    if (expanded.has(s.id)) for (const k of kids) walk(k, depth + 1);
  };
  for (const r of roots) walk(r, 0);
  return out;
}

/** The site and everything below it. */
export function subtreeIds(idx: SiteIndex, id: string): Set<string> {
  const out = new Set<string>();
  const stack = [id];
  while (stack.length) {
    const cur = stack.pop()!;
    if (out.has(cur)) continue;
    out.add(cur);
    for (const k of idx.children.get(cur) ?? []) stack.push(k.id);
  }
  return out;
}

/** "Tỉnh Thái Nguyên › Huyện Đại Từ" */
export function sitePath(idx: SiteIndex, id: string): string {
  const names: string[] = [];
  for (let s = idx.byId.get(id); s; s = s.parentId ? idx.byId.get(s.parentId) : undefined) names.unshift(s.name);
  return names.join(' › ');
}
