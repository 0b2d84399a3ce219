// An immutable snapshot of the site tree for ancestry questions (permissions,
// invitation expansion). Rebuilt after every change; the tree is a few hundred nodes.
import type { SiteRecord } from './store';

export class SiteTree {
  private readonly byId = new Map<string, SiteRecord>();
  private readonly byCode = new Map<string, SiteRecord>();
  private readonly children = new Map<string, SiteRecord[]>();

  constructor(records: readonly SiteRecord[]) {
    for (const r of records) {
      this.byId.set(r.id, r);
      this.byCode.set(r.code, r);
    }
    for (const r of records) {
      if (r.parentId === null) continue;
      const list = this.children.get(r.parentId) ?? [];
      list.push(r);
      this.children.set(r.parentId, list);
    }
    for (const list of this.children.values()) list.sort((a, b) => a.code.localeCompare(b.code));
  }

  get(id: string): SiteRecord | undefined {
    return this.byId.get(id);
  }
  getByCode(code: string): SiteRecord | undefined {
    return this.byCode.get(code);
  }
  all(): SiteRecord[] {
    return [...this.byId.values()];
  }
  childrenOf(id: string): SiteRecord[] {
    return this.children.get(id) ?? [];
  }
  roots(): SiteRecord[] {
    return this.all()
      .filter((s) => s.parentId === null)
      .sort((a, b) => a.code.localeCompare(b.code));
  }

  /** Root first, ending with the site itself. Empty for an unknown id. */
  path(id: string): SiteRecord[] {
    const out: SiteRecord[] = [];
    const seen = new Set<string>();
    let cur = this.byId.get(id);
    while (cur && !seen.has(cur.id)) {
      seen.add(cur.id);
      out.unshift(cur);
      cur = cur.parentId === null ? undefined : this.byId.get(cur.parentId);
    }
    return out;
  }

  depth(id: string): number {
    return Math.max(0, this.path(id).length - 1);
  }

  isAncestorOrSelf(ancestorId: string, id: string): boolean {
    return this.path(id).some((s) => s.id === ancestorId);
  }

  /** The site and everything below it, depth first, in code order. */
  subtree(id: string): SiteRecord[] {
    const root = this.byId.get(id);
    if (!root) return [];
    const out: SiteRecord[] = [];
    const walk = (s: SiteRecord) => {
      out.push(s);
      for (const c of this.childrenOf(s.id)) walk(c);
    };
    walk(root);
    return out;
  }

  /** Whole forest, parents before children. */
  ordered(): SiteRecord[] {
    return this.roots().flatMap((r) => this.subtree(r.id));
  }
}
