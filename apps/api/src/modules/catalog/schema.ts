import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  bigint,
  boolean,
  foreignKey,
  index,
  integer,
  jsonb,
  numeric,
  pgPolicy,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { appRole, currentOrgId } from '../../db/roles.ts';
import { shopifyConnections } from '../shopify/schema.ts';

// The copy of each connected store's catalog. Rows are keyed by the Shopify GID within their
// connection, and children point at their parent by GID too, not by our uuid: a bulk export's lines
// arrive in any order, and each can then be written the moment it arrives (docs/shopify.md §5).
// Deletions are soft (`deleted_at`), so history and counts survive a product leaving Shopify.

const tenantPolicy = (name: string) =>
  pgPolicy(name, {
    for: 'all',
    to: appRole,
    using: sql`org_id = ${currentOrgId}`,
    withCheck: sql`org_id = ${currentOrgId}`,
  });

const ofConnection = (t: { orgId: AnyPgColumn; connectionId: AnyPgColumn }) =>
  foreignKey({
    columns: [t.orgId, t.connectionId],
    foreignColumns: [shopifyConnections.orgId, shopifyConnections.id],
  }).onDelete('cascade');

/** Money is numeric(14,2) here and a decimal string in JSON, never a float. */
const money = () => numeric({ precision: 14, scale: 2 });
const at = () => timestamp({ withTimezone: true });

/** Every quantity name Shopify reports for an inventory level (docs/shopify.md §1). */
export const QUANTITY_NAMES = [
  'available',
  'on_hand',
  'committed',
  'incoming',
  'reserved',
  'damaged',
  'safety_stock',
  'quality_control',
] as const;
export type QuantityName = (typeof QUANTITY_NAMES)[number];
export type Quantities = Record<QuantityName, number>;

export const PRODUCT_STATUSES = ['ACTIVE', 'DRAFT', 'ARCHIVED'] as const;

export const catalogLocations = pgTable(
  'catalog_locations',
  {
    orgId: uuid().notNull(),
    id: uuid().notNull(),
    connectionId: uuid().notNull(),
    shopifyGid: text().notNull(),
    name: text().notNull(),
    isActive: boolean().notNull(),
    fulfillsOnlineOrders: boolean().notNull().default(false),
    shipsInventory: boolean().notNull().default(false),
    address: jsonb().$type<Record<string, string | null>>(),
    syncedAt: at().notNull().defaultNow(),
    deletedAt: at(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.id] }),
    uniqueIndex('catalog_locations_gid_key').on(t.orgId, t.connectionId, t.shopifyGid),
    ofConnection(t),
    tenantPolicy('catalog_locations_tenant'),
  ],
);

export const catalogProducts = pgTable(
  'catalog_products',
  {
    orgId: uuid().notNull(),
    id: uuid().notNull(),
    connectionId: uuid().notNull(),
    shopifyGid: text().notNull(),
    handle: text().notNull(),
    title: text().notNull(),
    descriptionHtml: text().notNull().default(''),
    status: text({ enum: PRODUCT_STATUSES }).notNull(),
    productType: text().notNull().default(''),
    vendor: text().notNull().default(''),
    tags: text().array().notNull().default(sql`'{}'::text[]`),
    /** `[{name, position, values}]` in position order. */
    options: jsonb().$type<{ name: string; position: number; values: string[] }[]>().notNull().default([]),
    shopifyCreatedAt: at().notNull(),
    shopifyUpdatedAt: at().notNull(),
    // Derived from the product's variants, images and levels, for lists that sort and filter fast.
    priceMin: money(),
    priceMax: money(),
    totalInventory: integer().notNull().default(0),
    variantsCount: integer().notNull().default(0),
    image: jsonb().$type<{
      url: string;
      alt_text: string | null;
      width: number | null;
      height: number | null;
    } | null>(),
    /** Lower-case title, vendor, type, tags, SKUs and barcodes: the trigram index behind `?search=`. */
    searchText: text().notNull().default(''),
    syncedAt: at().notNull().defaultNow(),
    deletedAt: at(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.id] }),
    uniqueIndex('catalog_products_gid_key').on(t.orgId, t.connectionId, t.shopifyGid),
    index('catalog_products_search_idx').using('gin', sql`search_text gin_trgm_ops`),
    index('catalog_products_title_idx').on(t.orgId, sql`lower(title)`, t.id),
    index('catalog_products_updated_idx').on(t.orgId, t.shopifyUpdatedAt, t.id),
    index('catalog_products_connection_idx').on(t.orgId, t.connectionId, t.deletedAt),
    // The list's other orderings, both directions (a backward scan), with id as the tiebreak;
    // deleted_at last, so the `stock` filters count live products from the index alone.
    index('catalog_products_inventory_idx').on(t.orgId, t.totalInventory, t.id, t.deletedAt),
    index('catalog_products_price_idx').on(t.orgId, t.priceMin, t.id),
    // The list's exact filters, so a page's count reads only the matching live products. Plain
    // columns: under row-level security an index on lower(vendor) could not be used (lower() is
    // not leakproof; decision 0014).
    index('catalog_products_status_idx').on(t.orgId, t.status).where(sql`deleted_at is null`),
    index('catalog_products_vendor_idx').on(t.orgId, t.vendor).where(sql`deleted_at is null`),
    index('catalog_products_type_idx').on(t.orgId, t.productType).where(sql`deleted_at is null`),
    ofConnection(t),
    tenantPolicy('catalog_products_tenant'),
  ],
);

