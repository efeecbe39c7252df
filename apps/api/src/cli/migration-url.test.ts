import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../test/database.ts';
import { migrate } from './launcher.ts';

// Behind a transaction pooler, migrations (a session advisory lock) must take the direct URL.

let database: TestDatabase;
const unreachable = 'postgres://nobody:nothing@127.0.0.1:1/nowhere';

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  delete process.env.DATABASE_MIGRATION_URL;
  await database?.drop();
});

it('migrates through DATABASE_MIGRATION_URL when it is set, not through the URL the processes use', async () => {
  // The same database, direct to PostgreSQL (database.url goes through PgBouncer under test:pgbouncer).
  const direct = inject('pgServerUrl').replace(/\/postgres$/, `/${new URL(database.url).pathname.slice(1)}`);
  await expect(migrate(unreachable)).rejects.toThrow();
  process.env.DATABASE_MIGRATION_URL = direct;
  await expect(migrate(unreachable)).resolves.toBeUndefined();
});
