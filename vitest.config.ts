import { defineConfig } from 'vitest/config';

// One Temporal dev server and one PostgreSQL for the whole run (global setup); each test file gets its own
// database and Temporal namespace, so files run in parallel.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 3,
    testTimeout: 120_000,
    hookTimeout: 240_000,
    teardownTimeout: 60_000,
    reporters: ['default'],
  },
});
