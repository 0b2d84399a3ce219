// The inventory import at province scale: 10,000 devices and as many links, imported into a store that
// already holds them (every row an update). Each row's checks look names up at once; a scan of every
// device or link per row made the import grow with the square of the file.
import { describe, expect, it } from 'vitest';
import { Inventory } from '../src/domain/inventory';
import type { ImportFile } from '../src/protocol/inventory';
import { NmsStore } from '../src/store/db';

const SITES = ['TN', 'TN-DT', 'TN-PB', 'TN-DT-CUVAN'];

function file(n: number): ImportFile {
  const devices = Array.from({ length: n }, (_, i) => ({
    name: `sw-${i}`,
    siteCode: SITES[i % SITES.length]!,
    role: 'switch' as const,
    address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
  }));
  // Link i joins device i to device i+1 (always at another site).
  const links = Array.from({ length: n - 1 }, (_, i) => ({
    name: `wan-${i}`,
    downstream: { siteCode: devices[i]!.siteCode, device: devices[i]!.name },
    upstream: { siteCode: devices[i + 1]!.siteCode, device: devices[i + 1]!.name },
    speedBps: 100_000_000,
    role: 'primary' as const,
  }));
  return { devices, links } as ImportFile;
}

function inventory(): { inv: Inventory; store: NmsStore } {
  const store = new NmsStore(':memory:');
  let id = 0;
  const inv = new Inventory(
    store,
    () => new Set(SITES),
    { pollIntervalSeconds: 60, timeoutMs: 1000, retries: 1 },
    () => `id-${++id}`,
  );
  return { inv, store };
}

/** Milliseconds to import `n` devices and links once (creates) and again (updates), best of `tries`. */
function importMs(n: number, tries: number): number {
  let best = Number.POSITIVE_INFINITY;
  for (let t = 0; t < tries; t++) {
    const { inv, store } = inventory();
    const f = file(n);
    const start = performance.now();
    expect(inv.import(f)).toEqual({ devices: { created: n, updated: 0 }, links: { created: n - 1, updated: 0 } });
    expect(inv.import(f)).toEqual({ devices: { created: 0, updated: n }, links: { created: 0, updated: n - 1 } });
    best = Math.min(best, performance.now() - start);
    expect(store.listDevices()).toHaveLength(n);
    expect(store.listLinks()).toHaveLength(n - 1);
    store.db.close();
  }
  return best;
}

describe('inventory import at 10,000 devices and links', () => {
  it('stores every row, and grows about linearly with the file', () => {
    importMs(500, 1); // warm the JIT
    const small = importMs(2_000, 3);
    const large = importMs(10_000, 3);
    // Linear: about 5x for 5x the rows; a scan per row is 25x.
    console.log(`[inventory import] 2,000: ${small.toFixed(0)} ms, 10,000: ${large.toFixed(0)} ms, ratio ${(large / small).toFixed(1)}`);
    expect(large / small).toBeLessThan(12);
  }, 120_000);
});
