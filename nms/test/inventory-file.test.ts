import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testConfig, testNms } from './support';

const FILE = `devices:
  - name: pb-r1
    siteCode: TN-PB
    role: router
    address: 10.9.9.1
    snmp: { version: "2c", community: s3cret-community }
links:
  - name: pb-up
    downstream: { siteCode: TN-PB, device: pb-r1, interface: wan0 }
    upstream: { siteCode: TN }
    speedBps: 100000000
    role: primary
`;

describe('inventory file at start', () => {
  it('is imported at every start, idempotently, and refused whole when invalid', async () => {
    const dataDir = testConfig().dataDir;
    const file = join(dataDir, 'inventory.yaml');
    writeFileSync(file, FILE);
    const first = await testNms({ dataDir, inventory: { importFile: file } });
    expect(first.nms.inventory.devices().map((d) => d.name)).toEqual(['pb-r1']);
    expect(first.nms.inventory.links().map((l) => l.name)).toEqual(['pb-up']);
    await first.nms.close();
    // Same file again: updated in place, not duplicated.
    const second = await testNms({ dataDir, inventory: { importFile: file } });
    expect(second.nms.inventory.devices()).toHaveLength(1);
    await second.nms.close();
    writeFileSync(file, `${FILE}  - name: broken\n`);
    await expect(testNms({ dataDir, inventory: { importFile: file } })).rejects.toMatchObject({ code: 'IMPORT_INVALID' });
  });
});
