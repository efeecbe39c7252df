import { sql } from 'drizzle-orm';
import type { Database, Transaction } from './client.ts';
import { APP_ROLE } from './roles.ts';

export interface Scope {
  /** The tenant whose rows are visible; omit for work that touches only global tables. */
  orgId?: string;
  /** The authenticated user: lets row policies show a user their own memberships across tenants. */
  userId?: string;
}

/**
 * Run `work` in a transaction as the non-owner application role, with the tenant (and user) set
 * transaction-locally. Both settings die with the transaction, so this is safe behind PgBouncer
 * in transaction mode, and a query that forgets the tenant sees no tenant rows at all.
 */
export async function withScope<T>(db: Database, scope: Scope, work: (tx: Transaction) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    // One round trip: `set_config('role', …, true)` is SET LOCAL ROLE.
    await tx.execute(
      sql`select set_config('app.org_id', ${scope.orgId ?? ''}, true), set_config('app.user_id', ${scope.userId ?? ''}, true), set_config('role', ${APP_ROLE}, true)`,
    );
    return work(tx);
  });
}

export function withTenant<T>(
  db: Database,
  orgId: string,
  work: (tx: Transaction) => Promise<T>,
  userId?: string,
): Promise<T> {
  return withScope(db, { orgId, userId }, work);
}
