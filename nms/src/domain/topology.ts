// The site tree and the links that carry each site up to the province. A site cut off by
// a down link above it is "unreachable because of" that link: one cause, not one alert per site.
import type { DirectoryServer } from '@lienthong/kit/contracts';
import type { SiteState } from '../protocol/health';

export interface SiteNode {
  code: string;
  name: string;
  parentCode: string | null;
  /** The media server serving the site, as sfu-server's directory names it; null or absent when unknown. */
  server?: DirectoryServer | null;
}

export interface TopoLink {
  id: string;
  name: string;
  downstreamSite: string;
  upstreamSite: string;
  role: 'primary' | 'backup';
  /** 'down' and 'flapping' count as not carrying traffic. */
  state: 'unknown' | 'up' | 'degraded' | 'down' | 'flapping';
}

export interface SiteReach {
  state: SiteState;
  cause: { linkId: string; linkName: string; siteCode: string } | null;
  path: string[];
  depth: number;
}

const carries = (l: TopoLink) => l.state !== 'down' && l.state !== 'flapping';

export class Topology {
  private readonly sites = new Map<string, SiteNode>();
  private readonly uplinks = new Map<string, TopoLink[]>();

  constructor(sites: SiteNode[], links: TopoLink[]) {
    for (const s of sites) this.sites.set(s.code, s);
    for (const l of links) {
      const list = this.uplinks.get(l.downstreamSite) ?? [];
      list.push(l);
      this.uplinks.set(l.downstreamSite, list);
    }
    for (const list of this.uplinks.values())
      list.sort((a, b) => (a.role === b.role ? a.name.localeCompare(b.name) : a.role === 'primary' ? -1 : 1));
  }

  /** Ancestors from the site (inclusive) up to the root; guards against cycles. */
  chain(code: string): string[] {
    const out: string[] = [];
    let cur: string | null = code;
    while (cur !== null && !out.includes(cur)) {
      out.push(cur);
      cur = this.sites.get(cur)?.parentCode ?? null;
    }
    return out;
  }

  depth(code: string): number {
    return this.chain(code).length - 1;
  }

  /**
   * `ownState` is the site's state from its own devices and uplink (ok/degraded/down/unmonitored/unknown).
   * A hop is cut when every link between the site and its parent is down; a working backup keeps it up.
   */
  reach(code: string, ownState: (code: string) => SiteState): SiteReach {
    const chain = this.chain(code);
    const path: string[] = [];
    let cause: SiteReach['cause'] = null;
    let degradedHop = false;
    for (const site of chain) {
      const links = this.uplinks.get(site) ?? [];
      if (links.length === 0) continue;
      path.push(links[0]!.id);
      if (links.every((l) => !carries(l))) {
        const l = links[0]!;
        cause = { linkId: l.id, linkName: l.name, siteCode: site }; // keep going: the highest cut wins
      } else if (site === code && links.some((l) => !carries(l) || l.state === 'degraded')) {
        degradedHop = true;
      }
    }
    const depth = chain.length - 1;
    if (cause) return { state: cause.siteCode === code ? 'down' : 'unreachable', cause, path, depth };
    const own = ownState(code);
    return { state: own === 'ok' && degradedHop ? 'degraded' : own, cause: null, path, depth };
  }
}
