import type { KeyObject } from 'node:crypto';
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Database, Transaction } from '../../db/client.ts';
import { newId } from '../../db/ids.ts';
import { withScope } from '../../db/tenant.ts';
import { AppError } from '../../http/errors.ts';
import { type Role, refreshTokens } from './schema.ts';
import { newOpaqueToken, REFRESH_TOKEN_TTL_SECONDS, sha256, signAccessToken } from './tokens.ts';
import { firstMembership, membershipOf } from './users.queries.ts';

export interface TokenPair {
  access: string;
  refresh: string;
}

export interface SessionContext {
  db: Database;
  jwtKey: KeyObject;
  accessTokenTtlSeconds: number;
}

const INVALID_REFRESH = 'The refresh token is invalid or has expired. Log in again.';

/** Issue an access token and a new refresh token (in `familyId`, or a new family for a new login). */
export async function issueTokens(
  ctx: SessionContext,
  tx: Transaction,
  session: { userId: string; orgId: string; role: Role; familyId?: string },
): Promise<TokenPair> {
  const refresh = newOpaqueToken();
  await tx.insert(refreshTokens).values({
    id: newId(),
    userId: session.userId,
    familyId: session.familyId ?? newId(),
    activeOrgId: session.orgId,
    tokenHash: sha256(refresh),
    expiresAt: new Date(Date.now() + REFRESH_TOKEN_TTL_SECONDS * 1000),
  });
  const access = await signAccessToken(ctx.jwtKey, session, ctx.accessTokenTtlSeconds);
  return { access, refresh };
}

async function revokeFamily(tx: Transaction, familyId: string): Promise<void> {
  await tx
    .update(refreshTokens)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)));
}

/**
 * Rotate a refresh token. A token presented a second time means it leaked (or a client misbehaves):
 * the whole family, every token descended from that login, is revoked.
 */
export async function rotateRefreshToken(
  ctx: SessionContext,
  refresh: string,
): Promise<TokenPair & { userId: string; orgId: string }> {
  const outcome = await withScope(ctx.db, {}, async (tx) => {
    const [row] = await tx
      .select()
      .from(refreshTokens)
      .where(eq(refreshTokens.tokenHash, sha256(refresh)))
      .for('update');
    if (!row || row.revokedAt || row.expiresAt.getTime() <= Date.now()) return { error: INVALID_REFRESH };
    if (row.usedAt) {
      await revokeFamily(tx, row.familyId);
      return {
        error:
          'This refresh token was already used. For your safety every session from that login was ended; log in again.',
      };
    }
    await tx.update(refreshTokens).set({ usedAt: sql`now()` }).where(eq(refreshTokens.id, row.id));
    return { row };
  });
  if ('error' in outcome) throw new AppError('unauthorized', outcome.error as string);
  const { row } = outcome;
  // The user may have been removed from the organization since: fall back to another membership.
  return withScope(ctx.db, { orgId: row.activeOrgId, userId: row.userId }, async (tx) => {
    const membership = (await membershipOf(tx, row.activeOrgId, row.userId)) ?? (await firstMembership(tx, row.userId));
    if (!membership) {
      await revokeFamily(tx, row.familyId);
      throw new AppError('unauthorized', 'Your account no longer belongs to any organization.');
    }
    const pair = await issueTokens(ctx, tx, { ...membership, userId: row.userId, familyId: row.familyId });
    return { ...pair, userId: row.userId, orgId: membership.orgId };
  });
}

/** Logout: end the login this refresh token belongs to. Unknown tokens are ignored (idempotent). */
export async function revokeRefreshToken(ctx: SessionContext, refresh: string): Promise<void> {
  await withScope(ctx.db, {}, async (tx) => {
    const [row] = await tx
      .select({ familyId: refreshTokens.familyId })
      .from(refreshTokens)
      .where(eq(refreshTokens.tokenHash, sha256(refresh)));
    if (row) await revokeFamily(tx, row.familyId);
  });
}