export const catalogVariants = pgTable(
  'catalog_variants',
  {
    orgId: uuid().notNull(),
    id: uuid().notNull(),
    connectionId: uuid().notNull(),
    shopifyGid: text().notNull(),
    productGid: text().notNull(),
    title: text().notNull(),
    sku: text(),
    barcode: text(),
    price: money().notNull(),
    compareAtPrice: money(),
    position: integer().notNull(),
    /** `[{name, value}]` */
    selectedOptions: jsonb().$type<{ name: string; value: string }[]>().notNull().default([]),
    inventoryPolicy: text({ enum: ['DENY', 'CONTINUE'] }).notNull(),
    taxable: boolean().notNull(),
    inventoryItemGid: text(),
    tracked: boolean(),
    shopifyUpdatedAt: at().notNull(),
    deletedAt: at(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.id] }),
    uniqueIndex('catalog_variants_gid_key').on(t.orgId, t.connectionId, t.shopifyGid),
    index('catalog_variants_product_idx').on(t.orgId, t.connectionId, t.productGid),
    index('catalog_variants_item_idx').on(t.orgId, t.connectionId, t.inventoryItemGid),
    ofConnection(t),
    tenantPolicy('catalog_variants_tenant'),
  ],
);

export const catalogImages = pgTable(
  'catalog_images',
  {
    orgId: uuid().notNull(),
    id: uuid().notNull(),
    connectionId: uuid().notNull(),
    shopifyGid: text().notNull(),
    productGid: text().notNull(),
    url: text().notNull(),
    altText: text(),
    width: integer(),
    height: integer(),
    position: integer().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.id] }),
    uniqueIndex('catalog_images_gid_key').on(t.orgId, t.connectionId, t.shopifyGid),
    index('catalog_images_product_idx').on(t.orgId, t.connectionId, t.productGid, t.position),
    ofConnection(t),
    tenantPolicy('catalog_images_tenant'),
  ],
);

/** One inventory item's quantities at one location, with every quantity name. */
export const catalogInventoryLevels = pgTable(
  'catalog_inventory_levels',
  {
    orgId: uuid().notNull(),
    connectionId: uuid().notNull(),
    inventoryItemGid: text().notNull(),
    locationGid: text().notNull(),
    available: integer().notNull(),
    onHand: integer().notNull(),
    committed: integer().notNull(),
    incoming: integer().notNull(),
    reserved: integer().notNull(),
    damaged: integer().notNull(),
    safetyStock: integer().notNull(),
    qualityControl: integer().notNull(),
    shopifyUpdatedAt: at(),
    syncedAt: at().notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.connectionId, t.inventoryItemGid, t.locationGid] }),
    index('catalog_levels_location_idx').on(t.orgId, t.connectionId, t.locationGid),
    ofConnection(t),
    tenantPolicy('catalog_inventory_levels_tenant'),
  ],
);

export const SYNC_TRIGGERS = ['manual', 'schedule', 'webhook'] as const;
export const SYNC_TYPES = ['products', 'inventory'] as const;
export const SYNC_SCOPES = ['full', 'incremental'] as const;
export const SYNC_MODES = ['auto', 'bulk', 'paginated'] as const;
export const SYNC_STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export const ACTIVE_SYNC_STATES = ['queued', 'running'] as const;

/** Created / updated / unchanged / deleted, per kind of row. */
export interface SyncCounts {
  created: number;
  updated: number;
  unchanged: number;
  deleted: number;
}

