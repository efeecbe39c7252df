import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.ts';

/**
 * `npm run test:pgbouncer`: the API suite against PostgreSQL 15 behind PgBouncer in transaction mode
 * (started by apps/api/src/test/system-postgres.ts, which sets TEST_PG_SERVER_URL and TEST_PG_POOLER_URL).
 * No browser tests, so no Chromium setup.
 */
export default mergeConfig(base, {
  test: {
    include: ['apps/api/src/**/*.test.ts'],
    globalSetup: ['apps/api/src/test/global-setup.ts'],
  },
});
