import { eq } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { uniqueViolation } from '../../db/ids.ts';
import { withScope, withTenant } from '../../db/tenant.ts';
import { AppError } from '../../http/errors.ts';
import type { Caller } from './accounts.service.ts';
import { verifyPassword } from './passwords.ts';
import { accountKey, type LoginLimits, reserveLoginAttempt, settleLoginSuccess } from './rate-limits.ts';
import { organizations, type Role, users } from './schema.ts';
import { assertMember, NO_LONGER_A_MEMBER } from './team.service.ts';
import { emailOwner, type UserProfile, usernameTaken, userProfile } from './users.queries.ts';

const fieldError = (field: string, message: string) =>
  new AppError('validation', message, { errors: { [field]: [message] } });

const WRONG_PASSWORD = 'The current password is not correct.';
const USERNAME_TAKEN = 'A user with this username already exists. Choose another username.';
const OWNER_INDEX = 'users_email_owner_key';
const RENAMERS: readonly Role[] = ['owner', 'admin'];

export interface ProfileChange {
  email?: string | undefined;
  username?: string | undefined;
  currentPassword: string;
}

/**
 * The current password, checked the way a login checks it: the attempt is reserved against the
 * account and the caller's address before argon2 runs, so a stolen access token cannot be used to
 * guess the password faster than the login form allows (and a lockout from either applies to both).
 */
async function confirmPassword(
  db: Database,
  limits: LoginLimits,
  userId: string,
  password: string,
  address: string,
): Promise<void> {
  const { hash, attempt } = await withScope(db, { userId }, async (tx) => {
    const [row] = await tx.select({ hash: users.passwordHash }).from(users).where(eq(users.id, userId));
    if (!row) throw new AppError('unauthorized', NO_LONGER_A_MEMBER);
    return { hash: row.hash, attempt: await reserveLoginAttempt(tx, limits, [accountKey(userId)], address) };
  });
  // 400, not 401: the session is fine, only the typed password is wrong (a 401 would log the client out).
  if (!(await verifyPassword(hash, password))) throw fieldError('current_password', WRONG_PASSWORD);
  await withScope(db, { userId }, (tx) => settleLoginSuccess(tx, attempt, userId, limits.windowSeconds));
}

/**
 * Change the caller's email and/or username. A taken username is refused: usernames are shown to
 * teammates and registration refuses them too. A taken email is not, for the reason registration
 * does not (docs/decisions/0009): anyone can register and be "a logged-in user" in seconds, so a
 * "taken" answer here would be a cheaper probe of who uses InvPro360 than the one 0009 closed.
 * The address is accepted, the account does not own it (login by email still finds it, after the
 * owner), and the owner's notice is logged exactly as for a registration.
 */
export async function updateProfile(
  db: Database,
  limits: LoginLimits,
  actor: { userId: string; orgId: string },
  change: ProfileChange,
  caller: Caller,
): Promise<UserProfile> {
  if (change.email === undefined && change.username === undefined) {
    throw fieldError('email', 'Send a new "email" or "username" (or both) with your current password.');
  }
  const { userId, orgId } = actor;
  // Before the password check: a refusal that needs no secret costs no attempt and no argon2 time.
  const { current, taken, owner } = await withScope(db, { userId, orgId }, async (tx) => {
    const [row] = await tx
      .select({ email: users.email, username: users.username, ownsEmail: users.ownsEmail })
      .from(users)
      .where(eq(users.id, userId));
    if (!row) throw new AppError('unauthorized', NO_LONGER_A_MEMBER);
    const renaming = change.username !== undefined && change.username.toLowerCase() !== row.username.toLowerCase();
    return {
      current: row,
      taken: renaming && (await usernameTaken(tx, change.username!)),
      owner: change.email === undefined ? undefined : await emailOwner(tx, change.email),
    };
  });
  if (taken) throw fieldError('username', USERNAME_TAKEN);
  await confirmPassword(db, limits, userId, change.currentPassword, caller.address);

  const sameAddress = change.email === undefined || change.email.toLowerCase() === current.email.toLowerCase();
  const save = (ownsEmail: boolean) =>
    withScope(db, { userId, orgId }, async (tx) => {
      await tx
        .update(users)
        .set({
          ...(change.username !== undefined ? { username: change.username } : {}),
          ...(change.email !== undefined ? { email: change.email, ownsEmail } : {}),
        })
        .where(eq(users.id, userId));
      const profile = await userProfile(tx, userId, orgId);
      if (!profile) throw new AppError('unauthorized', NO_LONGER_A_MEMBER);
      return profile;
    });
  // Retyping one's own address (say, in other case) keeps what the account had.
  let ownsEmail = sameAddress ? current.ownsEmail : owner === undefined || owner === userId;
  let profile: UserProfile;
  try {
    profile = await save(ownsEmail);
  } catch (err) {
    const constraint = uniqueViolation(err);
    if (constraint === 'users_username_lower_key') throw fieldError('username', USERNAME_TAKEN);
    // Another account claimed the address after it was looked up: as if it had been taken already.
    if (constraint !== OWNER_INDEX) throw err;
    ownsEmail = false;
    profile = await save(ownsEmail).catch((again) => {
      throw uniqueViolation(again) === 'users_username_lower_key' ? fieldError('username', USERNAME_TAKEN) : again;
    });
  }
  if (!sameAddress && !ownsEmail) {
    const ownerId = owner ?? (await withScope(db, {}, (tx) => emailOwner(tx, change.email!)));
    caller.log.info(
      { event: 'profile_email_taken', owner_user_id: ownerId, user_id: userId },
      'an account changed its email to one another account owns',
    );
  }
  return profile;
}

/** Rename the active organization: owners and admins only, the role read from the database. */
export async function renameOrganization(
  db: Database,
  actor: { userId: string; orgId: string },
  name: string,
): Promise<{ id: string; name: string }> {
  return withTenant(
    db,
    actor.orgId,
    async (tx) => {
      const role = await assertMember(tx, actor);
      if (!RENAMERS.includes(role)) {
        throw new AppError('forbidden', 'Only owners and admins can rename the organization.');
      }
      const [row] = await tx
        .update(organizations)
        .set({ name })
        .where(eq(organizations.id, actor.orgId))
        .returning({ id: organizations.id, name: organizations.name });
      if (!row) throw new AppError('not_found', 'This organization no longer exists.');
      return row;
    },
    actor.userId,
  );
}
