import { and, asc, eq, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { shopifyConnections, shopifyShopIndex } from './schema.ts';

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

// Every write to shopify_connections (and its routing row in shopify_shop_index) is one of these:
// the table's state machine reads in one place. Each takes the transaction first; services own it.

const byId = (orgId: string, id: string) => and(eq(shopifyConnections.orgId, orgId), eq(shopifyConnections.id, id));

export type ConnectionInsert = typeof shopifyConnections.$inferInsert;

/** Credentials that passed the connection test: insert, or update the organization's row for that shop, and route its webhooks. */
export async function upsertTestedConnection(
  tx: Queryable,
  p: {
    orgId: string;
    id: string;
    shopDomain: string;
    connectedBy: string;
    values: Omit<ConnectionInsert, 'orgId' | 'id' | 'shopDomain'>;
  },
): Promise<void> {
  await tx
    .insert(shopifyConnections)
    .values({ orgId: p.orgId, id: p.id, shopDomain: p.shopDomain, connectedBy: p.connectedBy, ...p.values })
    .onConflictDoUpdate({ target: [shopifyConnections.orgId, shopifyConnections.shopDomain], set: p.values });
  await tx
    .insert(shopifyShopIndex)
    .values({ shopDomain: p.shopDomain, orgId: p.orgId, connectionId: p.id })
    .onConflictDoNothing();
}

/** A failed test or token renewal: counted, with its message; a connected store turns `error`. */
export async function recordConnectionFailure(
  tx: Queryable,
  p: { orgId: string; id: string; message: string; checked?: boolean },
) {
  await tx
    .update(shopifyConnections)
    .set({
      errorCount: sql`${shopifyConnections.errorCount} + 1`,
      lastError: p.message,
      lastErrorAt: sql`now()`,
      ...(p.checked ? { lastCheckedAt: sql`now()` } : {}),
      state: sql`case when ${shopifyConnections.state} = 'connected' then 'error' else ${shopifyConnections.state} end`,
      updatedAt: sql`now()`,
    })
    .where(byId(p.orgId, p.id));
}

/** A passed re-test: the shop's details as Shopify reported them. */
export async function recordConnectionTested(
  tx: Queryable,
  p: { orgId: string; id: string; shopName: string; planName: string | null; currency: string; scopes: string[] },
) {
  await tx
    .update(shopifyConnections)
    .set({
      state: 'connected',
      shopName: p.shopName,
      planName: p.planName,
      currency: p.currency,
      scopes: p.scopes,
      lastCheckedAt: sql`now()`,
      updatedAt: sql`now()`,
    })
    .where(byId(p.orgId, p.id));
}

/** Renewed OAuth tokens (sealed). */
export async function saveTokens(
  tx: Queryable,
  p: {
    orgId: string;
    id: string;
    tokens: Pick<
      ConnectionInsert,
      'accessTokenEnc' | 'accessTokenHint' | 'refreshTokenEnc' | 'tokenExpiresAt' | 'refreshTokenExpiresAt'
    >;
  },
) {
  await tx
    .update(shopifyConnections)
    .set({ ...p.tokens, updatedAt: sql`now()` })
    .where(byId(p.orgId, p.id));
}

export async function saveWebhookRegistration(
  tx: Queryable,
  p: {
    orgId: string;
    id: string;
    state: ConnectionRow['webhooksState'];
    error: string | null;
    subscriptions?: { topic: string; id: string }[];
  },
) {
  await tx
    .update(shopifyConnections)
    .set({
      webhooksState: p.state,
      webhooksError: p.error,
      ...(p.subscriptions ? { webhookSubscriptions: p.subscriptions } : {}),
    })
    .where(byId(p.orgId, p.id));
}

/**
 * The store can no longer be called: tokens and webhook subscriptions go. `uninstalled` keeps the
 * API secret and the shop's routing, since Shopify's shop/redact comes after and must still verify;
 * `disconnected` (the merchant's choice) drops every secret and stops routing webhooks to it.
 */
export async function clearCredentials(
  tx: Queryable,
  p: { orgId: string; id: string; state: 'uninstalled' | 'disconnected' },
) {
  const disconnect = p.state === 'disconnected';
  await tx
    .update(shopifyConnections)
    .set({
      state: p.state,
      accessTokenEnc: null,
      accessTokenHint: null,
      refreshTokenEnc: null,
      tokenExpiresAt: null,
      refreshTokenExpiresAt: null,
      ...(disconnect ? { apiSecretEnc: null, apiSecretHint: null } : {}),
      webhooksState: 'not_configured',
      webhooksError: null,
      webhookSubscriptions: [],
      updatedAt: sql`now()`,
    })
    .where(byId(p.orgId, p.id));
  if (disconnect) {
    await tx
      .delete(shopifyShopIndex)
      .where(and(eq(shopifyShopIndex.orgId, p.orgId), eq(shopifyShopIndex.connectionId, p.id)));
  }
}

/** The store and everything synced from it (its events and index rows cascade). */
export async function deleteConnection(tx: Queryable, p: { orgId: string; id: string }) {
  await tx.delete(shopifyConnections).where(byId(p.orgId, p.id));
}

/** Key rotation: the same secrets, sealed again under the newest key. */
export async function resealConnection(
  tx: Queryable,
  p: {
    orgId: string;
    id: string;
    sealed: Partial<Pick<ConnectionInsert, 'apiSecretEnc' | 'accessTokenEnc' | 'refreshTokenEnc'>>;
  },
) {
  await tx.update(shopifyConnections).set(p.sealed).where(byId(p.orgId, p.id));
}

/** Rows locked for the key rotation of one tenant. */
export async function lockConnectionsOf(tx: Queryable, orgId: string): Promise<ConnectionRow[]> {
  return tx.select().from(shopifyConnections).where(eq(shopifyConnections.orgId, orgId)).for('update');
}
