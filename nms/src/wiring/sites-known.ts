// Step: what needs sites (demo agents, the operator's inventory file) runs once a tree is known.
import type { Logger } from '@lienthong/kit';
import type { NmsConfig } from '../config/schema';
import type { Inventory } from '../domain/inventory';
import type { SiteInfo } from '../domain/monitor';
import { type DemoStatus, startDemo } from './demo';
import { importInventoryFile, readInventoryFile } from './inventory-file';
import type { Stoppers } from './lifecycle';
import type { SiteTree } from './site-tree';

/**
 * What needs sites runs once a tree is known: at start when one is given or cached (then a
 * failure stops the start, as a bad inventory file always does), else at the first directory read.
 */
export function whenSitesKnown(
  config: NmsConfig,
  tree: SiteTree,
  inventory: Inventory,
  demo: DemoStatus,
  logger: Logger,
  stoppers: Stoppers,
) {
  const file = config.inventory.importFile;
  const content = file ? readInventoryFile(file) : null;
  const run = (sites: SiteInfo[]) => {
    if (config.demo.enabled) startDemo(config, sites, inventory, demo, logger, stoppers);
    if (file && content) importInventoryFile(file, content, inventory, logger);
  };
  if (tree.known) return run(tree.list);
  if (config.demo.enabled || content) logger.info('demo devices and the inventory file wait for the site tree from sfu-server');
  tree.whenKnown((sites) => {
    try {
      run(sites);
    } catch (e) {
      logger.error({ err: e }, 'demo devices or the inventory file could not be imported');
    }
  });
}
