// Which media server serves which site (issue 15): an admin assigns a server to a site, and it then
// serves that site's subtree. A site's server is the server of its nearest assigned ancestor, the
// site itself included; the province server (the one at a root site) serves every other site. The
// servers form the site tree restricted to the assigned sites, linked only parent to child.
// Pure: no IO, so the rules are unit-tested and shared by the service, REST and later the cascade.
import type { ErrorCode } from '../../protocol/errors';
import { LOCAL_SERVER_ID, type MediaServer } from '../../protocol/servers';
import type { SiteTree } from '../sites/tree';

export type MediaServerRecord = MediaServer;

/** This server, standing for every site while no server is configured (a single-server install). */
export function localServer(url = ''): MediaServerRecord {
  return { id: LOCAL_SERVER_ID, name: LOCAL_SERVER_ID, url, siteId: '', createdAt: '', updatedAt: '' };
}

/** The server assigned to a root site of the tree: the province server. */
export function rootServer(tree: SiteTree, servers: readonly MediaServerRecord[]): MediaServerRecord | undefined {
  return servers.find((s) => tree.get(s.siteId)?.parentId === null);
}

/**
 * The server of the nearest assigned ancestor-or-self of the site; the province server when none
 * is assigned above it; `local` while no server is configured. Undefined for an unknown site.
 */
export function serverForSite(
  tree: SiteTree,
  servers: readonly MediaServerRecord[],
  siteId: string,
  local: MediaServerRecord = localServer(),
): MediaServerRecord | undefined {
  const path = tree.path(siteId);
  if (path.length === 0) return undefined;
  if (servers.length === 0) return local;
  const bySite = new Map(servers.map((s) => [s.siteId, s]));
  for (let i = path.length - 1; i >= 0; i--) {
    const s = bySite.get(path[i]!.id);
    if (s) return s;
  }
  return rootServer(tree, servers) ?? local;
}

/** An https URL as stored and compared: lower-case scheme and host, no trailing slash; null when not one. */
export function normalizeServerUrl(raw: string): string | null {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    return null;
  }
  if (u.protocol !== 'https:' || u.hostname === '' || u.username || u.password || u.search || u.hash) return null;
  const path = u.pathname.replace(/\/+$/, '');
  return `${u.origin}${path}`;
}

export interface AssignmentProblem {
  code: ErrorCode;
  /** The server the problem is about (the later one of a clashing pair). */
  serverId: string;
  message: string;
}

const nameKey = (name: string) => name.trim().toLocaleLowerCase('vi');

/** Each server on its own: its site exists, its URL is https. */
function recordProblems(tree: SiteTree, s: MediaServerRecord): AssignmentProblem[] {
  const out: AssignmentProblem[] = [];
  if (!tree.get(s.siteId)) out.push({ code: 'NOT_FOUND', serverId: s.id, message: `Server "${s.name}": no site ${s.siteId}` });
  if (normalizeServerUrl(s.url) === null)
    out.push({ code: 'SERVER_URL_INVALID', serverId: s.id, message: `Server "${s.name}": ${s.url} is not an https URL` });
  return out;
}

/** Two servers sharing a site, a URL or a name. */
function clashProblems(servers: readonly MediaServerRecord[]): AssignmentProblem[] {
  const out: AssignmentProblem[] = [];
  const seen = {
    id: new Map<string, string>(),
    site: new Map<string, string>(),
    url: new Map<string, string>(),
    name: new Map<string, string>(),
  };
  for (const s of servers) {
    const check = (kind: keyof typeof seen, key: string | null, code: ErrorCode, what: string) => {
      if (key === null) return;
      const other = seen[kind].get(key);
      if (other !== undefined)
        out.push({ code, serverId: s.id, message: `Server "${s.name}": ${what} already belongs to server "${other}"` });
      else seen[kind].set(key, s.name);
    };
    check('id', s.id, 'SERVER_ID_TAKEN', `the id ${s.id}`);
    check('site', s.siteId, 'SERVER_SITE_TAKEN', 'its site');
    check('url', normalizeServerUrl(s.url), 'SERVER_URL_TAKEN', `the URL ${s.url}`);
    check('name', nameKey(s.name), 'SERVER_NAME_TAKEN', 'the name');
  }
  return out;
}

/**
 * Everything wrong with an assignment, empty when it holds: each server's site exists; URLs are
 * https and unique; names are unique; at most one server per site; and, unless there are no
 * servers at all, exactly one server at a root site of the tree (the province server).
 */
export function validateAssignment(tree: SiteTree, servers: readonly MediaServerRecord[]): AssignmentProblem[] {
  const out = [...servers.flatMap((s) => recordProblems(tree, s)), ...clashProblems(servers)];
  if (servers.length === 0) return out;
  const atRoot = servers.filter((s) => tree.get(s.siteId)?.parentId === null);
  if (atRoot.length === 0)
    out.push({
      code: 'SERVER_ROOT_REQUIRED',
      serverId: servers[0]!.id,
      message: 'Exactly one server must serve the province (a top-level site); none does',
    });
  for (const extra of atRoot.slice(1))
    out.push({
      code: 'SERVER_ROOT_TAKEN',
      serverId: extra.id,
      message: `Server "${extra.name}": "${atRoot[0]!.name}" already serves a top-level site; there is one province server`,
    });
  return out;
}

/** Each server's parent in the server tree (null for the province server). */
export type ServerTree = ReadonlyMap<string, string | null>;

/**
 * The parent of each server: the server of its site's nearest assigned strict ancestor, or the
 * province server for a server under another root. Links run only between parent and child.
 */
export function serverTree(tree: SiteTree, servers: readonly MediaServerRecord[]): ServerTree {
  const bySite = new Map(servers.map((s) => [s.siteId, s]));
  const root = rootServer(tree, servers);
  const out = new Map<string, string | null>();
  for (const s of servers) {
    if (s === root) {
      out.set(s.id, null);
      continue;
    }
    const ancestors = tree.path(s.siteId).slice(0, -1).reverse();
    const parent = ancestors.map((a) => bySite.get(a.id)).find((p) => p !== undefined) ?? root;
    out.set(s.id, parent && parent.id !== s.id ? parent.id : null);
  }
  return out;
}

/** From a server up to its root: itself first. Stops on a cycle (not possible for a valid tree). */
function upward(links: ServerTree, id: string): string[] {
  const out: string[] = [];
  let cur: string | null | undefined = id;
  while (cur != null && links.has(cur) && !out.includes(cur)) {
    out.push(cur);
    cur = links.get(cur);
  }
  return out;
}

/**
 * The servers along the tree path from one server to another, both included: a stream from
 * `to`'s side is asked for only from `path[1]`, the next hop. Empty when either is unknown or
 * they are not connected.
 */
export function pathBetween(links: ServerTree, fromServerId: string, toServerId: string): string[] {
  const up = upward(links, fromServerId);
  const down = upward(links, toServerId);
  if (up.length === 0 || down.length === 0) return [];
  const meet = up.findIndex((id) => down.includes(id));
  if (meet < 0) return [];
  const tail = down.slice(0, down.indexOf(up[meet]!)).reverse();
  return [...up.slice(0, meet + 1), ...tail];
}
