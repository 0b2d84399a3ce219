import { describe, expect, it } from 'vitest';
import { ephemeralLow, rangeBelow } from '../src/media/port-range';

describe("the port range mediasoup chooses its transports' ports from", () => {
  it("reads the kernel's ephemeral range", () => {
    expect(ephemeralLow('32768\t60999\n')).toBe(32768);
    expect(ephemeralLow(' 1024 65000 ')).toBe(1024);
    expect(ephemeralLow('')).toBeUndefined();
    expect(ephemeralLow('60999 32768')).toBeUndefined();
    expect(ephemeralLow('abc def')).toBeUndefined();
  });

  it('lies below the ephemeral range, or is left to mediasoup when there is too little room there', () => {
    expect(rangeBelow(32768)).toEqual({ min: 10_000, max: 32_767 });
    expect(rangeBelow(11_000)).toBeUndefined();
    expect(rangeBelow(undefined)).toBeUndefined();
  });

  it('leaves out the configured fixed ports, taking the largest span between them', () => {
    // Workers' WebRTC ports 20000-20063 and the room systems' 30000-30999.
    const fixed = [
      { min: 30_000, max: 30_999 },
      { min: 20_000, max: 20_063 },
    ];
    expect(rangeBelow(32768, fixed)).toEqual({ min: 10_000, max: 19_999 });
    expect(rangeBelow(32768, [{ min: 12_000, max: 12_001 }])).toEqual({ min: 12_002, max: 32_767 });
    // A reserved span reaching into the ephemeral range, or covering everything.
    expect(rangeBelow(32768, [{ min: 31_000, max: 40_000 }])).toEqual({ min: 10_000, max: 30_999 });
    expect(rangeBelow(32768, [{ min: 1, max: 65_535 }])).toBeUndefined();
    // Spans left too small are not used.
    expect(rangeBelow(32768, [{ min: 11_000, max: 31_000 }])).toBeUndefined();
  });
});
