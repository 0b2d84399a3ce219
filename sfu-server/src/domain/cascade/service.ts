// Media servers use cases: list, create, update, remove. Only administrators change them, and
// every change is checked as a whole assignment (assignment.ts) before anything is written. The
// site tree asks here before a move or removal that would strand a server.
import type { CreateServerBody, ServerAssignment, UpdateServerBody } from '../../protocol/servers';
import { isAdmin } from '../permissions';
import { type Actor, type Clock, fail, iso, newId, type Transactional } from '../shared';
import type { SiteService } from '../sites/service';
import type { SiteTree } from '../sites/tree';
import {
  localServer,
  type MediaServerRecord,
  normalizeServerUrl,
  type ServerTree,
  serverForSite,
  serverTree,
  validateAssignment,
} from './assignment';

export interface MediaServerStore extends Transactional {
  listMediaServers(): MediaServerRecord[];
  insertMediaServer(s: MediaServerRecord): void;
  updateMediaServer(s: MediaServerRecord): void;
  deleteMediaServer(id: string): void;
}

export class MediaServerService {
  private readonly local: MediaServerRecord;

  constructor(
    private readonly store: MediaServerStore,
    private readonly sites: SiteService,
    private readonly clock: Clock,
    /** This server's own URL: what every site resolves to while no server is configured. */
    localUrl: string,
  ) {
    this.local = localServer(localUrl);
    sites.addTreeGuard((next) => this.checkTree(next));
  }

  /** Province server first, then by depth of site and name. */
  list(): MediaServerRecord[] {
    const tree = this.sites.tree();
    const depth = (s: MediaServerRecord) => (tree.get(s.siteId) ? tree.depth(s.siteId) : Number.MAX_SAFE_INTEGER);
    return this.store.listMediaServers().sort((a, b) => depth(a) - depth(b) || a.name.localeCompare(b.name, 'vi'));
  }

  get(id: string): MediaServerRecord {
    return this.store.listMediaServers().find((s) => s.id === id) ?? fail('NOT_FOUND', `No media server ${id}`);
  }

  /** The server serving a site (this server while none is configured). */
  serverForSite(siteId: string): MediaServerRecord {
    return serverForSite(this.sites.tree(), this.store.listMediaServers(), siteId, this.local) ?? fail('NOT_FOUND', `No site ${siteId}`);
  }

  /** Every site with the id of the server serving it, in tree order. */
  assignments(): ServerAssignment[] {
    return [...this.serving()].map(([siteId, server]) => ({ siteId, serverId: server.id }));
  }

  /** Every site's id with the server serving it (this server while none is configured), in tree order. */
  serving(): Map<string, MediaServerRecord> {
    const tree = this.sites.tree();
    const servers = this.store.listMediaServers();
    return new Map(tree.ordered().map((s) => [s.id, serverForSite(tree, servers, s.id, this.local)!]));
  }

  /** Each server's parent server (null for the province server). */
  tree(): ServerTree {
    return serverTree(this.sites.tree(), this.store.listMediaServers());
  }

  create(actor: Actor, body: CreateServerBody): MediaServerRecord {
    this.requireAdmin(actor, 'add media servers');
    return this.insert(body);
  }

  /** A new server, checked against the whole assignment before it is written. */
  private insert(body: CreateServerBody): MediaServerRecord {
    this.sites.get(body.siteId);
    const now = iso(this.clock.now());
    const rec: MediaServerRecord = {
      id: body.id ?? newId(),
      name: body.name.trim(),
      url: this.url(body.url),
      siteId: body.siteId,
      createdAt: now,
      updatedAt: now,
    };
    this.store.transaction(() => {
      this.requireValid(this.sites.tree(), [...this.store.listMediaServers(), rec]);
      this.store.insertMediaServer(rec);
    });
    return rec;
  }

  update(actor: Actor, id: string, body: UpdateServerBody): MediaServerRecord {
    this.requireAdmin(actor, 'change media servers');
    const cur = this.get(id);
    if (body.siteId !== undefined) this.sites.get(body.siteId);
    const rec: MediaServerRecord = {
      ...cur,
      name: body.name?.trim() ?? cur.name,
      url: body.url === undefined ? cur.url : this.url(body.url),
      siteId: body.siteId ?? cur.siteId,
      updatedAt: iso(this.clock.now()),
    };
    this.store.transaction(() => {
      this.requireValid(
        this.sites.tree(),
        this.store.listMediaServers().map((s) => (s.id === id ? rec : s)),
      );
      this.store.updateMediaServer(rec);
    });
    return rec;
  }

  /** The province server goes last: with district servers left, it is refused. */
  remove(actor: Actor, id: string): void {
    this.requireAdmin(actor, 'remove media servers');
    this.get(id);
    this.store.transaction(() => {
      this.requireValid(
        this.sites.tree(),
        this.store.listMediaServers().filter((s) => s.id !== id),
      );
      this.store.deleteMediaServer(id);
    });
  }

  /** First start with demo data: the province server, assigned to the root site. */
  seedProvince(siteId: string, name: string): MediaServerRecord {
    const now = iso(this.clock.now());
    const rec: MediaServerRecord = { id: newId(), name, url: this.url(this.local.url), siteId, createdAt: now, updatedAt: now };
    this.store.transaction(() => {
      this.requireValid(this.sites.tree(), [...this.store.listMediaServers(), rec]);
      this.store.insertMediaServer(rec);
    });
    return rec;
  }

  /**
   * `npm run start:cascade`: the demo's district server, as an admin would add it (checked as create
   * checks); kept when a server with its id exists, so a restart changes nothing. Null when kept.
   */
  seedDistrict(body: CreateServerBody & { id: string }): MediaServerRecord | null {
    if (this.store.listMediaServers().some((s) => s.id === body.id)) return null;
    return this.insert(body);
  }

  /** The tree guard: a site that has a server stays, and the assignment stays valid over the new tree. */
  private checkTree(next: SiteTree): void {
    const servers = this.store.listMediaServers();
    const stranded = servers.find((s) => !next.get(s.siteId));
    if (stranded)
      fail('SITE_HAS_SERVER', `The site is served by media server "${stranded.name}": assign that server elsewhere or remove it first`, {
        serverId: stranded.id,
      });
    this.requireValid(next, servers);
  }

  private requireValid(tree: SiteTree, servers: readonly MediaServerRecord[]): void {
    const problems = validateAssignment(tree, servers);
    const first = problems[0];
    if (first) fail(first.code, first.message, { problems });
  }

  private url(raw: string): string {
    return normalizeServerUrl(raw) ?? fail('SERVER_URL_INVALID', `${raw} is not an https URL (https://host[:port][/path])`);
  }

  private requireAdmin(actor: Actor, what: string): void {
    if (!isAdmin(actor)) fail('FORBIDDEN', `Only an administrator may ${what}`);
  }
}
