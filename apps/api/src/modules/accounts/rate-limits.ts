import { and, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { newId } from '../../db/ids.ts';
import { AppError } from '../../http/errors.ts';
import { loginFailures, passwordResetRequests, registrationAttempts } from './schema.ts';

export interface LoginLimits {
  maxPerAccount: number;
  maxPerAddress: number;
  windowSeconds: number;
}

/**
 * Registrations per client address and window (REGISTRATION_MAX_PER_ADDRESS). Each one costs an
 * argon2 hash and creates an account and an organization, and (docs/decisions/0009) each one is
 * the only way left to probe whether an address is registered, so they are few.
 */
export type RegistrationLimits = { maxPerAddress: number; windowSeconds: number };

/**
 * Advisory-lock key classes (the two-int form, a key space apart from the one-bigint locks used
 * elsewhere). Locks are always taken in class order, then key order, so two attempts never wait
 * on each other in a cycle.
 */
const LOCK_CLASS = { account: 360_361, address: 360_362, registration: 360_363, passwordReset: 360_365 } as const;

/**
 * Password-reset requests per typed email and per client address and window. Each may send a
 * message, so an address cannot be flooded; the email is counted whether or not it has an account.
 */
export type PasswordResetLimits = { maxPerEmail: number; maxPerAddress: number; windowSeconds: number };

/** The account key of a known user: the same whether they typed their email or their username. */
export const accountKey = (userId: string) => `user:${userId}`;
/** The account key of an identifier that belongs to no account. */
export const unknownAccountKey = (typed: string) => `typed:${typed.toLowerCase()}`;

async function lock(db: Queryable, lockClass: number, key: string): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(${lockClass}::int, hashtext(${key}))`);
}

const windowInWords = (seconds: number) =>
  seconds === 3600 ? 'hour' : seconds % 3600 === 0 ? `${seconds / 3600} hours` : `${Math.ceil(seconds / 60)} minutes`;

/** Seconds until the oldest counted row leaves the window (at least 1), for Retry-After. */
const secondsLeft = (windowSeconds: number, oldest: unknown) =>
  sql<number>`greatest(1, ceil(extract(epoch from (${oldest} + make_interval(secs => ${windowSeconds}) - now()))))::int`;

function tooMany(what: string, retryAfter: number, advice: string): AppError {
  const minutes = Math.ceil(retryAfter / 60);
  const wait = retryAfter < 120 ? `${retryAfter} seconds` : `${minutes} minutes`;
  return new AppError('rate_limited', `Too many ${what}. Try again in ${wait}${advice}.`, {
    headers: { 'retry-after': String(retryAfter) },
  });
}

/**
 * Reserve one login attempt before the password is checked, atomically: under advisory locks on
 * every account key and the address, count the window and either refuse (429, nothing recorded)
 * or record the attempt. So parallel guesses cannot all pass the check before any is recorded,
 * and a blocked caller costs no argon2 time. The rows stay as the failure record unless
 * `settleLoginSuccess` removes them. Call inside a transaction; returns the rows' ids.
 */
export async function reserveLoginAttempt(
  tx: Queryable,
  limits: LoginLimits,
  accountKeys: string[],
  address: string,
): Promise<string[]> {
  const keys = [...new Set(accountKeys)].sort();
  for (const key of keys) await lock(tx, LOCK_CLASS.account, key);
  await lock(tx, LOCK_CLASS.address, address);

  const window = sql`${loginFailures.failedAt} > now() - make_interval(secs => ${limits.windowSeconds})`;
  const counted = await tx
    .select({
      scope: loginFailures.scope,
      failures: sql<number>`count(*)::int`,
      retryAfter: secondsLeft(limits.windowSeconds, sql`min(${loginFailures.failedAt})`),
    })
    .from(loginFailures)
    .where(
      and(
        window,
        sql`((${loginFailures.scope} = 'account' and ${inArray(loginFailures.key, keys)})
          or (${loginFailures.scope} = 'address' and ${loginFailures.key} = ${address}))`,
      ),
    )
    .groupBy(loginFailures.scope, loginFailures.key);
  const account = counted.find((c) => c.scope === 'account' && c.failures >= limits.maxPerAccount);
  if (account) throw tooMany('failed login attempts', account.retryAfter, ', or reset your password');
  const byAddress = counted.find((c) => c.scope === 'address' && c.failures >= limits.maxPerAddress);
  if (byAddress) throw tooMany('failed login attempts', byAddress.retryAfter, '');

  const rows = [
    ...keys.map((key) => ({ id: newId(), scope: 'account' as const, key })),
    { id: newId(), scope: 'address' as const, key: address },
  ];
  await tx.insert(loginFailures).values(rows);
  return rows.map((r) => r.id);
}

/** The password was right: this attempt was no failure, and the account starts afresh. */
export async function settleLoginSuccess(
  tx: Queryable,
  attempt: string[],
  userId: string,
  windowSeconds: number,
): Promise<void> {
  await tx.delete(loginFailures).where(inArray(loginFailures.id, attempt));
  await tx
    .delete(loginFailures)
    .where(and(eq(loginFailures.scope, 'account'), eq(loginFailures.key, accountKey(userId))));
  // Housekeeping: rows older than the window no longer count for anything.
  await tx
    .delete(loginFailures)
    .where(lt(loginFailures.failedAt, sql`now() - make_interval(secs => ${windowSeconds})`));
}

/** Count one registration from `address`, or refuse with 429 when the window is full. In a transaction. */
export async function reserveRegistration(tx: Queryable, limits: RegistrationLimits, address: string): Promise<void> {
  await lock(tx, LOCK_CLASS.registration, address);
  const [row] = await tx
    .select({
      attempts: sql<number>`count(*)::int`,
      retryAfter: secondsLeft(limits.windowSeconds, sql`min(${registrationAttempts.attemptedAt})`),
    })
    .from(registrationAttempts)
    .where(
      and(
        eq(registrationAttempts.address, address),
        sql`${registrationAttempts.attemptedAt} > now() - make_interval(secs => ${limits.windowSeconds})`,
      ),
    );
  if (row && row.attempts >= limits.maxPerAddress) {
    throw tooMany(`sign-ups from your network in the last ${windowInWords(limits.windowSeconds)}`, row.retryAfter, '');
  }
  await tx.insert(registrationAttempts).values({ id: newId(), address });
}

/**
 * Count one password-reset request for `email` from `address`, or refuse with 429 when either
 * window is full. The same answer for an address with or without an account. In a transaction.
 */
export async function reservePasswordReset(
  tx: Queryable,
  limits: PasswordResetLimits,
  email: string,
  address: string,
): Promise<void> {
  const emailKey = email.toLowerCase();
  // Class order then scope order ('address' < 'email'), as every lock here is taken.
  await lock(tx, LOCK_CLASS.passwordReset, `address:${address}`);
  await lock(tx, LOCK_CLASS.passwordReset, `email:${emailKey}`);
  const counted = await tx
    .select({
      scope: passwordResetRequests.scope,
      requests: sql<number>`count(*)::int`,
      retryAfter: secondsLeft(limits.windowSeconds, sql`min(${passwordResetRequests.requestedAt})`),
    })
    .from(passwordResetRequests)
    .where(
      and(
        sql`${passwordResetRequests.requestedAt} > now() - make_interval(secs => ${limits.windowSeconds})`,
        sql`((${passwordResetRequests.scope} = 'email' and ${passwordResetRequests.key} = ${emailKey})
          or (${passwordResetRequests.scope} = 'address' and ${passwordResetRequests.key} = ${address}))`,
      ),
    )
    .groupBy(passwordResetRequests.scope);
  const byEmail = counted.find((c) => c.scope === 'email' && c.requests >= limits.maxPerEmail);
  if (byEmail) throw tooMany('password-reset requests for this email', byEmail.retryAfter, '');
  const byAddress = counted.find((c) => c.scope === 'address' && c.requests >= limits.maxPerAddress);
  if (byAddress) throw tooMany('password-reset requests from your network', byAddress.retryAfter, '');
  await tx.insert(passwordResetRequests).values([
    { id: newId(), scope: 'email', key: emailKey },
    { id: newId(), scope: 'address', key: address },
  ]);
}
