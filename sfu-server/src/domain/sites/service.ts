// Site tree use cases: create, rename, move (keeping the id, so history stays), delete,
// import and export. All reads go through a cached SiteTree snapshot.
import type { CreateSiteBody, Site, SiteMove, UpdateSiteBody } from '../../protocol/sites';
import { isAdmin, requireManagesSite } from '../permissions';
import { type Actor, type Clock, fail, iso, newId } from '../shared';
import type { SeedSite } from './seed-thai-nguyen';
import type { SiteRecord, SiteStore } from './store';
import { SiteTree } from './tree';

/** Refuses (throws a coded error) a site tree a change would leave, before it is written. */
export type TreeGuard = (next: SiteTree) => void;

export class SiteService {
  private cached: SiteTree | undefined;
  private readonly guards: TreeGuard[] = [];

  constructor(
    private readonly store: SiteStore,
    private readonly clock: Clock,
  ) {}

  /** Current snapshot; invalidated by every write through this service. */
  tree(): SiteTree {
    this.cached ??= new SiteTree(this.store.listSites());
    return this.cached;
  }

  /** For writers outside this service (imports) and after a rollback. */
  invalidate(): void {
    this.cached = undefined;
  }

  /** What else hangs on the tree (media servers) checks every move and removal through this. */
  addTreeGuard(guard: TreeGuard): void {
    this.guards.push(guard);
  }

  /** Runs the guards over the tree a change would leave; throws the first refusal. */
  checkTree(next: SiteTree): void {
    for (const g of this.guards) g(next);
  }

  view(rec: SiteRecord): Site {
    return { ...rec, level: this.tree().depth(rec.id) };
  }

  list(): Site[] {
    return this.tree()
      .ordered()
      .map((s) => this.view(s));
  }

  find(id: string): Site | undefined {
    const r = this.tree().get(id);
    return r ? this.view(r) : undefined;
  }

  get(id: string): Site {
    return this.find(id) ?? fail('NOT_FOUND', `No site ${id}`);
  }

  getByCode(code: string): Site | undefined {
    const r = this.tree().getByCode(code);
    return r ? this.view(r) : undefined;
  }

  /** Ancestors of a site, root first, without the site itself. */
  ancestors(id: string): Site[] {
    this.get(id);
    return this.tree()
      .path(id)
      .slice(0, -1)
      .map((s) => this.view(s));
  }

  /** Root first, ending with the site itself. */
  path(id: string): Site[] {
    this.get(id);
    return this.tree()
      .path(id)
      .map((s) => this.view(s));
  }

  /** The site and all its descendants. */
  subtree(id: string): Site[] {
    this.get(id);
    return this.tree()
      .subtree(id)
      .map((s) => this.view(s));
  }

  isAncestorOrSelf(ancestorId: string, id: string): boolean {
    return this.tree().isAncestorOrSelf(ancestorId, id);
  }

  create(actor: Actor, body: CreateSiteBody): Site {
    const tree = this.tree();
    if (body.parentId === null) {
      if (!isAdmin(actor)) fail('FORBIDDEN', 'Only an administrator may create a top-level site');
    } else {
      if (!tree.get(body.parentId)) fail('NOT_FOUND', `No parent site ${body.parentId}`);
      requireManagesSite(tree, actor, body.parentId, 'create sites');
    }
    if (tree.getByCode(body.code)) fail('SITE_CODE_TAKEN', `Site code ${body.code} is already used`);
    const now = iso(this.clock.now());
    const rec: SiteRecord = {
      id: newId(),
      code: body.code,
      name: body.name.trim(),
      kind: body.kind,
      parentId: body.parentId,
      demo: false,
      createdAt: now,
      updatedAt: now,
    };
    this.store.insertSite(rec);
    this.invalidate();
    return this.view(rec);
  }

  update(actor: Actor, id: string, body: UpdateSiteBody): Site {
    const tree = this.tree();
    const cur = tree.get(id) ?? fail('NOT_FOUND', `No site ${id}`);
    requireManagesSite(tree, actor, id, 'rename sites');
    const rec: SiteRecord = { ...cur, name: body.name?.trim() ?? cur.name, kind: body.kind ?? cur.kind, updatedAt: iso(this.clock.now()) };
    this.store.updateSite(rec);
    this.invalidate();
    return this.view(rec);
  }

  /** Moves a site (with its subtree) under another parent. The id, users, rooms and meetings stay. */
  move(actor: Actor, id: string, parentId: string): Site {
    const tree = this.tree();
    const cur = tree.get(id) ?? fail('NOT_FOUND', `No site ${id}`);
    if (!tree.get(parentId)) fail('NOT_FOUND', `No parent site ${parentId}`);
    requireManagesSite(tree, actor, id, 'move sites');
    requireManagesSite(tree, actor, parentId, 'move sites');
    if (!isAdmin(actor) && id === actor.siteId) fail('FORBIDDEN', 'You may not move your own site');
    if (tree.isAncestorOrSelf(id, parentId)) fail('SITE_MOVE_CYCLE', 'A site cannot move under itself or one of its descendants');
    if (cur.parentId === parentId) return this.view(cur);
    const now = iso(this.clock.now());
    const rec: SiteRecord = { ...cur, parentId, updatedAt: now };
    this.checkTree(new SiteTree(tree.all().map((s) => (s.id === id ? rec : s))));
    this.store.transaction(() => {
      this.store.updateSite(rec);
      this.store.insertSiteMove({ siteId: id, fromParentId: cur.parentId, toParentId: parentId, movedAt: now, movedBy: actor.sub });
    });
    this.invalidate();
    return this.view(rec);
  }

  remove(actor: Actor, id: string): void {
    const tree = this.tree();
    tree.get(id) ?? fail('NOT_FOUND', `No site ${id}`);
    requireManagesSite(tree, actor, id, 'delete sites');
    if (id === actor.siteId) fail('FORBIDDEN', 'You may not delete your own site');
    const usage = this.store.siteUsage(id);
    if (usage.children > 0) fail('SITE_HAS_CHILDREN', `The site still has ${usage.children} child site(s)`, usage);
    if (usage.users + usage.rooms + usage.meetings > 0) {
      fail('SITE_IN_USE', `The site still has ${usage.users} user(s), ${usage.rooms} room(s) and ${usage.meetings} meeting(s)`, usage);
    }
    this.checkTree(new SiteTree(tree.all().filter((s) => s.id !== id)));
    this.store.deleteSite(id);
    this.invalidate();
  }

  history(id: string): SiteMove[] {
    this.get(id);
    return this.store.listSiteMoves(id).map(({ siteId: _s, ...m }) => m);
  }

  /** Demo/first-start seeding: parents come before children in `seed`. */
  seed(seed: readonly SeedSite[]): void {
    const now = iso(this.clock.now());
    this.store.transaction(() => {
      const ids = new Map<string, string>();
      for (const s of seed) {
        const parentId =
          s.parentCode === null ? null : (ids.get(s.parentCode) ?? fail('VALIDATION_FAILED', `Seed parent ${s.parentCode} missing`));
        const rec: SiteRecord = {
          id: newId(),
          code: s.code,
          name: s.name,
          kind: s.kind,
          parentId,
          demo: s.demo,
          createdAt: now,
          updatedAt: now,
        };
        this.store.insertSite(rec);
        ids.set(s.code, rec.id);
      }
    });
    this.invalidate();
  }
}
