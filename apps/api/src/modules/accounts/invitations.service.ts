import { and, asc, count, eq, gt, sql } from 'drizzle-orm';
import type { Database, Transaction } from '../../db/client.ts';
import { isUuid, newId, uniqueViolation } from '../../db/ids.ts';
import { withScope, withTenant } from '../../db/tenant.ts';
import { AppError, notFound } from '../../http/errors.ts';
import { escapeHtml, type Mailer } from '../mail/mailer.ts';
import { invitations, memberships, organizations, type Role, users } from './schema.ts';
import { assertCanManageTeam } from './team.service.ts';
import { newOpaqueToken, sha256 } from './tokens.ts';

export const INVITATION_TTL_DAYS = 7;

/**
 * An invitation token is `<org id>.<secret>`: the org id lets the lookup run inside that tenant's
 * scope (row-level security holds even for this unauthenticated route); only the secret's hash is stored.
 */
export function parseInvitationToken(token: string): { orgId: string; secretHash: string } | undefined {
  const [orgId, secret, extra] = token.split('.');
  if (!orgId || !secret || extra !== undefined || !isUuid(orgId) || !/^[A-Za-z0-9_-]{20,100}$/.test(secret)) {
    return undefined;
  }
  return { orgId, secretHash: sha256(secret) };
}

const pending = sql`${invitations.acceptedAt} is null and ${invitations.revokedAt} is null`;

const invitationView = (row: typeof invitations.$inferSelect, publicWebUrl: string, token?: string) => ({
  id: row.id,
  email: row.email,
  role: row.role,
  created_at: row.createdAt.toISOString(),
  expires_at: row.expiresAt.toISOString(),
  ...(token ? { token, invitation_url: `${publicWebUrl}/invite/${token}` } : {}),
});

export async function createInvitation(
  db: Database,
  actor: { userId: string; orgId: string },
  input: { email: string; role: Role },
  publicWebUrl: string,
) {
  return withTenant(
    db,
    actor.orgId,
    async (tx) => {
      const actorRole = await assertCanManageTeam(tx, actor);
      if (input.role === 'owner' && actorRole !== 'owner') {
        throw new AppError('forbidden', 'Only owners can invite another owner.');
      }
      const [member] = await tx
        .select({ n: count() })
        .from(memberships)
        .innerJoin(users, eq(users.id, memberships.userId))
        .where(
          and(
            eq(memberships.orgId, actor.orgId),
            // Only the address's owner can accept; a member merely sharing the address is not them.
            eq(users.ownsEmail, true),
            sql`lower(${users.email}) = lower(${input.email})`,
          ),
        );
      if (member && member.n > 0) {
        throw new AppError('conflict', `${input.email} is already a member of this organization.`);
      }
      // A new invitation to the same address replaces an expired one.
      await tx
        .update(invitations)
        .set({ revokedAt: sql`now()` })
        .where(
          and(
            pending,
            sql`lower(${invitations.email}) = lower(${input.email})`,
            sql`${invitations.expiresAt} <= now()`,
          ),
        );
      const secret = newOpaqueToken();
      const token = `${actor.orgId}.${secret}`;
      try {
        const [row] = await tx
          .insert(invitations)
          .values({
            orgId: actor.orgId,
            id: newId(),
            email: input.email,
            role: input.role,
            tokenHash: sha256(secret),
            invitedBy: actor.userId,
            expiresAt: new Date(Date.now() + INVITATION_TTL_DAYS * 86_400_000),
          })
          .returning();
        return invitationView(row!, publicWebUrl, token);
      } catch (err) {
        if (uniqueViolation(err) !== undefined) {
          throw new AppError(
            'conflict',
            `${input.email} already has a pending invitation. Revoke it to send a new one.`,
          );
        }
        throw err;
      }
    },
    actor.userId,
  );
}

export async function listInvitations(
  db: Database,
  actor: { userId: string; orgId: string },
  page: { limit: number; offset: number },
) {
  return withTenant(
    db,
    actor.orgId,
    async (tx) => {
      await assertCanManageTeam(tx, actor);
      const where = and(pending, gt(invitations.expiresAt, sql`now()`));
      const [total] = await tx.select({ n: count() }).from(invitations).where(where);
      const rows = await tx
        .select()
        .from(invitations)
        .where(where)
        .orderBy(asc(invitations.createdAt), asc(invitations.id))
        .limit(page.limit)
        .offset(page.offset);
      return { count: total?.n ?? 0, results: rows.map((r) => invitationView(r, '')) };
    },
    actor.userId,
  );
}

export async function revokeInvitation(db: Database, actor: { userId: string; orgId: string }, invitationId: string) {
  await withTenant(
    db,
    actor.orgId,
    async (tx) => {
      await assertCanManageTeam(tx, actor);
      const revoked = await tx
        .update(invitations)
        .set({ revokedAt: sql`now()` })
        .where(and(eq(invitations.id, invitationId), pending))
        .returning({ id: invitations.id });
      if (revoked.length === 0) throw notFound('The invitation');
    },
    actor.userId,
  );
}

