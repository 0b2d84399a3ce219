import { defineConfig } from 'vitest/config';

// One project per workspace. Integration tests that start real peers (browsers,
// snmpd, Prometheus) live in tests/ and run one file at a time on this 2-core machine.
export default defineConfig({
  test: {
    reporters: ['default', './tests/support/summary-reporter.ts'],
    projects: [
      { test: { name: 'sfu-server', root: 'sfu-server', include: ['test/**/*.test.ts'], testTimeout: 30_000 } },
      { test: { name: 'nms', root: 'nms', include: ['test/**/*.test.ts'], testTimeout: 30_000 } },
      { test: { name: 'structure', root: 'tests', include: ['structure/**/*.test.ts'] } },
      // The web app's logic in plain TS modules (no runes, no browser): node is enough.
      { test: { name: 'web', root: 'web', include: ['test/**/*.test.ts'], environment: 'node' } },
      // The load-test tool's report arithmetic (infra/loadtest); the tool itself runs in integration/loadtest.test.ts.
      { test: { name: 'loadtest', root: 'infra/loadtest', include: ['test/**/*.test.ts'] } },
      // `npm run cascade` (infra/cascade) against three real nats-server processes on loopback.
      { test: { name: 'infra', root: 'infra', include: ['cascade/test/**/*.test.ts'], testTimeout: 30_000 } },
      {
        test: {
          name: 'security',
          root: 'tests',
          include: ['security/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'integration',
          root: 'tests',
          include: ['integration/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