/** One sync of one store: what was asked, what it did, what it cost, and where to resume. */
export const syncRuns = pgTable(
  'sync_runs',
  {
    orgId: uuid().notNull(),
    id: uuid().notNull(),
    connectionId: uuid().notNull(),
    trigger: text({ enum: SYNC_TRIGGERS }).notNull(),
    type: text({ enum: SYNC_TYPES }).notNull(),
    scope: text({ enum: SYNC_SCOPES }).notNull(),
    /** What was asked (`auto` by default) and, once planned, the path taken and why. */
    mode: text({ enum: SYNC_MODES }).notNull(),
    path: text({ enum: ['bulk', 'paginated'] }),
    pathReason: text(),
    state: text({ enum: SYNC_STATES }).notNull(),
    phase: text(),
    requestedBy: uuid(),
    queuedAt: at().notNull().defaultNow(),
    startedAt: at(),
    finishedAt: at(),
    /**
     * The worker executing the run and until when its lease holds (renewed with every checkpoint):
     * a second worker picking the run up (a retried job) waits for the lease to lapse, and a worker
     * whose lease was taken over stops at its next checkpoint. Safe behind PgBouncer (no session locks).
     */
    leaseOwner: text(),
    leaseUntil: at(),
    cancelRequestedAt: at(),
    /** Progress: what is known of the total, and what is done. */
    total: integer(),
    done: integer().notNull().default(0),
    pages: integer().notNull().default(0),
    productsProcessed: integer().notNull().default(0),
    variantsProcessed: integer().notNull().default(0),
    levelsProcessed: integer().notNull().default(0),
    products: jsonb().$type<SyncCounts>().notNull().default({ created: 0, updated: 0, unchanged: 0, deleted: 0 }),
    variants: jsonb().$type<SyncCounts>().notNull().default({ created: 0, updated: 0, unchanged: 0, deleted: 0 }),
    levels: jsonb().$type<SyncCounts>().notNull().default({ created: 0, updated: 0, unchanged: 0, deleted: 0 }),
    pointsUsed: bigint({ mode: 'number' }).notNull().default(0),
    throttleWaitMs: bigint({ mode: 'number' }).notNull().default(0),
    requests: integer().notNull().default(0),
    retries: integer().notNull().default(0),
    attempts: integer().notNull().default(0),
    errors: jsonb().$type<{ at: string; message: string }[]>().notNull().default([]),
    /** Where a restarted worker resumes: the phase's cursor, the bulk operation, the run's high-water marks. */
    checkpoint: jsonb().$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.id] }),
    // One active run per store, whatever the number of API processes and workers.
    uniqueIndex('sync_runs_one_active_key').on(t.orgId, t.connectionId).where(sql`state in ('queued', 'running')`),
    index('sync_runs_connection_idx').on(t.orgId, t.connectionId, t.queuedAt),
    ofConnection(t),
    tenantPolicy('sync_runs_tenant'),
  ],
);

/** GIDs seen by a full run, so what Shopify no longer has can be found at its end (reconciliation). */
export const syncSeen = pgTable(
  'sync_seen',
  {
    orgId: uuid().notNull(),
    runId: uuid().notNull(),
    kind: text({ enum: ['product', 'variant', 'level'] }).notNull(),
    gid: text().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.runId, t.kind, t.gid] }),
    foreignKey({ columns: [t.orgId, t.runId], foreignColumns: [syncRuns.orgId, syncRuns.id] }).onDelete('cascade'),
    tenantPolicy('sync_seen_tenant'),
  ],
);

/** Per store: watermarks, freshness and the schedule. */
export const syncStates = pgTable(
  'sync_states',
  {
    orgId: uuid().notNull(),
    connectionId: uuid().notNull(),
    /** Highest product `updatedAt` committed by a completed products run. */
    productsWatermark: at(),
    /** Highest inventory level `updatedAt` committed by a completed run. */
    levelsWatermark: at(),
    lastFullSyncAt: at(),
    /** When the copy was last known to equal Shopify: the start of the last run that completed. */
    freshAt: at(),
    lastRunId: uuid(),
    /** Seconds between scheduled incremental syncs; null: SHOPIFY_SYNC_INTERVAL_PRODUCTS. */
    intervalSeconds: integer(),
    /** Hours between scheduled full reconciliations (default 24). */
    fullEveryHours: integer().notNull().default(24),
    nextSyncAt: at(),
    /** Catalog size and throttle last seen, for `auto`'s choice. */
    productCount: integer(),
    variantCount: integer(),
    updatedAt: at().notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.connectionId] }), ofConnection(t), tenantPolicy('sync_states_tenant')],
);
