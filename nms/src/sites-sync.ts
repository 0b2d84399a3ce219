// sfu-server owns the site tree; nms follows it by polling the public directory, so a site
// created, renamed or moved there can carry devices and links here without a restart.
import { createParser, type Logger } from '@lienthong/kit';
import { SiteDirectoryReply } from '@lienthong/kit/contracts';
import type { SiteNode } from './domain/topology';
import { type Follower, fetchOk, repeat, type TrustedCa } from './follow';

const parser = createParser(SiteDirectoryReply);

/** Problems that make a directory unusable (we keep the last good one instead). */
export function treeProblems(sites: SiteNode[]): string[] {
  if (sites.length === 0) return ['the directory is empty'];
  const codes = new Set(sites.map((s) => s.code));
  const out: string[] = [];
  if (codes.size !== sites.length) out.push('duplicate site codes');
  for (const s of sites)
    if (s.parentCode !== null && !codes.has(s.parentCode)) out.push(`${s.code}: parent ${s.parentCode} is not in the directory`);
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
        .map((s) => ({ code: s.code, name: s.name, parentCode: s.parentCode }))
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
