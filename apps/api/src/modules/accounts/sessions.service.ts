import type { KeyObject } from 'node:crypto';
import { and, eq, gt, isNull, ne, sql } from 'drizzle-orm';
import type { Database, Queryable, Transaction } from '../../db/client.ts';
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

/**
 * How long a spent refresh token may be presented again and still get a pair. Two requests of one
 * client that refresh at once (two tabs, a retry after a lost answer) present the same token; only
 * a token seen again after this is treated as stolen. A constant until it becomes a setting.
 */
export const REFRESH_REUSE_GRACE_SECONDS = 10;

const INVALID_REFRESH = 'The refresh token is invalid or has expired. Log in again.';
const REUSED_REFRESH =
  'This refresh token was already used. For your safety every session from that login was ended; log in again.';
export const SESSION_ENDED =
  'Your session has ended (you logged out, or it expired). Log in again to get a new session.';

/** Advisory-lock class of a user's sessions (the two-int form, a key space apart from one-bigint locks). */
const SESSIONS_LOCK_CLASS = 360_364;

/**
 * Every change to a user's refresh tokens (rotate, switch, logout, logout everywhere) runs under
 * this lock, taken before any row lock: a new token can then never be inserted into a family that a
 * concurrent logout is revoking, where the logout's snapshot would miss it.
 */
