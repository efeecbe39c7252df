import { and, count, eq, gt, lt, min, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { newId } from '../../db/ids.ts';
import { AppError } from '../../http/errors.ts';
import { loginFailures } from './schema.ts';

export interface LoginLimits {
  maxPerAccount: number;
  maxPerAddress: number;
  windowSeconds: number;
}

/**
 * Failed logins are rows in PostgreSQL, so the limit holds across every API process. It is checked
 * before the password is hashed: a blocked caller costs no argon2 time.
 */
export async function assertLoginAllowed(
  db: Queryable,
  limits: LoginLimits,
  account: string,
  address: string,
): Promise<void> {
  const since = new Date(Date.now() - limits.windowSeconds * 1000);
  for (const [scope, key, max] of [
    ['account', account, limits.maxPerAccount],
    ['address', address, limits.maxPerAddress],
  ] as const) {
    const [row] = await db
      .select({ failures: count(), oldest: min(loginFailures.failedAt) })
      .from(loginFailures)
      .where(and(eq(loginFailures.scope, scope), eq(loginFailures.key, key), gt(loginFailures.failedAt, since)));
    if (row && row.failures >= max && row.oldest) {
      const retryAfter = Math.max(
        1,
        Math.ceil((new Date(row.oldest).getTime() + limits.windowSeconds * 1000 - Date.now()) / 1000),
      );
      throw new AppError(
        'rate_limited',
        `Too many failed login attempts. Try again in ${retryAfter} seconds${scope === 'account' ? ', or reset your password' : ''}.`,
        { headers: { 'retry-after': String(retryAfter) } },
      );
    }
  }
}

export async function recordLoginFailure(db: Queryable, account: string, address: string): Promise<void> {
  await db.insert(loginFailures).values([
    { id: newId(), scope: 'account', key: account },
    { id: newId(), scope: 'address', key: address },
  ]);
}

export async function clearAccountFailures(db: Queryable, account: string, windowSeconds: number): Promise<void> {
  await db.delete(loginFailures).where(and(eq(loginFailures.scope, 'account'), eq(loginFailures.key, account)));
  // Housekeeping: rows older than the window no longer count for anything.
  await db
    .delete(loginFailures)
    .where(lt(loginFailures.failedAt, sql`now() - make_interval(secs => ${windowSeconds})`));
}
