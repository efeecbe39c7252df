import { sql } from 'drizzle-orm';
import { boolean, index, pgPolicy, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { appRole, currentOrgId, currentUserId } from '../../db/roles.ts';

export const ROLES = ['owner', 'admin', 'member'] as const;
export type Role = (typeof ROLES)[number];

const timestamps = {
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
};

/**
 * Global: a person can belong to several organizations. An address has at most one owner: a
 * registration with an address that already has one is not refused (that would tell anyone which
 * addresses are registered) but makes an account that does not own it (docs/decisions/0009).
 */
export const users = pgTable(
  'users',
  {
    id: uuid().primaryKey(),
    email: text().notNull(),
    username: text().notNull(),
    passwordHash: text().notNull(),
    /** False for an account registered with an address another account already owned. */
    ownsEmail: boolean().notNull().default(true),
    lastLoginAt: timestamp({ withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('users_email_owner_key').on(sql`lower(${t.email})`).where(sql`owns_email`),
    index('users_email_lower_idx').on(sql`lower(${t.email})`),
    uniqueIndex('users_username_lower_key').on(sql`lower(${t.username})`),
  ],
);

/** The tenant. Visible to its own transactions, and to members listing their organizations. */
export const organizations = pgTable(
  'organizations',
  {
    id: uuid().primaryKey(),
    name: text().notNull(),
    ...timestamps,
  },
  () => [
    pgPolicy('organizations_tenant', {
      for: 'all',
      to: appRole,
      using: sql`id = ${currentOrgId} or id in (select m.org_id from memberships m where m.user_id = ${currentUserId})`,
      withCheck: sql`id = ${currentOrgId}`,
    }),
  ],
);

export const memberships = pgTable(
  'memberships',
  {
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text({ enum: ROLES }).notNull(),
    ...timestamps,
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.userId] }),
    index('memberships_user_idx').on(t.userId),
    // A user sees the members of the active tenant, and their own memberships in every tenant
    // (to log in and switch organizations); they change only the active tenant's.
    pgPolicy('memberships_tenant', {
      for: 'all',
      to: appRole,
      using: sql`org_id = ${currentOrgId} or user_id = ${currentUserId}`,
      withCheck: sql`org_id = ${currentOrgId}`,
    }),
  ],
);

export const invitations = pgTable(
  'invitations',
  {
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    id: uuid().notNull(),
    email: text().notNull(),
    role: text({ enum: ROLES }).notNull(),
    tokenHash: text().notNull(),
    invitedBy: uuid().references(() => users.id, { onDelete: 'set null' }),
    ...timestamps,
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    acceptedAt: timestamp({ withTimezone: true }),
    acceptedBy: uuid().references(() => users.id, { onDelete: 'set null' }),
    revokedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.id] }),
    uniqueIndex('invitations_token_key').on(t.orgId, t.tokenHash),
    uniqueIndex('invitations_pending_email_key')
      .on(t.orgId, sql`lower(${t.email})`)
      .where(sql`accepted_at is null and revoked_at is null`),
    pgPolicy('invitations_tenant', {
      for: 'all',
      to: appRole,
      using: sql`org_id = ${currentOrgId}`,
      withCheck: sql`org_id = ${currentOrgId}`,
    }),
  ],
);

/**
 * Global: opaque refresh tokens, stored as SHA-256 hashes. Each login starts a family; each use
 * rotates within it; presenting a spent token revokes the whole family (token theft detection).
 */
export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    id: uuid().primaryKey(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    familyId: uuid().notNull(),
    /** The organization the session is in; not a tenant key (this table is global). */
    activeOrgId: uuid().notNull(),
    tokenHash: text().notNull().unique(),
    ...timestamps,
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    usedAt: timestamp({ withTimezone: true }),
    revokedAt: timestamp({ withTimezone: true }),
  },
  (t) => [index('refresh_tokens_family_idx').on(t.familyId), index('refresh_tokens_user_idx').on(t.userId)],
);

/**
 * Global: login attempts, counted per account and per client address across every API process.
 * An attempt is reserved here before its password is checked and stays as a failure unless the
 * password was right. Account keys are `user:<id>`, or `typed:<identifier>` for unknown ones.
 */
export const loginFailures = pgTable(
  'login_failures',
  {
    id: uuid().primaryKey(),
    scope: text({ enum: ['account', 'address'] }).notNull(),
    key: text().notNull(),
    failedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('login_failures_lookup_idx').on(t.scope, t.key, t.failedAt)],
);

/** Global: registrations per client address, counted across every API process. */
export const registrationAttempts = pgTable(
  'registration_attempts',
  {
    id: uuid().primaryKey(),
    address: text().notNull(),
    attemptedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('registration_attempts_lookup_idx').on(t.address, t.attemptedAt)],
);

/**
 * Global: password-reset links, one hour each, stored as SHA-256 of the secret only. A new request
 * deletes the user's older unused links; using one sets used_at in the same statement that checks it.
 */
export const passwordResets = pgTable(
  'password_resets',
  {
    id: uuid().primaryKey(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: text().notNull().unique(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    usedAt: timestamp({ withTimezone: true }),
    ...timestamps,
  },
  (t) => [index('password_resets_user_idx').on(t.userId)],
);

/**
 * Global: reset requests per typed email and per client address, counted whether or not the
 * address has an account, so the limit itself reveals nothing.
 */
export const passwordResetRequests = pgTable(
  'password_reset_requests',
  {
    id: uuid().primaryKey(),
    scope: text({ enum: ['email', 'address'] }).notNull(),
    key: text().notNull(),
    requestedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('password_reset_requests_lookup_idx').on(t.scope, t.key, t.requestedAt)],
);
