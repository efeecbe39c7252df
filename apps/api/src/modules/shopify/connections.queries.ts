import { and, asc, eq } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { shopifyConnections } from './schema.ts';

export type ConnectionRow = typeof shopifyConnections.$inferSelect;

export async function findConnection(db: Queryable, orgId: string, id: string): Promise<ConnectionRow | undefined> {
  const [row] = await db
    .select()
    .from(shopifyConnections)
    .where(and(eq(shopifyConnections.orgId, orgId), eq(shopifyConnections.id, id)));
  return row;
}

export async function findConnectionByShop(
  db: Queryable,
  orgId: string,
  shopDomain: string,
): Promise<ConnectionRow | undefined> {
  const [row] = await db
    .select()
    .from(shopifyConnections)
    .where(and(eq(shopifyConnections.orgId, orgId), eq(shopifyConnections.shopDomain, shopDomain)));
  return row;
}

export async function listConnections(db: Queryable, orgId: string): Promise<ConnectionRow[]> {
  return db
    .select()
    .from(shopifyConnections)
    .where(eq(shopifyConnections.orgId, orgId))
    .orderBy(asc(shopifyConnections.createdAt), asc(shopifyConnections.id));
}

/** What an answer may show of a connection: never a secret, at most the last four characters. */
export function connectionView(row: ConnectionRow) {
  return {
    id: row.id,
    shop_domain: row.shopDomain,
    store_url: `https://${row.shopDomain}`,
    state: row.state,
    auth_method: row.authMethod,
    shop_name: row.shopName,
    plan: row.planName,
    currency: row.currency,
    timezone: row.timezone,
    scopes: row.scopes,
    api_key: row.apiKey,
    api_secret_hint: row.apiSecretHint,
    access_token_hint: row.accessTokenHint,
    token_expires_at: row.tokenExpiresAt?.toISOString() ?? null,
    error_count: row.errorCount,
    last_error: row.lastError,
    last_error_at: row.lastErrorAt?.toISOString() ?? null,
    last_checked_at: row.lastCheckedAt?.toISOString() ?? null,
    webhooks: {
      state: row.webhooksState,
      error: row.webhooksError,
      topics: row.webhookSubscriptions.map((s) => s.topic),
    },
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}
export type ConnectionView = ReturnType<typeof connectionView>;