async function findPendingInvitation(tx: Transaction, token: { orgId: string; secretHash: string }) {
  const [row] = await tx
    .select({ invitation: invitations, organization: { id: organizations.id, name: organizations.name } })
    .from(invitations)
    .innerJoin(organizations, eq(organizations.id, invitations.orgId))
    .where(and(eq(invitations.tokenHash, token.secretHash), pending, gt(invitations.expiresAt, sql`now()`)))
    .for('update', { of: invitations });
  return row;
}

const INVALID_INVITATION = 'This invitation link is invalid, expired, revoked or already used. Ask for a new one.';

/** Public: what an invitation link offers, for the page that accepts it. */
export async function describeInvitation(db: Database, token: string) {
  const parsed = parseInvitationToken(token);
  if (!parsed) throw new AppError('not_found', INVALID_INVITATION);
  const row = await withTenant(db, parsed.orgId, (tx) => findPendingInvitation(tx, parsed));
  if (!row) throw new AppError('not_found', INVALID_INVITATION);
  return {
    organization: row.organization,
    email: row.invitation.email,
    role: row.invitation.role,
    expires_at: row.invitation.expiresAt.toISOString(),
  };
}

/**
 * Inside a transaction scoped to the invitation's org: add the user as a member, mark the invitation
 * used. The link went to an address, so only the account that owns that address may accept it: an
 * account merely registered with it (docs/decisions/0009) gets the same refusal as any other.
 */
export async function acceptInvitationInTx(
  tx: Transaction,
  token: { orgId: string; secretHash: string },
  user: { userId: string; email: string; ownsEmail: boolean },
): Promise<Role> {
  const row = await findPendingInvitation(tx, token);
  if (!row) throw new AppError('not_found', INVALID_INVITATION);
  if (!user.ownsEmail || row.invitation.email.toLowerCase() !== user.email.toLowerCase()) {
    throw new AppError(
      'forbidden',
      `This invitation was sent to ${row.invitation.email}. Log in with the account of that address to accept it.`,
    );
  }
  await tx
    .update(invitations)
    .set({ acceptedAt: sql`now()`, acceptedBy: user.userId })
    .where(and(eq(invitations.orgId, token.orgId), eq(invitations.id, row.invitation.id)));
  await tx
    .insert(memberships)
    .values({ orgId: token.orgId, userId: user.userId, role: row.invitation.role })
    .onConflictDoNothing();
  return row.invitation.role;
}

export async function acceptInvitation(db: Database, userId: string, token: string): Promise<string> {
  const parsed = parseInvitationToken(token);
  if (!parsed) throw new AppError('not_found', INVALID_INVITATION);
  await withScope(db, { orgId: parsed.orgId, userId }, async (tx) => {
    const [user] = await tx
      .select({ email: users.email, ownsEmail: users.ownsEmail })
      .from(users)
      .where(eq(users.id, userId));
    if (!user) throw new AppError('unauthorized', 'Log in again.');
    await acceptInvitationInTx(tx, parsed, { userId, ...user });
  });
  return parsed.orgId;
}

/**
 * The invitee's message with the link. The inviter gets the same link in the answer, so mail is
 * a convenience: sent after the answer, into the inviting organization's outbox when there is no SMTP.
 */
export async function sendInvitationMail(
  db: Database,
  mailer: Mailer,
  actor: { userId: string; orgId: string },
  invitation: { email: string; role: Role; invitation_url?: string },
): Promise<void> {
  const url = invitation.invitation_url;
  if (!url) return;
  const names = await withTenant(
    db,
    actor.orgId,
    async (tx) => {
      const [org] = await tx
        .select({ name: organizations.name })
        .from(organizations)
        .where(eq(organizations.id, actor.orgId));
      const [inviter] = await tx.select({ username: users.username }).from(users).where(eq(users.id, actor.userId));
      return { organization: org?.name ?? 'an organization', inviter: inviter?.username ?? 'A member' };
    },
    actor.userId,
  );
  await mailer.send(
    {
      to: invitation.email,
      kind: 'invitation',
      subject: `You are invited to ${names.organization} on InvPro360`,
      text: [
        `${names.inviter} invited you to join ${names.organization} on InvPro360 as ${invitation.role}.`,
        '',
        `Accept the invitation here (it works for ${INVITATION_TTL_DAYS} days): ${url}`,
      ].join('\n'),
      html: `<p>${escapeHtml(names.inviter)} invited you to join <strong>${escapeHtml(names.organization)}</strong> on InvPro360 as ${invitation.role}.</p><p><a href="${escapeHtml(url)}">Accept the invitation</a> (it works for ${INVITATION_TTL_DAYS} days).</p>`,
    },
    [actor.orgId],
  );
}
