import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import * as schema from './schema.ts';

export type Schema = typeof schema;
export type Database = NodePgDatabase<Schema> & { $client: pg.Pool };
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];
/** Anything a query function can run on: the database or an open transaction. */
export type Queryable = Database | Transaction;

// Shopify GIDs and our money columns are strings; bigint counters too. Keep numeric/int8 as strings.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => v);

/**
 * A name for a prepared statement, or none behind a transaction pooler (DATABASE_POOL_MODE=transaction).
 * `pg` parses a named statement once per client connection and afterwards sends only Bind/Execute;
 * PgBouncer before 1.21 (Debian 12 ships 1.18) hands each transaction any server connection, where
 * that statement does not exist ("prepared statement … does not exist"). Unnamed, it costs a parse.
 */
export function statementName(name: string): string {
  return process.env.DATABASE_POOL_MODE === 'transaction' ? '' : name;
}

export function createDatabase(url: string, opts: { max?: number; applicationName?: string } = {}): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 10,
    application_name: opts.applicationName ?? 'invpro360',
    idleTimeoutMillis: 30_000,
  });
  // An idle client's error (e.g. the server restarting) must not crash the process.
  pool.on('error', () => {});
  return drizzle(pool, { schema, casing: 'snake_case' }) as Database;
}

export async function closeDatabase(db: Database): Promise<void> {
  await db.$client.end();
}
