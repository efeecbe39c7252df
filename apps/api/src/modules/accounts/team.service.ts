import { and, asc, count, eq } from 'drizzle-orm';
import type { Database, Transaction } from '../../db/client.ts';
import { withTenant } from '../../db/tenant.ts';
import { AppError } from '../../http/errors.ts';
import { memberships, type Role, users } from './schema.ts';
import { membershipOf } from './users.queries.ts';

const MANAGERS: readonly Role[] = ['owner', 'admin'];
const NOT_A_MEMBER = 'No member with that id in this organization.';

export const NO_LONGER_A_MEMBER = 'You are no longer a member of this organization. Log in again.';

/**
 * The actor's role, read from the database rather than the token, so that a removal or a demotion
 * takes effect at once even while an access token is still valid.
 */
export async function assertMember(tx: Transaction, actor: { userId: string; orgId: string }): Promise<Role> {
  const membership = await membershipOf(tx, actor.orgId, actor.userId);
  if (!membership) throw new AppError('unauthorized', NO_LONGER_A_MEMBER);
  return membership.role;
}

export async function assertCanManageTeam(tx: Transaction, actor: { userId: string; orgId: string }): Promise<Role> {
  const role = await assertMember(tx, actor);
  if (!MANAGERS.includes(role)) throw new AppError('forbidden', 'Only owners and admins can manage the team.');
  return role;
}

const memberView = (row: { userId: string; email: string; username: string; role: Role; createdAt: Date }) => ({
  user_id: row.userId,
  email: row.email,
  username: row.username,
  role: row.role,
  joined_at: row.createdAt.toISOString(),
});

const memberColumns = {
  userId: memberships.userId,
  email: users.email,
  username: users.username,
  role: memberships.role,
  createdAt: memberships.createdAt,
};

export async function listMembers(
  db: Database,
  actor: { userId: string; orgId: string },
  page: { limit: number; offset: number },
) {
  return withTenant(
    db,
    actor.orgId,
    async (tx) => {
      await assertMember(tx, actor);
      const inOrg = eq(memberships.orgId, actor.orgId);
      const [total] = await tx.select({ n: count() }).from(memberships).where(inOrg);
      const rows = await tx
        .select(memberColumns)
        .from(memberships)
        .innerJoin(users, eq(users.id, memberships.userId))
        .where(inOrg)
        .orderBy(asc(memberships.createdAt), asc(memberships.userId))
        .limit(page.limit)
        .offset(page.offset);
      return { count: total?.n ?? 0, results: rows.map(memberView) };
    },
    actor.userId,
  );
}

async function ownerCount(tx: Transaction, orgId: string): Promise<number> {
  // Lock the owners so two concurrent demotions cannot both pass the last-owner check.
  const rows = await tx
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.role, 'owner')))
    .for('update');
  return rows.length;
}

async function targetMember(tx: Transaction, orgId: string, userId: string) {
  const target = await membershipOf(tx, orgId, userId);
  if (!target) throw new AppError('not_found', NOT_A_MEMBER);
  return target;
}

export async function changeRole(db: Database, actor: { userId: string; orgId: string }, userId: string, role: Role) {
  return withTenant(
    db,
    actor.orgId,
    async (tx) => {
      const actorRole = await assertCanManageTeam(tx, actor);
      const target = await targetMember(tx, actor.orgId, userId);
      if ((target.role === 'owner' || role === 'owner') && actorRole !== 'owner') {
        throw new AppError('forbidden', 'Only owners can grant or remove the owner role.');
      }
      if (target.role === 'owner' && role !== 'owner' && (await ownerCount(tx, actor.orgId)) <= 1) {
        throw new AppError('conflict', 'An organization needs at least one owner. Make someone else owner first.');
      }
      await tx
        .update(memberships)
        .set({ role })
        .where(and(eq(memberships.orgId, actor.orgId), eq(memberships.userId, userId)));
      const [row] = await tx
        .select(memberColumns)
        .from(memberships)
        .innerJoin(users, eq(users.id, memberships.userId))
        .where(and(eq(memberships.orgId, actor.orgId), eq(memberships.userId, userId)));
      return memberView(row!);
    },
    actor.userId,
  );
}

export async function removeMember(db: Database, actor: { userId: string; orgId: string }, userId: string) {
  await withTenant(
    db,
    actor.orgId,
    async (tx) => {
      // Anyone may leave; removing someone else takes an owner or admin.
      const actorRole = userId === actor.userId ? undefined : await assertCanManageTeam(tx, actor);
      const target = await targetMember(tx, actor.orgId, userId);
      if (target.role === 'owner' && actorRole !== undefined && actorRole !== 'owner') {
        throw new AppError('forbidden', 'Only owners can remove an owner.');
      }
      if (target.role === 'owner' && (await ownerCount(tx, actor.orgId)) <= 1) {
        throw new AppError('conflict', 'An organization needs at least one owner. Make someone else owner first.');
      }
      await tx.delete(memberships).where(and(eq(memberships.orgId, actor.orgId), eq(memberships.userId, userId)));
    },
    actor.userId,
  );
}
