import { and, eq, gt, isNull, lt, sql } from 'drizzle-orm';
import type { Database, Transaction } from '../../db/client.ts';
import { newId } from '../../db/ids.ts';
import { withScope } from '../../db/tenant.ts';
import { AppError } from '../../http/errors.ts';
import type { Mailer } from '../mail/mailer.ts';
import { escapeHtml } from '../mail/mailer.ts';
import { hashPassword, passwordProblems } from './passwords.ts';
import { accountKey, type PasswordResetLimits, reservePasswordReset } from './rate-limits.ts';
import { loginFailures, memberships, passwordResetRequests, passwordResets, users } from './schema.ts';
import { revokeSessionsInTx } from './sessions.service.ts';
import { newOpaqueToken, sha256 } from './tokens.ts';
import { emailOwner } from './users.queries.ts';

export const PASSWORD_RESET_TTL_SECONDS = 3600;

export const RESET_REQUESTED =
  'If an account uses this email, we have sent it a link to choose a new password. The link works for one hour.';
export const INVALID_RESET_LINK =
  'This password-reset link is invalid, expired or already used. Ask for a new link on the login page ("Forgot password?").';

export interface PasswordResetContext {
  db: Database;
  mailer: Mailer;
  /** Where the web app is, for the link (the origin invitation links use). */
  publicWebUrl: string;
  limits: PasswordResetLimits;
}

/** 32 random bytes in base64url: 43 characters of the URL-safe alphabet. */
const RESET_TOKEN = /^[A-Za-z0-9_-]{43}$/;

const invalidLink = () => new AppError('bad_request', INVALID_RESET_LINK, { errors: { token: [INVALID_RESET_LINK] } });

/**
 * Count the request, then answer: whether the email has an account is decided (and its message
 * sent) after the answer has gone, so the answer, its status and its timing are the same for an
 * address with or without an account. Only the address's owner can be reset (docs/decisions/0009).
 */
export async function requestPasswordReset(ctx: PasswordResetContext, email: string, address: string): Promise<void> {
  await withScope(ctx.db, {}, (tx) => reservePasswordReset(tx, ctx.limits, email, address));
  ctx.mailer.later({ kind: 'password_reset' }, () => issueAndSendResetLink(ctx, email));
}

async function issueAndSendResetLink(ctx: PasswordResetContext, email: string): Promise<void> {
  const issued = await withScope(ctx.db, {}, async (tx) => {
    const userId = await emailOwner(tx, email);
    if (!userId) return undefined;
    const [user] = await tx.select({ email: users.email }).from(users).where(eq(users.id, userId));
    if (!user) return undefined;
    // A new link replaces every earlier unused one.
    await tx.delete(passwordResets).where(and(eq(passwordResets.userId, userId), isNull(passwordResets.usedAt)));
    const token = newOpaqueToken();
    await tx.insert(passwordResets).values({
      id: newId(),
      userId,
      tokenHash: sha256(token),
      expiresAt: new Date(Date.now() + PASSWORD_RESET_TTL_SECONDS * 1000),
    });
    return { userId, email: user.email, token };
  });
  if (!issued) return;
  // Without SMTP the person cannot read their own mail: the organizations they belong to can relay it.
  const orgIds = await withScope(ctx.db, { userId: issued.userId }, async (tx) =>
    (await tx.select({ orgId: memberships.orgId }).from(memberships).where(eq(memberships.userId, issued.userId))).map(
      (m) => m.orgId,
    ),
  );
  const link = `${ctx.publicWebUrl}/reset-password/${issued.token}`;
  await ctx.mailer.send(
    {
      to: issued.email,
      kind: 'password_reset',
      subject: 'Reset your InvPro360 password',
      text: [
        'Someone (we hope you) asked to reset the password of your InvPro360 account.',
        '',
        `Choose a new password here (the link works once, for one hour): ${link}`,
        '',
        'If you did not ask for this, ignore this message: your password stays as it is.',
      ].join('\n'),
      html: `<p>Someone (we hope you) asked to reset the password of your InvPro360 account.</p><p><a href="${escapeHtml(link)}">Choose a new password</a> (the link works once, for one hour).</p><p>If you did not ask for this, ignore this message: your password stays as it is.</p>`,
    },
    orgIds,
  );
}

/**
 * Use a reset link: the new password is checked first (a weak one leaves the link usable), then
 * the link is spent in the same statement that checks it is unused and unexpired, so of two
 * parallel confirmations exactly one succeeds. Every session of the account ends, and its failed
 * logins are forgotten.
 */
export async function confirmPasswordReset(db: Database, token: string, password: string): Promise<void> {
  if (!RESET_TOKEN.test(token)) throw invalidLink();
  const tokenHash = sha256(token);
  const live = and(
    eq(passwordResets.tokenHash, tokenHash),
    isNull(passwordResets.usedAt),
    gt(passwordResets.expiresAt, sql`now()`),
  );
  const user = await withScope(db, {}, async (tx) => {
    const [row] = await tx
      .select({ id: users.id, email: users.email, username: users.username })
      .from(passwordResets)
      .innerJoin(users, eq(users.id, passwordResets.userId))
      .where(live);
    return row;
  });
  if (!user) throw invalidLink();
  const problems = passwordProblems(password, user);
  if (problems.length) throw new AppError('validation', problems[0]!, { errors: { password: problems } });
  const passwordHash = await hashPassword(password);
  await withScope(db, { userId: user.id }, async (tx) => {
    const spent = await tx
      .update(passwordResets)
      .set({ usedAt: sql`now()` })
      .where(live)
      .returning({ userId: passwordResets.userId });
    if (spent.length === 0) throw invalidLink();
    await tx.update(users).set({ passwordHash }).where(eq(users.id, user.id));
    await revokeSessionsInTx(tx, user.id);
    await tx
      .delete(loginFailures)
      .where(and(eq(loginFailures.scope, 'account'), eq(loginFailures.key, accountKey(user.id))));
  });
}

/** Housekeeping: links past their hour (used or not), and request counts past their window. */
export async function purgeExpiredPasswordResets(
  tx: Transaction,
  windowSeconds: number,
): Promise<{ resets: number; requests: number }> {
  const resets = await tx
    .delete(passwordResets)
    .where(lt(passwordResets.expiresAt, sql`now()`))
    .returning({ id: passwordResets.id });
  const requests = await tx
    .delete(passwordResetRequests)
    .where(lt(passwordResetRequests.requestedAt, sql`now() - make_interval(secs => ${windowSeconds})`))
    .returning({ id: passwordResetRequests.id });
  return { resets: resets.length, requests: requests.length };
}
