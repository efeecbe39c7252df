import { sql } from 'drizzle-orm';
import {
  foreignKey,
  index,
  integer,
  jsonb,
  pgPolicy,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { appRole, currentOrgId } from '../../db/roles.ts';
import { organizations } from '../accounts/schema.ts';

export const CONNECTION_STATES = ['connected', 'error', 'uninstalled', 'disconnected'] as const;
export type ConnectionState = (typeof CONNECTION_STATES)[number];
export const AUTH_METHODS = ['access_token', 'client_credentials', 'oauth'] as const;
export const WEBHOOK_STATES = ['not_configured', 'registered', 'partial', 'failed'] as const;
export const WEBHOOK_EVENT_STATES = ['received', 'processed', 'stored', 'ignored', 'failed'] as const;

const tenantPolicy = (name: string) =>
  pgPolicy(name, {
    for: 'all',
    to: appRole,
    using: sql`org_id = ${currentOrgId}`,
    withCheck: sql`org_id = ${currentOrgId}`,
  });

/** A store an organization connected. Secrets are AES-256-GCM ciphertexts (see crypto.ts). */
export const shopifyConnections = pgTable(
  'shopify_connections',
  {
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    id: uuid().notNull(),
    shopDomain: text().notNull(),
    authMethod: text({ enum: AUTH_METHODS }).notNull(),
    state: text({ enum: CONNECTION_STATES }).notNull(),
    apiKey: text(),
    apiSecretEnc: text(),
    accessTokenEnc: text(),
    refreshTokenEnc: text(),
    tokenExpiresAt: timestamp({ withTimezone: true }),
    refreshTokenExpiresAt: timestamp({ withTimezone: true }),
    /** The last four characters, the most any answer shows. */
    accessTokenHint: text(),
    apiSecretHint: text(),
    shopName: text(),
    shopGid: text(),
    planName: text(),
    currency: text(),
    timezone: text(),
    scopes: text().array().notNull().default(sql`'{}'::text[]`),
    errorCount: integer().notNull().default(0),
    lastError: text(),
    lastErrorAt: timestamp({ withTimezone: true }),
    lastCheckedAt: timestamp({ withTimezone: true }),
    /** When credentials last passed a connection test: webhooks sent before it are stale. */
    connectedAt: timestamp({ withTimezone: true }),
    webhooksState: text({ enum: WEBHOOK_STATES }).notNull().default('not_configured'),
    webhooksError: text(),
    webhookSubscriptions: jsonb().$type<{ topic: string; id: string }[]>().notNull().default([]),
    connectedBy: uuid(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.id] }),
    uniqueIndex('shopify_connections_shop_key').on(t.orgId, t.shopDomain),
    tenantPolicy('shopify_connections_tenant'),
  ],
);

/**
 * Global routing for inbound webhooks: Shopify names only the shop, so this maps a shop domain to
 * the connections that hold it (no secrets here). Verification then runs inside each tenant.
 */
export const shopifyShopIndex = pgTable(
  'shopify_shop_index',
  {
    shopDomain: text().notNull(),
    orgId: uuid().notNull(),
    connectionId: uuid().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.shopDomain, t.orgId, t.connectionId] }),
    foreignKey({
      columns: [t.orgId, t.connectionId],
      foreignColumns: [shopifyConnections.orgId, shopifyConnections.id],
    }).onDelete('cascade'),
    // Readable by any request (it is how a webhook finds its tenant); written only by the tenant itself.
    pgPolicy('shopify_shop_index_route', { for: 'select', to: appRole, using: sql`true` }),
    pgPolicy('shopify_shop_index_insert', { for: 'insert', to: appRole, withCheck: sql`org_id = ${currentOrgId}` }),
    pgPolicy('shopify_shop_index_delete', { for: 'delete', to: appRole, using: sql`org_id = ${currentOrgId}` }),
  ],
);

/** Each webhook delivery recorded once per (connection, event id): Shopify delivers more than once. */
export const webhookEvents = pgTable(
  'webhook_events',
  {
    orgId: uuid().notNull(),
    id: uuid().notNull(),
    connectionId: uuid().notNull(),
    topic: text().notNull(),
    eventId: text().notNull(),
    webhookId: text(),
    apiVersion: text(),
    triggeredAt: timestamp({ withTimezone: true }),
    payload: jsonb().notNull(),
    receivedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    processedAt: timestamp({ withTimezone: true }),
    /**
     * received → processed | stored (kept for the sync engine) | ignored (stale, another shop's
     * payload, or an uninstall Shopify does not confirm; `error` says why) | failed
     */
    status: text({ enum: WEBHOOK_EVENT_STATES }).notNull().default('received'),
    error: text(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.id] }),
    uniqueIndex('webhook_events_dedupe_key').on(t.orgId, t.connectionId, t.eventId),
    index('webhook_events_status_idx').on(t.orgId, t.status),
    // Retention trims one connection's oldest events at a time.
    index('webhook_events_connection_received_idx').on(t.orgId, t.connectionId, t.receivedAt),
    foreignKey({
      columns: [t.orgId, t.connectionId],
      foreignColumns: [shopifyConnections.orgId, shopifyConnections.id],
    }).onDelete('cascade'),
    tenantPolicy('webhook_events_tenant'),
  ],
);

/** OAuth install states: single use, bound to the user and organization that started the install. */
export const shopifyOauthStates = pgTable(
  'shopify_oauth_states',
  {
    orgId: uuid().notNull(),
    nonce: text().notNull(),
    userId: uuid().notNull(),
    shopDomain: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    usedAt: timestamp({ withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.nonce] }), tenantPolicy('shopify_oauth_states_tenant')],
);
