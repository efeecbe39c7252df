import { asc, eq, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { memberships, organizations, type Role, users } from './schema.ts';

export interface MembershipRow {
  orgId: string;
  role: Role;
}

export async function membershipOf(db: Queryable, orgId: string, userId: string): Promise<MembershipRow | undefined> {
  const [row] = await db
    .select({ orgId: memberships.orgId, role: memberships.role })
    .from(memberships)
    .where(sql`${memberships.orgId} = ${orgId} and ${memberships.userId} = ${userId}`);
  return row;
}

export async function firstMembership(db: Queryable, userId: string): Promise<MembershipRow | undefined> {
  const [row] = await db
    .select({ orgId: memberships.orgId, role: memberships.role })
    .from(memberships)
    .where(eq(memberships.userId, userId))
    .orderBy(asc(memberships.createdAt), asc(memberships.orgId))
    .limit(1);
  return row;
}

export async function findUserByLogin(db: Queryable, login: { email?: string; username?: string }) {
  const condition = login.email
    ? sql`lower(${users.email}) = lower(${login.email})`
    : sql`lower(${users.username}) = lower(${login.username ?? ''})`;
  const [row] = await db.select().from(users).where(condition);
  return row;
}

/** The user as the API shows them: never the hash. Runs with the user in scope to see every membership. */
export async function userProfile(db: Queryable, userId: string, activeOrgId: string) {
  const [user] = await db
    .select({ id: users.id, email: users.email, username: users.username })
    .from(users)
    .where(eq(users.id, userId));
  if (!user) return undefined;
  const orgs = await db
    .select({ id: organizations.id, name: organizations.name, role: memberships.role })
    .from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.orgId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(organizations.name), asc(organizations.id));
  const active = orgs.find((o) => o.id === activeOrgId);
  if (!active) return undefined;
  return {
    id: user.id,
    email: user.email,
    username: user.username,
    organization: { id: active.id, name: active.name },
    role: active.role,
    organizations: orgs,
  };
}
export type UserProfile = NonNullable<Awaited<ReturnType<typeof userProfile>>>;
