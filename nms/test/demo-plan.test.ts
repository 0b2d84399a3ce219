import { rmSync, statSync } from 'node:fs';
import { HealthRegistry } from '@lienthong/kit';
import { describe, expect, it } from 'vitest';
import { nmsDefaults } from '../src/config/schema';
import { demoDistricts, demoPlan, privateAgentDir, traversableByOthers } from '../src/demo/demo';
import { DemoStatus } from '../src/wiring/demo';
import { TEST_SITES } from './fixtures/sites';

const opts = { districts: 0, cutSiteCode: nmsDefaults.demo.cutSiteCode };
const shuffled = [...TEST_SITES].reverse();

describe('demo plan without the seed', () => {
  it('cuts Phú Bình (TN-PB) by default, whatever order the tree comes in', () => {
    for (const sites of [TEST_SITES, shuffled]) {
      const plan = demoPlan(sites, 16100, opts);
      const down = plan.inventory.links!.filter((l) => plan.files[l.downstream.device!]!.includes('1.3.6.1.2.1.2.2.1.8.1|2|2'));
      expect(down.map((l) => l.name)).toEqual(['demo-tn-pb-uplink']);
      expect(plan.inventory.devices!.map((d) => d.name)[0]).toBe('demo-tn-core');
      expect(plan.inventory.devices).toHaveLength(10);
    }
    expect(demoPlan(shuffled, 16100, opts)).toEqual(demoPlan(TEST_SITES, 16100, opts));
  });

  it('keeps the cut district when only some districts are simulated; falls back to the last code', () => {
    expect(demoDistricts(TEST_SITES, { districts: 3, cutSiteCode: 'TN-PB' })!.districts.map((d) => d.code)).toEqual([
      'TN-DH',
      'TN-DHY',
      'TN-PB',
    ]);
    expect(demoDistricts(TEST_SITES, { districts: 0, cutSiteCode: 'TN-NOPE' })!.districts.at(-1)!.code).toBe('TN-VN');
    expect(demoPlan([], 16100, opts)).toEqual({ files: {}, inventory: {} });
  });
});

describe('demo agents health', () => {
  const demoCheck = async (s: DemoStatus) => {
    const h = new HealthRegistry();
    s.register(h);
    return (await h.report()).checks.demo;
  };

  it('is not ok until snmpsimd has settled, and stays down once it died', async () => {
    const s = new DemoStatus();
    expect(await demoCheck(s)).toEqual({ ok: false, reason: expect.stringMatching(/^DEMO_AGENTS_STARTING: waiting for the site tree/) });
    s.starting();
    expect((await demoCheck(s))?.ok).toBe(false);
    s.running();
    expect(await demoCheck(s)).toEqual({ ok: true });
    s.fail('snmpsimd exited (code 255)');
    const down = await demoCheck(s);
    expect(down).toEqual({ ok: false, reason: expect.stringMatching(/^DEMO_AGENTS_DOWN: snmpsimd exited \(code 255\)/) });
    s.running();
    s.fail('again');
    expect(await demoCheck(s)).toEqual(down);
  });

  it('keeps agent data where other users can traverse, not under the checkout', () => {
    const dir = privateAgentDir('nms-test-demo-');
    expect(statSync(dir).mode & 0o777).toBe(0o755);
    expect(traversableByOthers(dir)).toBe(true);
    rmSync(dir, { recursive: true });
  });
});
