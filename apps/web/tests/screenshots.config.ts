// Only the screenshots (screenshots.ts), with the same PostgreSQL and Chromium set-up as the tests.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../../..', import.meta.url)),
    include: ['apps/web/tests/screenshots.ts'],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    globalSetup: ['apps/api/src/test/global-setup.ts', 'apps/web/tests/global-setup.ts'],
    pool: 'forks',
  },
});
