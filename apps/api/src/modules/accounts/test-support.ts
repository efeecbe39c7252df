import { sql } from 'drizzle-orm';
import { beforeEach } from 'vitest';
import type { TestApp } from '../../test/app.ts';

/**
 * For test files that sign up more users than REGISTRATION_LIMITS allows from one address (every
 * app.inject comes from 127.0.0.1): the count starts afresh before each test. The limit itself is
 * tested in rate-limits.test.ts.
 */
export function forgetSignUpsBeforeEach(app: () => TestApp): void {
  beforeEach(async () => {
    await app().database.db.execute(sql`delete from registration_attempts`);
  });
}
