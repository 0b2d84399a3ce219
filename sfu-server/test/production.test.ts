// Start-up refusal in production (config/production.ts): no demo data means the seeded admin is the
// way in, so its initial password must be neither published nor short; a sample placeholder never starts.
import { describe, expect, it } from 'vitest';
import { productionStartProblem } from '../src/config/production';
import { sfuDefaults } from '../src/config/schema';

const cfg = (initialAdminPassword: string, seed: boolean) => ({
  ...sfuDefaults,
  auth: { ...sfuDefaults.auth, initialAdminPassword },
  demo: { ...sfuDefaults.demo, seed },
});

describe('admin password guard', () => {
  it('refuses the embedded default, the samples and short passwords without demo data', () => {
    for (const pw of [sfuDefaults.auth.initialAdminPassword, 'change-me-now', 'REPLACE-with-a-long-random-password', 'short-pw-11'])
      expect(productionStartProblem(cfg(pw, false)), pw).toMatch(/^auth\.initialAdminPassword /);
    expect(productionStartProblem(cfg('short-pw-11', false))).toContain('shorter than 12');
  });

  it('accepts a long own password, and the demo as it is', () => {
    expect(productionStartProblem(cfg('Zq8-long-own-password', false))).toBeNull();
    expect(productionStartProblem(cfg(sfuDefaults.auth.initialAdminPassword, true))).toBeNull();
  });

  it('names every value still holding a sample placeholder', () => {
    const c = { ...cfg('Zq8-long-own-password', false), metrics: { token: 'REPLACE-with-the-sfu-metrics-token' } };
    expect(productionStartProblem(c)).toBe("metrics.token still holds the sample's placeholder: set your own value in the config file");
  });
});

describe("room systems' media port range", () => {
  const sip = (min: number, max: number, maxCalls: number, enabled = true) => ({
    ...cfg(sfuDefaults.auth.initialAdminPassword, true),
    sip: { ...sfuDefaults.sip, enabled, maxCalls, rtpPorts: { min, max } },
  });

  it('refuses a range too small for sip.maxCalls calls of four ports, or upside down', () => {
    expect(productionStartProblem(sip(30000, 30038, 10))).toBe(
      'sip.rtpPorts (30000-30038) must hold 4 ports for each of sip.maxCalls (10): at least 40',
    );
    expect(productionStartProblem(sip(31000, 30000, 1))).toMatch(/^sip\.rtpPorts \(31000-30000\)/);
  });

  it('takes the default, a range just large enough, and any range with SIP off', () => {
    expect(productionStartProblem(cfg(sfuDefaults.auth.initialAdminPassword, true))).toBeNull();
    expect(productionStartProblem(sip(30000, 30039, 10))).toBeNull();
    expect(productionStartProblem(sip(31000, 30000, 10, false))).toBeNull();
  });
});
