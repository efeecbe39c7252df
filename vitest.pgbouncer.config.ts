import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

/**
 * `npm run test:pgbouncer`: the API suite against PostgreSQL 15 behind PgBouncer in transaction mode
 * (started by apps/api/src/test/system-postgres.ts, which sets TEST_PG_SERVER_URL and TEST_PG_POOLER_URL).
 * No browser tests, so no Chromium setup. (mergeConfig would append to the base's lists, not replace them.)
 */
export default defineConfig({
  test: {
    ...base.test,
    include: ['apps/api/src/**/*.test.ts'],
    globalSetup: ['apps/api/src/test/global-setup.ts'],
  },
});
