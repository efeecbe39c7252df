import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { closeDatabase, createDatabase, type Database } from '../db/client.ts';

export interface TestDatabase {
  db: Database;
  url: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database of its own for one test file (cloned from the template). */
export async function createTestDatabase(opts: { max?: number } = {}): Promise<TestDatabase> {
  const serverUrl = inject('pgServerUrl');
  const name = `test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client(serverUrl);
  await admin.connect();
  await admin.query(`create database ${name} template ${inject('pgTemplate')}`);
  await admin.end();
  // Behind a pooler (test:pgbouncer) the code under test connects through it; admin work stays direct.
  const url = (process.env.TEST_PG_POOLER_URL ?? serverUrl).replace(/\/postgres$/, `/${name}`);
  const db = createDatabase(url, { max: opts.max ?? 5 });
  return {
    db,
    url,
    async drop() {
      await closeDatabase(db);
      const c = new pg.Client(serverUrl);
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}
