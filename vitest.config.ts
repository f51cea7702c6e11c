import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // One mock per suite, each on its own port-0 server: suites run in parallel safely.
    pool: 'forks',
    reporters: ['default', './test/plain-summary-reporter.ts'],
  },
});
