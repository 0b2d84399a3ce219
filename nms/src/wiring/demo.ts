// Step: the demo network (snmpsimd agents and their inventory, flagged demo), started once a
// site tree is known; which district is cut comes from the config, not from the tree's order.
// The agents' fate is in /healthz (check "demo"): a dead demo is said, not left to look like an outage.
import { rmSync } from 'node:fs';
import type { HealthRegistry, Logger } from '@lienthong/kit';
import type { NmsConfig } from '../config/schema';
import { demoPlan, privateAgentDir, startSnmpsim, traversableByOthers } from '../demo/demo';
import type { Inventory } from '../domain/inventory';
import type { SiteInfo } from '../domain/monitor';
import type { Stoppers } from './lifecycle';

/** Stable prefixes of the health reason while the demo agents are not (yet) serving. */
export const DEMO_AGENTS_STARTING = 'DEMO_AGENTS_STARTING';
export const DEMO_AGENTS_DOWN = 'DEMO_AGENTS_DOWN';
/** snmpsimd alive this long counts as started (a bad data dir makes it exit within a second). */
const SETTLE_MS = 2000;

/** The demo agents' health (no paths or tool output: /healthz is public; details go to the log). */
export class DemoStatus {
  private state = `${DEMO_AGENTS_STARTING}: waiting for the site tree from sfu-server`;
  private ok = false;

  starting(): void {
    if (!this.state.startsWith(DEMO_AGENTS_DOWN)) this.state = `${DEMO_AGENTS_STARTING}: snmpsimd is starting`;
  }

  running(): void {
    if (!this.state.startsWith(DEMO_AGENTS_DOWN)) this.ok = true;
  }

  fail(why: string): void {
    if (this.state.startsWith(DEMO_AGENTS_DOWN)) return;
    this.ok = false;
    this.state = `${DEMO_AGENTS_DOWN}: ${why}; the demo devices do not answer SNMP (details in the nms log)`;
  }

  register(health: HealthRegistry): void {
    health.register('demo', () => (this.ok ? { ok: true } : { ok: false, reason: this.state }));
  }
}

export function startDemo(
  config: NmsConfig,
  sites: SiteInfo[],
  inventory: Inventory,
  status: DemoStatus,
  logger: Logger,
  stoppers: Stoppers,
): void {
  const { basePort, districts, cutSiteCode } = config.demo;
  const plan = demoPlan(sites, basePort, { districts, cutSiteCode });
  // Not under dataDir: a checkout under a 0700 directory is closed to nobody, whom snmpsimd runs as.
  const dir = privateAgentDir();
  stoppers.add(() => rmSync(dir, { recursive: true, force: true }));
  if (process.getuid?.() === 0 && !traversableByOthers(dir))
    logger.error(
      { dir },
      'demo agent data is not reachable by user nobody (snmpsimd drops to it); set TMPDIR to a directory others can traverse',
    );
  const child = startSnmpsim(dir, basePort, plan.files, 'stderr');
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr = (stderr + d).slice(-2000);
  });
  let stopping = false;
  child.on('exit', (code, signal) => {
    if (stopping) return;
    const last = stderr.trim().split('\n').pop();
    status.fail(`snmpsimd exited (${signal ?? `code ${code}`})`);
    logger.error({ code, signal, stderr: last, dir, port: basePort }, 'demo snmpsimd exited: the demo devices do not answer SNMP');
  });
  child.on('error', (e) => {
    status.fail('snmpsimd could not start (is snmpsim installed?)');
    logger.error({ err: e.message }, 'demo snmpsimd could not start (is snmpsim installed?)');
  });
  status.starting();
  const settled = setTimeout(() => status.running(), SETTLE_MS);
  stoppers.add(() => {
    clearTimeout(settled);
    stopping = true;
    child.kill('SIGTERM');
  });
  inventory.import(plan.inventory);
  logger.info({ devices: plan.inventory.devices?.length, port: basePort, dir }, 'DEMO: simulated devices started (snmpsimd), flagged demo');
}
