// Which media server serves each site (sfu-server's directory says so, issue 15), and which WAN
// links carry a cascade between two servers: those whose ends are served by a server and its
// parent server. A server's parent is the server of the site just above the top of its subtree
// (sfu-server's server tree, rebuilt here from the sites alone). Pure: no IO.
import type { DirectoryServer } from '@lienthong/kit/contracts';
import type { SiteNode } from './topology';

/** A cascade between a server and its parent server, as a link carries it. */
export interface CarriedCascade {
  child: DirectoryServer;
  parent: DirectoryServer;
}

export class SiteServers {
  private readonly bySite = new Map<string, DirectoryServer>();
  /** Each server's parent server id (absent for the province server or when unknown). */
  private readonly parentOf = new Map<string, string>();

  constructor(sites: readonly SiteNode[]) {
    for (const s of sites) if (s.server) this.bySite.set(s.code, s.server);
    for (const s of sites) {
      const mine = s.server;
      const above = s.parentCode === null ? undefined : this.bySite.get(s.parentCode);
      if (mine && above && above.id !== mine.id && !this.parentOf.has(mine.id)) this.parentOf.set(mine.id, above.id);
    }
  }

  /** The server serving the site; null when unknown (an older sfu-server, or a fixed tree). */
  of(code: string): DirectoryServer | null {
    return this.bySite.get(code) ?? null;
  }

  /** The parent server's id of a server; null for the province server or an unknown one. */
  parentId(serverId: string): string | null {
    return this.parentOf.get(serverId) ?? null;
  }

  /** The cascade a link between these two sites carries (either way round), else null. */
  cascadeBetween(siteA: string, siteB: string): CarriedCascade | null {
    const a = this.of(siteA);
    const b = this.of(siteB);
    if (!a || !b || a.id === b.id) return null;
    if (this.parentOf.get(a.id) === b.id) return { child: a, parent: b };
    if (this.parentOf.get(b.id) === a.id) return { child: b, parent: a };
    return null;
  }
}
