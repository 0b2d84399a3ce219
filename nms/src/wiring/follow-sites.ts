// Step: follow sfu-server's site directory; each new tree is stored (for the next start)
// and handed to everything that uses sites.
import type { Logger } from '@lienthong/kit';
import { SITE_DIRECTORY_PATH } from '@lienthong/kit/contracts';
import type { NmsConfig } from '../config/schema';
import { followSiteDirectory } from '../sites-sync';
import type { NmsStore } from '../store/db';
import { trustedCa } from './auth';
import type { Stoppers } from './lifecycle';
import type { SiteTree } from './site-tree';

export function followSfuServerSites(config: NmsConfig, store: NmsStore, tree: SiteTree, logger: Logger, stoppers: Stoppers): void {
  const sync = followSiteDirectory(
    new URL(SITE_DIRECTORY_PATH, config.auth.publicKeyUrl).toString(),
    config.sites.pollSeconds * 1000,
    logger.child({ component: 'sites' }),
    (next) => {
      store.saveSites(next);
      tree.set(next);
      logger.info({ sites: next.length }, 'site tree updated from sfu-server');
    },
    trustedCa(config),
  );
  stoppers.add(() => sync.stop());
}
