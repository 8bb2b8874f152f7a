import { defineConfig } from 'vitest/config';

// Two projects: fast unit tests beside the code, and tests that cross a process boundary
// (real Alertmanager, Prometheus, child processes). Integration tests run one file at a time
// per worker; they start their own servers on port 0.
export default defineConfig({
  test: {
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts'],
          environment: 'node',
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          environment: 'node',
          // Runs after the unit tests, at most two files at a time (two cores, real servers).
          sequence: { groupOrder: 1 },
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: true,
          maxWorkers: 2,
        },
      },
    ],
  },
});
