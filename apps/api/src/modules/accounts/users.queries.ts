import { asc, desc, eq, sql } from 'drizzle-orm';
import { type Queryable, statementName } from '../../db/client.ts';
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

/** How many accounts that do not own an address a login by that address also tries. */
export const MAX_NON_OWNERS_TRIED = 5;

export interface LoginCandidate {
  id: string;
  passwordHash: string;
}

/**
 * The accounts a login may open, in the order their passwords are tried: by username, the one
 * account; by email, the address's owner, then the newest accounts that share the address without
 * owning it (docs/decisions/0009).
 */
export async function findLoginCandidates(
  db: Queryable,
  login: { email?: string; username?: string },
): Promise<LoginCandidate[]> {
  const columns = { id: users.id, passwordHash: users.passwordHash, ownsEmail: users.ownsEmail };
  if (!login.email) {
    return db
      .select(columns)
      .from(users)
      .where(sql`lower(${users.username}) = lower(${login.username ?? ''})`);
  }
  const rows = await db
    .select(columns)
    .from(users)
    .where(sql`lower(${users.email}) = lower(${login.email})`)
    .orderBy(desc(users.ownsEmail), desc(users.createdAt), desc(users.id))
    .limit(MAX_NON_OWNERS_TRIED + 1);
  const owner = rows.filter((r) => r.ownsEmail);
  return [...owner, ...rows.filter((r) => !r.ownsEmail).slice(0, MAX_NON_OWNERS_TRIED)];
}

export async function usernameTaken(db: Queryable, username: string): Promise<boolean> {
  const rows = await db.select({ id: users.id }).from(users).where(sql`lower(${users.username}) = lower(${username})`);
  return rows.length > 0;
}

/** The account that owns `email`, if any. */
export async function emailOwner(db: Queryable, email: string): Promise<string | undefined> {
  const [row] = await db
    .select({ id: users.id })
    .from(users)
    .where(sql`lower(${users.email}) = lower(${email}) and ${users.ownsEmail}`);
  return row?.id;
}

/**
 * The user as the API shows them (never the hash), with every organization of theirs, in one
 * query. Runs with the user in scope so row policies show all of the user's memberships.
 */
function buildProfileQuery(db: Queryable) {
  return (
    db
      .select({
        id: users.id,
        email: users.email,
        username: users.username,
        orgId: organizations.id,
        orgName: organizations.name,
        role: memberships.role,
      })
      .from(memberships)
      .innerJoin(organizations, eq(organizations.id, memberships.orgId))
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(eq(memberships.userId, sql.placeholder('userId')))
      .orderBy(asc(organizations.name), asc(organizations.id))
      // Named: PostgreSQL parses and plans it once per connection instead of on every request.
      .prepare(statementName('user_profile'))
  );
}

const profileQueries = new WeakMap<object, ReturnType<typeof buildProfileQuery>>();

export async function userProfile(db: Queryable, userId: string, activeOrgId: string) {
  let query = profileQueries.get(db);
  if (!query) {
    query = buildProfileQuery(db);
    profileQueries.set(db, query);
  }
  return profileFrom(await query.execute({ userId }), activeOrgId);
}

export interface ProfileRow {
  id: string;
  email: string;
  username: string;
  orgId: string;
  orgName: string;
  role: Role;
}

export interface UserProfile {
  id: string;
  email: string;
  username: string;
  organization: { id: string; name: string };
  role: Role;
  organizations: { id: string; name: string; role: Role }[];
}

/** One row per membership of the user → the profile in `activeOrgId`, or undefined if not a member. */
export function profileFrom(rows: ProfileRow[], activeOrgId: string): UserProfile | undefined {
  const active = rows.find((r) => r.orgId === activeOrgId);
  if (!active) return undefined;
  return {
    id: active.id,
    email: active.email,
    username: active.username,
    organization: { id: active.orgId, name: active.orgName },
    role: active.role,
    organizations: rows.map((r) => ({ id: r.orgId, name: r.orgName, role: r.role })),
  };
}
