// Step: the demo network (snmpsimd agents and their inventory, flagged demo), started once a
// site tree is known; which district is cut comes from the config, not from the tree's order.
import { join } from 'node:path';
import type { Logger } from '@lienthong/kit';
import type { NmsConfig } from '../config/schema';
import { demoPlan, startSnmpsim } from '../demo/demo';
import type { Inventory } from '../domain/inventory';
import type { SiteInfo } from '../domain/monitor';
import type { Stoppers } from './lifecycle';

export function startDemo(
  config: NmsConfig,
  dataDir: string,
  sites: SiteInfo[],
  inventory: Inventory,
  logger: Logger,
  stoppers: Stoppers,
): void {
  const { basePort, districts, cutSiteCode } = config.demo;
  const plan = demoPlan(sites, basePort, { districts, cutSiteCode });
  const child = startSnmpsim(join(dataDir, 'demo-agents'), basePort, plan.files);
  child.on('exit', (code) => logger.warn({ code }, 'demo snmpsimd exited'));
  child.on('error', (e) => logger.warn({ err: e.message }, 'demo snmpsimd could not start (is snmpsim installed?)'));
  stoppers.add(() => {
    child.kill('SIGTERM');
  });
  inventory.import(plan.inventory);
  logger.info({ devices: plan.inventory.devices?.length, port: basePort }, 'DEMO: simulated devices started (snmpsimd), flagged demo');
}
