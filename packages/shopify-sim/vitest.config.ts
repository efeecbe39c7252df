import { defineConfig } from 'vitest/config';

// The root config starts PostgreSQL for the API tests; the sim needs none, so it can run alone with this one.
export default defineConfig({
  test: {
    include: ['packages/shopify-sim/src/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
  },
});
