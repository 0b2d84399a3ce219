// sfu-server owns the site tree; nms follows it by polling the public directory, so a site
// created, renamed or moved there can carry devices and links here without a restart.
import { createParser, type Logger } from '@lienthong/kit';
import { type DirectoryServer, SiteDirectoryReply } from '@lienthong/kit/contracts';
import type { SiteNode } from './domain/topology';
import { type Follower, fetchOk, repeat, type TrustedCa } from './follow';

const parser = createParser(SiteDirectoryReply);

/** Only what nms keeps of a server (a newer sfu-server may say more). */
const serverRef = (s: DirectoryServer | null | undefined): DirectoryServer | null => (s ? { id: s.id, name: s.name, url: s.url } : null);

/** Problems that make a directory unusable (we keep the last good one instead). */
export function treeProblems(sites: SiteNode[]): string[] {
  if (sites.length === 0) return ['the directory is empty'];
  const codes = new Set(sites.map((s) => s.code));
  const out: string[] = [];
  if (codes.size !== sites.length) out.push('duplicate site codes');
  for (const s of sites)
    if (s.parentCode !== null && !codes.has(s.parentCode)) out.push(`${s.code}: parent ${s.parentCode} is not in the directory`);
  return [...out, ...serverProblems(sites)];
}

/** One media server, one name and URL: a server named two ways makes the directory unusable. */
function serverProblems(sites: SiteNode[]): string[] {
  const seen = new Map<string, { code: string; key: string }>();
  const out: string[] = [];
  for (const s of sites) {
    if (!s.server) continue;
    const key = JSON.stringify([s.server.name, s.server.url]);
    const first = seen.get(s.server.id);
    if (!first) seen.set(s.server.id, { code: s.code, key });
    else if (first.key !== key) out.push(`${s.code}: server ${s.server.id} is named or addressed otherwise than at ${first.code}`);
  }
  return out;
}

export function followSiteDirectory(
  url: string,
  everyMs: number,
  logger: Logger,
  onChange: (sites: SiteNode[]) => void,
  caFile?: TrustedCa,
): Follower {
  let last = '';
  return repeat(
    async () => {
      const parsed = parser.parse(await (await fetchOk(url, caFile)).json());
      if (!parsed.ok) throw new Error(`not a site directory: ${parsed.problems.slice(0, 3).join('; ')}`);
      const sites = parsed.value.sites
        // An older sfu-server names no server: unknown (null), as an explicit null says.
        .map((s) => ({ code: s.code, name: s.name, parentCode: s.parentCode, server: serverRef(s.server) }))
        .sort((a, b) => a.code.localeCompare(b.code));
      const problems = treeProblems(sites);
      if (problems.length > 0) throw new Error(problems.slice(0, 3).join('; '));
      const key = JSON.stringify(sites);
      if (key !== last) {
        last = key;
        onChange(sites);
      }
    },
    everyMs,
    (e) => logger.warn({ url, err: e.message }, 'cannot read the site tree from sfu-server; keeping the last one'),
  );
}
