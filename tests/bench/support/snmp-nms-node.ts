// Our side of the SNMP bench, as its own process (its CPU is read from /proc by the bench):
// the real nms service (createNms: poller, device intake, store, in-memory series, metrics) with
// a fixed site tree instead of following sfu-server, the bench's devices imported, and its
// fastify app on loopback plain HTTP for the bench's /metrics scrapes. No demo, traps or probes.
//   node --import tsx snmp-nms-node.ts <devices.json>   prints "ready <port>" on stdout
import { readFileSync } from 'node:fs';
import { createLogger } from '@lienthong/kit';
import { generateKeyPair } from 'jose';
import { nmsDefaults } from '../../../nms/src/config/schema';
import { staticKey } from '../../../nms/src/http/auth';
import type { DeviceInput } from '../../../nms/src/protocol/inventory';
import { createNms } from '../../../nms/src/service';
import { tempDir } from '../../integration/nms-support';
import { seededSites } from '../../support/nms-sites';

const devices = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as DeviceInput[];
const { publicKey } = await generateKeyPair('EdDSA');
const nms = await createNms({
  config: {
    ...nmsDefaults,
    dataDir: tempDir('nms-bench-data-'),
    log: { level: 'silent' },
    demo: { ...nmsDefaults.demo, enabled: false },
    sites: { ...nmsDefaults.sites, followSfuServer: false },
    traps: { ...nmsDefaults.traps, enabled: false },
    probes: { ...nmsDefaults.probes, enabled: false },
  },
  logger: createLogger({ service: 'nms-bench', level: 'silent' }),
  keys: staticKey(publicKey),
  sites: seededSites(),
});
nms.inventory.import({ devices });
await nms.app.listen({ host: '127.0.0.1', port: 0 });
const address = nms.app.server.address();
console.log(`ready ${typeof address === 'object' && address ? address.port : 0}`);
process.once('SIGTERM', () => {
  void nms.close().then(() => process.exit(0));
});
