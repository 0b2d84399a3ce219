// OID order as the walker checks it for every varbind (against the plain arc-by-arc definition).
import { describe, expect, it } from 'vitest';
import { oidAfter } from '../src/snmp/oids';

function reference(a: string, b: string): boolean {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! < y[i]!;
  return y.length > x.length;
}

describe('oidAfter', () => {
  it('orders by arcs, not by characters', () => {
    expect(oidAfter('1.3.6.1.2.1.2.2.1.2.9', '1.3.6.1.2.1.2.2.1.2.10')).toBe(true);
    expect(oidAfter('1.3.6.1.2.1.2.2.1.2.10', '1.3.6.1.2.1.2.2.1.2.9')).toBe(false);
    expect(oidAfter('1.3.6.1', '1.3.6.10')).toBe(true);
    expect(oidAfter('1.3.6.10', '1.3.6.1')).toBe(false);
    expect(oidAfter('1.3.6', '1.3.6.0')).toBe(true);
    expect(oidAfter('1.3.6.0', '1.3.6')).toBe(false);
    expect(oidAfter('1.3.6.1', '1.3.6.1')).toBe(false);
    expect(oidAfter('1.3.6.1.2', '1.3.7')).toBe(true);
  });

  it('agrees with the arc-by-arc definition on many random pairs', () => {
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const oid = () => Array.from({ length: 1 + rnd(6) }, () => [0, 1, 2, 9, 10, 11, 100, 4294967295][rnd(8)]).join('.');
    for (let i = 0; i < 20_000; i++) {
      const base = rnd(2) ? '1.3.6.1.2.1.' : '';
      const a = base + oid();
      const b = rnd(3) ? base + oid() : `${a}.${rnd(20)}`;
      expect(oidAfter(a, b), `${a} < ${b}`).toBe(reference(a, b));
    }
  });
});
