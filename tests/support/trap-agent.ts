// A simulated router for trap tests: snmpsimd answers for one WAN interface (ifIndex 3) whose
// oper state a test rewrites, plus the ifTable varbinds a linkDown/linkUp trap carries.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { snmprec } from '../../nms/src/demo/snmprec';
import { waitFor } from '../integration/nms-support';

const run = promisify(execFile);
const IF_OPER_STATUS_3 = '1.3.6.1.2.1.2.2.1.8.3';

/** The agent's data: `name` with wan0 (ifIndex 3) up or down. */
export function routerRecord(name: string, operUp: boolean): string {
  return snmprec({
    sysName: name,
    sysDescr: `${name} (simulated trap-test router)`,
    uptimeTicks: 1_000_000,
    liveUptime: true,
    interfaces: [{ ifIndex: 3, name: 'wan0', speedBps: 1e8, operUp, inOctets: 1000n, outOctets: 1000n }],
  });
}

/** Rewrites what the agent answers and waits until it does (snmpsimd rereads a file whose mtime changed, in whole seconds). */
export async function setRouterOper(
  agent: { dataDir: string; host: string; port: number; community: string; name: string },
  operUp: boolean,
): Promise<void> {
  await new Promise((r) => setTimeout(r, 1100));
  writeFileSync(join(agent.dataDir, `${agent.community}.snmprec`), routerRecord(agent.name, operUp));
  await waitFor('the agent answers the new state', async () => {
    const { stdout } = await run('snmpget', ['-v2c', '-c', agent.community, '-Oqv', `${agent.host}:${agent.port}`, IF_OPER_STATUS_3]);
    return stdout.trim() === (operUp ? '1' : '2');
  });
}

/** ifIndex, ifAdminStatus (up) and ifOperStatus of ifIndex 3, as snmptrap arguments. */
export const ifStatusVarbinds = (oper: 1 | 2): string[] => [
  '1.3.6.1.2.1.2.2.1.1.3',
  'i',
  '3',
  '1.3.6.1.2.1.2.2.1.7.3',
  'i',
  '1',
  IF_OPER_STATUS_3,
  'i',
  String(oper),
];
