import { eq, sql } from 'drizzle-orm';
import { type Database, statementName } from '../../db/client.ts';
import { newId, uniqueViolation } from '../../db/ids.ts';
import { withScope } from '../../db/tenant.ts';
import { AppError } from '../../http/errors.ts';
import { acceptInvitationInTx, parseInvitationToken } from './invitations.service.ts';
import { decoyPasswordHash, hashPassword, passwordProblems, verifyPassword } from './passwords.ts';
import {
  accountKey,
  type LoginLimits,
  type RegistrationLimits,
  reserveLoginAttempt,
  reserveRegistration,
  settleLoginSuccess,
  unknownAccountKey,
} from './rate-limits.ts';
import { memberships, organizations, users } from './schema.ts';
import {
  issueTokens,
  revokeSessionsInTx,
  type SessionContext,
  switchSession,
  type TokenPair,
} from './sessions.service.ts';
import { NO_LONGER_A_MEMBER } from './team.service.ts';
import {
  emailOwner,
  findLoginCandidates,
  firstMembership,
  type LoginCandidate,
  membershipOf,
  type ProfileRow,
  profileFrom,
  type UserProfile,
  usernameTaken,
  userProfile,
} from './users.queries.ts';

export interface AccountsContext extends SessionContext {
  loginLimits: LoginLimits;
  registrationLimits: RegistrationLimits;
}

export interface Session extends TokenPair {
  user: UserProfile;
}

/** Who is asking: the address the limits count, and the request's logger. */
export interface Caller {
  address: string;
  log: { info(fields: Record<string, unknown>, message: string): void };
}

const BAD_CREDENTIALS = 'No active account found with the given credentials.';

const fieldError = (field: string, message: string) =>
  new AppError('validation', message, { errors: { [field]: [message] } });

const USERNAME_TAKEN = 'A user with this username already exists. Choose another username.';
const LOG_IN_TO_JOIN =
  'An account with this email already exists. Log in with it, then open the invitation link again to join.';
const OWNER_INDEX = 'users_email_owner_key';

/** A unique violation lost to a concurrent registration, as the answer the earlier checks give. */
function refusalOf(err: unknown): unknown {
  const constraint = uniqueViolation(err);
  if (constraint === 'users_username_lower_key') return fieldError('username', USERNAME_TAKEN);
  // Reached only through an invitation: other registrations never claim a taken address.
  if (constraint === OWNER_INDEX) return fieldError('email', LOG_IN_TO_JOIN);
  return err;
}

/**
 * Create an account. A taken username is refused at once (usernames are public within a team).
 * A taken email is not: the answer would tell anyone which addresses are registered. The account
 * is created all the same, in a new organization, without owning the address, and the owner is
 * told (docs/decisions/0009). Only an invitation, sent to the address, may say it is taken.
 */
export async function register(
  ctx: AccountsContext,
  input: { email: string; username: string; password: string; organization?: string; invitation?: string },
  caller: Caller,
): Promise<Session> {
  const problems = passwordProblems(input.password, input);
  if (problems.length) {
    throw new AppError('validation', problems[0]!, { errors: { password: problems } });
  }
  const invitation = input.invitation ? parseInvitationToken(input.invitation) : undefined;
  if (input.invitation && !invitation) throw fieldError('invitation', 'The invitation link is invalid.');

  // Counted before anything else, refusals included, and committed whatever happens next.
  const { taken, owner } = await withScope(ctx.db, {}, async (tx) => {
    await reserveRegistration(tx, ctx.registrationLimits, caller.address);
    return { taken: await usernameTaken(tx, input.username), owner: await emailOwner(tx, input.email) };
  });
  // Before hashing: a refusal costs no argon2 time.
  if (taken) throw fieldError('username', USERNAME_TAKEN);
  if (invitation && owner) throw fieldError('email', LOG_IN_TO_JOIN);

  const passwordHash = await hashPassword(input.password);
  const create = (ownsEmail: boolean) => createAccount(ctx, { ...input, passwordHash, ownsEmail }, invitation);
  let ownsEmail = !owner;
  let session: Session;
  try {
    session = await create(ownsEmail);
  } catch (err) {
    // Another registration claimed the address after it was looked up: the same answer as if it
    // had been taken already.
    if (uniqueViolation(err) !== OWNER_INDEX || invitation) throw refusalOf(err);
    ownsEmail = false;
    session = await create(ownsEmail).catch((again) => {
      throw refusalOf(again);
    });
  }
  if (!ownsEmail) {
    const ownerId = owner ?? (await withScope(ctx.db, {}, (tx) => emailOwner(tx, input.email)));
    // For the owner's notice ("someone registered with your address"); mail comes with a later issue.
    caller.log.info(
      { event: 'registration_with_taken_email', owner_user_id: ownerId, user_id: session.user.id },
      'registration with an email another account owns',
    );
  }
  return session;
}

async function createAccount(
  ctx: AccountsContext,
  input: {
    email: string;
    username: string;
    passwordHash: string;
    ownsEmail: boolean;
    organization?: string | undefined;
  },
  invitation: { orgId: string; secretHash: string } | undefined,
): Promise<Session> {
  const userId = newId();
  const orgId = invitation?.orgId ?? newId();
  return withScope(ctx.db, { orgId, userId }, async (tx) => {
    await tx.insert(users).values({
      id: userId,
      email: input.email,
      username: input.username,
      passwordHash: input.passwordHash,
      ownsEmail: input.ownsEmail,
    });
    let role: 'owner' | 'admin' | 'member' = 'owner';
    if (invitation) {
      role = await acceptInvitationInTx(tx, invitation, { userId, email: input.email, ownsEmail: input.ownsEmail });
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
    name: statementName('invpro_user_profile'),
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

const WRONG_CURRENT_PASSWORD = 'The current password is not right. Type the password you log in with now.';

/**
 * Change the password of the logged-in user. The current password is checked as a login is: the
 * attempt is reserved (and counted as a failure when wrong) before argon2 runs, so this cannot be
 * used to guess it faster than logging in. Every other session ends; the one asking stays.
 */
export async function changePassword(
  ctx: AccountsContext,
  actor: { userId: string; sessionId?: string | undefined },
  input: { currentPassword: string; newPassword: string },
  clientAddress: string,
): Promise<void> {
  const user = await withScope(ctx.db, { userId: actor.userId }, async (tx) => {
    const [row] = await tx
      .select({ email: users.email, username: users.username, passwordHash: users.passwordHash })
      .from(users)
      .where(eq(users.id, actor.userId));
    return row;
  });
  if (!user) throw new AppError('unauthorized', 'Log in again.');
  const problems = passwordProblems(input.newPassword, user);
  if (problems.length) throw new AppError('validation', problems[0]!, { errors: { new_password: problems } });

  const attempt = await withScope(ctx.db, {}, (tx) =>
    reserveLoginAttempt(tx, ctx.loginLimits, [accountKey(actor.userId)], clientAddress),
  );
  if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
    throw new AppError('validation', WRONG_CURRENT_PASSWORD, {
      errors: { current_password: [WRONG_CURRENT_PASSWORD] },
    });
  }
  const passwordHash = await hashPassword(input.newPassword);
  await withScope(ctx.db, { userId: actor.userId }, async (tx) => {
    await settleLoginSuccess(tx, attempt, actor.userId, ctx.loginLimits.windowSeconds);
    await tx.update(users).set({ passwordHash }).where(eq(users.id, actor.userId));
    await revokeSessionsInTx(tx, actor.userId, actor.sessionId);
  });
}
