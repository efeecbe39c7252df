import { lt, or, sql } from 'drizzle-orm';
import type { PgBoss } from 'pg-boss';
import type { Config } from '../../config.ts';
import type { Database } from '../../db/client.ts';
import { withScope } from '../../db/tenant.ts';
import { QUEUES } from '../../jobs/boss.ts';
import { purgeExpiredPasswordResets } from './password-reset.service.ts';
import { loginFailures, refreshTokens, registrationAttempts } from './schema.ts';

/**
 * Drops spent, revoked or expired refresh tokens after a grace week, expired password-reset links,
 * and stale login, registration and reset-request counts.
 */
export async function purgeExpiredAuthRows(
  db: Database,
  windows: { loginWindowSeconds: number; registrationWindowSeconds: number; passwordResetWindowSeconds: number },
) {
  return withScope(db, {}, async (tx) => {
    const tokens = await tx
      .delete(refreshTokens)
      .where(
        or(
          lt(refreshTokens.expiresAt, sql`now() - interval '7 days'`),
          lt(refreshTokens.revokedAt, sql`now() - interval '7 days'`),
          lt(refreshTokens.usedAt, sql`now() - interval '7 days'`),
        ),
      )
      .returning({ id: refreshTokens.id });
    const failures = await tx
      .delete(loginFailures)
      .where(lt(loginFailures.failedAt, sql`now() - make_interval(secs => ${windows.loginWindowSeconds})`))
      .returning({ id: loginFailures.id });
    const registrations = await tx
      .delete(registrationAttempts)
      .where(
        lt(registrationAttempts.attemptedAt, sql`now() - make_interval(secs => ${windows.registrationWindowSeconds})`),
      )
      .returning({ id: registrationAttempts.id });
    const { resets, requests } = await purgeExpiredPasswordResets(tx, windows.passwordResetWindowSeconds);
    return {
      tokens: tokens.length,
      failures: failures.length,
      registrations: registrations.length,
      passwordResets: resets,
      passwordResetRequests: requests,
    };
  });
}

export async function registerHousekeeping(boss: PgBoss, db: Database, config: Config) {
  const queue = QUEUES.accountsHousekeeping.name;
  await boss.work(queue, async () =>
    purgeExpiredAuthRows(db, {
      loginWindowSeconds: config.login.windowSeconds,
      registrationWindowSeconds: config.registration.windowSeconds,
      passwordResetWindowSeconds: config.passwordReset.windowSeconds,
    }),
  );
  await boss.schedule(queue, '17 * * * *');
}
