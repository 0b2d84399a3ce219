import { describe, expect, it } from 'vitest';
import { nmsDefaults } from '../src/config/schema';
import { demoDistricts, demoPlan } from '../src/demo/demo';
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
