import { defineConfig } from 'vitest/config';

// Boot tests run QEMU under TCG on a 2-core machine: generous timeouts, at most two workers.
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    reporters: ['default', 'json'],
    outputFile: { json: 'out/test-results.json' },
  },
});
