import { eq, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { newId, uniqueViolation } from '../../db/ids.ts';
import { withScope } from '../../db/tenant.ts';
import { AppError } from '../../http/errors.ts';
import { acceptInvitationInTx, parseInvitationToken } from './invitations.service.ts';
import { decoyPasswordHash, hashPassword, passwordProblems, verifyPassword } from './passwords.ts';
import {
  accountKey,
  type LoginLimits,
  reserveLoginAttempt,
  settleLoginSuccess,
  unknownAccountKey,
} from './rate-limits.ts';
import { memberships, organizations, users } from './schema.ts';
import { issueTokens, type SessionContext, switchSession, type TokenPair } from './sessions.service.ts';
import { NO_LONGER_A_MEMBER } from './team.service.ts';
import {
  findLoginCandidates,
  firstMembership,
  type LoginCandidate,
  membershipOf,
  type ProfileRow,
  profileFrom,
  type UserProfile,
  userProfile,
} from './users.queries.ts';

export interface AccountsContext extends SessionContext {
  loginLimits: LoginLimits;
}

export interface Session extends TokenPair {
  user: UserProfile;
}

const BAD_CREDENTIALS = 'No active account found with the given credentials.';

function duplicateUser(constraint: string): AppError {
  const field = constraint.includes('email') ? 'email' : 'username';
  return new AppError('validation', `A user with this ${field} already exists.`, {
    errors: { [field]: [`A user with this ${field} already exists.`] },
  });
}

export async function register(
  ctx: AccountsContext,
  input: { email: string; username: string; password: string; organization?: string; invitation?: string },
): Promise<Session> {
  const problems = passwordProblems(input.password, input);
  if (problems.length) {
    throw new AppError('validation', problems[0]!, { errors: { password: problems } });
  }
  const invitation = input.invitation ? parseInvitationToken(input.invitation) : undefined;
  if (input.invitation && !invitation)
    throw new AppError('validation', 'The invitation link is invalid.', {
      errors: { invitation: ['The invitation link is invalid.'] },
    });
  const passwordHash = await hashPassword(input.password);
  const userId = newId();
  const orgId = invitation?.orgId ?? newId();
  try {
    return await withScope(ctx.db, { orgId, userId }, async (tx) => {
      await tx.insert(users).values({ id: userId, email: input.email, username: input.username, passwordHash });
      let role: 'owner' | 'admin' | 'member' = 'owner';
      if (invitation) {
        role = await acceptInvitationInTx(tx, invitation, { userId, email: input.email });
      } else {
        await tx
          .insert(organizations)
          .values({ id: orgId, name: input.organization ?? `${input.username}'s organization` });
        await tx.insert(memberships).values({ orgId, userId, role: 'owner' });
      }
      const pair = await issueTokens(ctx, tx, { userId, orgId, role });
      const user = await userProfile(tx, userId, orgId);
      return { ...pair, user: user! };
    });
  } catch (err) {
    const constraint = uniqueViolation(err);
    if (constraint !== undefined) throw duplicateUser(constraint);
    throw err;
  }
}

/** The first candidate whose password matches; a decoy is verified when there is none, for equal timing. */
async function matchingAccount(candidates: LoginCandidate[], password: string): Promise<LoginCandidate | undefined> {
  if (candidates.length === 0) {
    await verifyPassword(await decoyPasswordHash(), password);
    return undefined;
  }
  for (const candidate of candidates) {
    if (await verifyPassword(candidate.passwordHash, password)) return candidate;
  }
  return undefined;
}

export async function login(
  ctx: AccountsContext,
  input: { email?: string; username?: string; password: string },
  clientAddress: string,
): Promise<Session> {
  // The attempt is reserved before argon2 runs, against every account it could open.
  const { candidates, attempt } = await withScope(ctx.db, {}, async (tx) => {
    const found = await findLoginCandidates(tx, input);
    const keys = found.length
      ? found.map((c) => accountKey(c.id))
      : [unknownAccountKey(input.email ?? input.username ?? '')];
    return { candidates: found, attempt: await reserveLoginAttempt(tx, ctx.loginLimits, keys, clientAddress) };
  });
  const user = await matchingAccount(candidates, input.password);
  // A failure needs no second write: the reserved rows are its record.
  if (!user) throw new AppError('unauthorized', BAD_CREDENTIALS);
  return withScope(ctx.db, { userId: user.id }, async (tx) => {
    await settleLoginSuccess(tx, attempt, user.id, ctx.loginLimits.windowSeconds);
    await tx.update(users).set({ lastLoginAt: sql`now()` }).where(eq(users.id, user.id));
    const membership = await firstMembership(tx, user.id);
    if (!membership) {
      throw new AppError(
        'forbidden',
        'Your account does not belong to any organization. Ask an owner for an invitation.',
      );
    }
    const pair = await issueTokens(ctx, tx, { userId: user.id, ...membership });
    const profile = await userProfile(tx, user.id, membership.orgId);
    return { ...pair, user: profile! };
  });
}

/**
 * Who am I: asked on every page load, so it runs as one round trip through invpro_user_profile(),
 * which scopes itself exactly as withScope() does (see migration 0004), as a named statement.
 */
export async function me(db: Database, userId: string, orgId: string): Promise<UserProfile> {
  const { rows } = await db.$client.query<ProfileRow>({
    name: 'invpro_user_profile',
    text: 'select id, email, username, org_id as "orgId", org_name as "orgName", role from invpro_user_profile($1, $2)',
    values: [userId, orgId],
  });
  const profile = profileFrom(rows, orgId);
  if (!profile) throw new AppError('unauthorized', NO_LONGER_A_MEMBER);
  return profile;
}

/** Make `orgId` the active organization of the caller's current session (see switchSession). */
export async function switchOrganization(
  ctx: AccountsContext,
  actor: { userId: string; sessionId?: string | undefined },
  orgId: string,
  presentedRefresh?: string,
): Promise<Session> {
  const { userId, sessionId } = actor;
  // A token from before sessions were named: the client refreshes it (which names one) and retries.
  if (!sessionId) throw new AppError('unauthorized', 'This access token is outdated. Refresh it and try again.');
  return withScope(ctx.db, { orgId, userId }, async (tx) => {
    const membership = await membershipOf(tx, orgId, userId);
    if (!membership) throw new AppError('not_found', 'You are not a member of that organization.');
    const pair = await switchSession(ctx, tx, { userId, sessionId, ...membership }, presentedRefresh);
    const profile = await userProfile(tx, userId, orgId);
    return { ...pair, user: profile! };
  });
}
