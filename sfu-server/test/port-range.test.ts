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
});
