import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'apps/api/src/**/*.test.ts',
      'packages/*/src/**/*.test.ts',
      'apps/web/tests/**/*.test.ts',
      'bench/**/*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ['apps/api/src/test/global-setup.ts', 'apps/web/tests/global-setup.ts'],
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
  },
});
