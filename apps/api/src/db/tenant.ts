import { drizzle } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import type { Database, Transaction } from './client.ts';
import { isUuid } from './ids.ts';
import { APP_ROLE } from './roles.ts';
import * as schema from './schema.ts';

export interface Scope {
  /** The tenant whose rows are visible; omit for work that touches only global tables. */
  orgId?: string;
  /** The authenticated user: lets row policies show a user their own memberships across tenants. */
  userId?: string;
  /**
   * false: COMMIT returns before the WAL reaches the disk (`synchronous_commit = off`, this
   * transaction only). For work whose loss in a database crash is harmless because it is redone:
   * a sync's batch and the checkpoint that counts it commit or vanish together, and the run
   * resumes from the last checkpoint that survived. Never for what a person typed.
   */
  durable?: boolean;
}

/** One Drizzle instance per pooled connection (connections are reused, so this is built rarely). */
const drizzleOfClient = new WeakMap<pg.PoolClient, Transaction>();

function scoped(client: pg.PoolClient): Transaction {
  let tx = drizzleOfClient.get(client);
  if (!tx) {
    tx = drizzle(client, { schema, casing: 'snake_case' }) as unknown as Transaction;
    drizzleOfClient.set(client, tx);
  }
  return tx;
}

function literalId(value: string | undefined, name: string): string {
  if (value === undefined || value === '') return "''";
  // Inlined into SQL below, so it must be exactly a UUID: nothing else can reach the statement.
  if (!isUuid(value)) throw new Error(`${name} must be a UUID`);
  return `'${value}'`;
}

/**
 * Run `work` in a transaction as the non-owner application role, with the tenant (and user) set
 * transaction-locally. Both settings die with the transaction, so this is safe behind PgBouncer in
 * transaction mode, and a query that forgets the tenant sees no tenant rows at all.
 *
 * BEGIN and the settings travel in one round trip (a simple-protocol multi-statement query, hence
 * the inlined, validated UUIDs): per request that is the difference between 5 and 3 round trips.
 */
export async function withScope<T>(db: Database, scope: Scope, work: (tx: Transaction) => Promise<T>): Promise<T> {
  const org = literalId(scope.orgId, 'orgId');
  const user = literalId(scope.userId, 'userId');
  const durability = scope.durable === false ? ", set_config('synchronous_commit', 'off', true)" : '';
  const client = await db.$client.connect();
  let broken = false;
  try {
    await client.query(
      `begin; select set_config('app.org_id', ${org}, true), set_config('app.user_id', ${user}, true), set_config('role', '${APP_ROLE}', true)${durability}`,
    );
    const result = await work(scoped(client));
    await client.query('commit');
    return result;
  } catch (err) {
    try {
      await client.query('rollback');
    } catch {
      broken = true;
    }
    throw err;
  } finally {
    // A connection whose rollback failed is in an unknown state: drop it rather than reuse it.
    client.release(broken);
  }
}

export function withTenant<T>(
  db: Database,
  orgId: string,
  work: (tx: Transaction) => Promise<T>,
  userId?: string,
): Promise<T> {
  return withScope(db, { orgId, userId }, work);
}
