import { sql } from 'drizzle-orm';
import { pgRole } from 'drizzle-orm/pg-core';

/**
 * The non-owner role every request runs as (`SET LOCAL ROLE`). Roles are cluster-wide, so the
 * role is created by a hand-written idempotent migration, not by drizzle-kit (see docs/decisions).
 */
export const APP_ROLE = 'invpro_app';
export const appRole = pgRole(APP_ROLE).existing();

/** The tenant of the current transaction, set by withTenant(); empty means no tenant. */
export const currentOrgId = sql`nullif(current_setting('app.org_id', true), '')::uuid`;
/** The authenticated user of the current transaction, when there is one. */
export const currentUserId = sql`nullif(current_setting('app.user_id', true), '')::uuid`;