async function lockSessionsOf(tx: Queryable, userId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${SESSIONS_LOCK_CLASS}::int, hashtext(${userId}))`);
}

/**
 * Issue an access token and a new refresh token in `familyId`, or in a new family for a new login.
 * The family id is the session id, carried by the access token as `sid`.
 */
export async function issueTokens(
  ctx: SessionContext,
  tx: Transaction,
  session: { userId: string; orgId: string; role: Role; familyId?: string },
): Promise<TokenPair> {
  const refresh = newOpaqueToken();
  const familyId = session.familyId ?? newId();
  await tx.insert(refreshTokens).values({
    id: newId(),
    userId: session.userId,
    familyId,
    activeOrgId: session.orgId,
    tokenHash: sha256(refresh),
    expiresAt: new Date(Date.now() + REFRESH_TOKEN_TTL_SECONDS * 1000),
  });
  const access = await signAccessToken(ctx.jwtKey, { ...session, sessionId: familyId }, ctx.accessTokenTtlSeconds);
  return { access, refresh };
}

async function revokeFamily(tx: Transaction, familyId: string): Promise<void> {
  await tx
    .update(refreshTokens)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)));
}

/** Row-level security on memberships needs the user (and org) in scope; the token names them. */
async function enterScope(tx: Transaction, scope: { userId: string; orgId: string }): Promise<void> {
  await tx.execute(
    sql`select set_config('app.user_id', ${scope.userId}, true), set_config('app.org_id', ${scope.orgId}, true)`,
  );
}

type Rotated = TokenPair & { userId: string; orgId: string };

/**
 * Rotate a refresh token, in one transaction. A token presented a second time means it leaked
 * (or a client misbehaves): the whole family, every token descended from that login, is revoked,
 * unless it comes back within the grace window while the family is alive, which is the same
 * client refreshing twice at once: that gets a pair of its own in the same family.
 */
export async function rotateRefreshToken(
  ctx: SessionContext,
  refresh: string,
  graceSeconds = REFRESH_REUSE_GRACE_SECONDS,
): Promise<Rotated> {
  const hash = sha256(refresh);
  const outcome = await withScope<Rotated | { error: string }>(ctx.db, {}, async (tx) => {
    const [owner] = await tx
      .select({ userId: refreshTokens.userId })
      .from(refreshTokens)
      .where(eq(refreshTokens.tokenHash, hash));
    if (!owner) return { error: INVALID_REFRESH };
    await lockSessionsOf(tx, owner.userId);
    const [row] = await tx
      .select({
        id: refreshTokens.id,
        userId: refreshTokens.userId,
        familyId: refreshTokens.familyId,
        activeOrgId: refreshTokens.activeOrgId,
        usedAt: refreshTokens.usedAt,
        revokedAt: refreshTokens.revokedAt,
        live: sql<boolean>`${refreshTokens.expiresAt} > now()`,
        withinGrace: sql<boolean>`coalesce(${refreshTokens.usedAt} > now() - make_interval(secs => ${graceSeconds}), false)`,
      })
      .from(refreshTokens)
      .where(eq(refreshTokens.tokenHash, hash))
      .for('update');
    if (!row || row.revokedAt || !row.live) return { error: INVALID_REFRESH };
    if (row.usedAt && !row.withinGrace) {
      await revokeFamily(tx, row.familyId);
      return { error: REUSED_REFRESH };
    }
    if (!row.usedAt) await tx.update(refreshTokens).set({ usedAt: sql`now()` }).where(eq(refreshTokens.id, row.id));
    await enterScope(tx, { userId: row.userId, orgId: row.activeOrgId });
    // The user may have been removed from the organization since: fall back to another membership.
    const membership = (await membershipOf(tx, row.activeOrgId, row.userId)) ?? (await firstMembership(tx, row.userId));
    if (!membership) {
      await revokeFamily(tx, row.familyId);
      return { error: 'Your account no longer belongs to any organization.' };
    }
    const pair = await issueTokens(ctx, tx, { ...membership, userId: row.userId, familyId: row.familyId });
    return { ...pair, userId: row.userId, orgId: membership.orgId };
  });
  // Refusals commit (a revoked family must stay revoked), so they are returned, then thrown.
  if ('error' in outcome) throw new AppError('unauthorized', outcome.error);
  return outcome;
}

/**
 * A new pair in another organization for the session the access token belongs to: in the same
 * family, so logging out ends it too; refused once that session has ended. The refresh token the
 * client presented (the web app's cookie), if it is this session's current one, is spent, as any
 * rotation spends it; a racing refresh with it still falls within the grace window. Tokens the
 * client did not present are left alone: a client that never saw them cannot be trusted to have
 * dropped them, and presenting them later must not look like theft.
 */
export async function switchSession(
  ctx: SessionContext,
  tx: Transaction,
  session: { userId: string; sessionId: string; orgId: string; role: Role },
  presentedRefresh: string | undefined,
): Promise<TokenPair> {
  await lockSessionsOf(tx, session.userId);
  const inSession = and(
    eq(refreshTokens.familyId, session.sessionId),
    eq(refreshTokens.userId, session.userId),
    isNull(refreshTokens.revokedAt),
    isNull(refreshTokens.usedAt),
    gt(refreshTokens.expiresAt, sql`now()`),
  );
  const [alive] = await tx.select({ id: refreshTokens.id }).from(refreshTokens).where(inSession).limit(1);
  if (!alive) throw new AppError('unauthorized', SESSION_ENDED);
  if (presentedRefresh) {
    await tx
      .update(refreshTokens)
      .set({ usedAt: sql`now()` })
      .where(and(inSession, eq(refreshTokens.tokenHash, sha256(presentedRefresh))));
  }
  return issueTokens(ctx, tx, { ...session, familyId: session.sessionId });
}

/** Logout: end the login this refresh token belongs to. Unknown tokens are ignored (idempotent). */
export async function revokeRefreshToken(ctx: SessionContext, refresh: string): Promise<void> {
  await withScope(ctx.db, {}, async (tx) => {
    const [row] = await tx
      .select({ familyId: refreshTokens.familyId, userId: refreshTokens.userId })
      .from(refreshTokens)
      .where(eq(refreshTokens.tokenHash, sha256(refresh)));
    if (!row) return;
    await lockSessionsOf(tx, row.userId);
    await revokeFamily(tx, row.familyId);
  });
}

/** Log out everywhere: every session of the user ends. Returns how many were still open. */
export async function revokeAllSessions(ctx: SessionContext, userId: string): Promise<number> {
  return withScope(ctx.db, {}, async (tx) => {
    await lockSessionsOf(tx, userId);
    const revoked = await tx
      .update(refreshTokens)
      .set({ revokedAt: sql`now()` })
      .where(and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt)))
      .returning({ familyId: refreshTokens.familyId });
    return new Set(revoked.map((r) => r.familyId)).size;
  });
}

/**
 * A password changed: every refresh token of the user is revoked, in the caller's transaction,
 * except those of `keepSessionId` (the session that changed it, when it did so while logged in).
 */
export async function revokeSessionsInTx(tx: Transaction, userId: string, keepSessionId?: string): Promise<void> {
  await lockSessionsOf(tx, userId);
  await tx
    .update(refreshTokens)
    .set({ revokedAt: sql`now()` })
    .where(
      and(
        eq(refreshTokens.userId, userId),
        isNull(refreshTokens.revokedAt),
        keepSessionId ? ne(refreshTokens.familyId, keepSessionId) : undefined,
      ),
    );
}
