import { and, asc, count, desc, eq, gt, inArray, isNull, lte, type SQL, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import {
  catalogImages,
  catalogInventoryLevels,
  catalogLocations,
  catalogProducts,
  catalogVariants,
  type PRODUCT_STATUSES,
  QUANTITY_NAMES,
  type Quantities,
} from './schema.ts';

// Reads of the catalog copy for the products and locations API. Every `where` names the tenant,
// although row-level security would hide other tenants anyway: the indexes all lead with org_id,
// and a query that says so is planned on them.

/** At or below this many available units (and above none), a product is "low" in stock. */
export const LOW_STOCK_THRESHOLD = 5;

export const STOCK_FILTERS = ['in', 'out', 'low'] as const;
export type StockFilter = (typeof STOCK_FILTERS)[number];

export type ProductStatus = (typeof PRODUCT_STATUSES)[number];

/**
 * Each ordering with the index that serves it in both directions: the tiebreak on id runs the same
 * way as the key, so a backward scan of `(org_id, key, id)` gives the descending order.
 */
const ORDER_KEYS = {
  title: sql`lower(${catalogProducts.title})`, // catalog_products_title_idx
  updated: catalogProducts.shopifyUpdatedAt, // catalog_products_updated_idx
  inventory: catalogProducts.totalInventory, // catalog_products_inventory_idx
  price: catalogProducts.priceMin, // catalog_products_price_idx
};
export type OrderKey = keyof typeof ORDER_KEYS;
export const ORDERINGS = Object.keys(ORDER_KEYS).flatMap((k) => [k, `-${k}`]) as (OrderKey | `-${OrderKey}`)[];
export type Ordering = (typeof ORDERINGS)[number];

export interface ProductFilters {
  orgId: string;
  search?: string | undefined;
  store?: string | undefined;
  status?: ProductStatus | undefined;
  vendor?: string | undefined;
  productType?: string | undefined;
  tag?: string | undefined;
  stock?: StockFilter | undefined;
  includeDeleted: boolean;
}

/** `%`, `_` and the escape character itself match literally (LIKE's default escape is `\`). */
export const escapeLike = (term: string) => term.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * The ids of the products whose `search_text` contains every term. invpro_products_matching()
 * runs the LIKE through the trigram index for the transaction's tenant (under row-level security
 * PostgreSQL would not use the index for it; decision 0014). Terms are lowered by PostgreSQL, the
 * same `lower()` that built the column, so both sides agree on every letter. As an array, the ids
 * are looked up in one ordered pass over the primary key rather than one descent each.
 */
function matchingAll(terms: string[]): SQL | undefined {
  if (terms.length === 0) return undefined;
  const lookups = terms.map((term) => sql`select invpro_products_matching(lower(${`%${escapeLike(term)}%`}))`);
  return sql`${catalogProducts.id} = any(array(${sql.join(lookups, sql` intersect `)}))`;
}

function productWhere(f: ProductFilters, matched: SQL | undefined): SQL {
  const conditions: (SQL | undefined)[] = [eq(catalogProducts.orgId, f.orgId)];
  if (!f.includeDeleted) conditions.push(isNull(catalogProducts.deletedAt));
  if (f.store) conditions.push(eq(catalogProducts.connectionId, f.store));
  if (f.status) conditions.push(eq(catalogProducts.status, f.status));
  if (matched) conditions.push(matched);
  // Exact, as Shopify stores them: these compare through plain indexes (see the schema).
  if (f.vendor) conditions.push(eq(catalogProducts.vendor, f.vendor));
  if (f.productType) conditions.push(eq(catalogProducts.productType, f.productType));
  // Shopify's tags are case-insensitive. search_text holds them lowered, so the trigram lookup
  // (matchingAll) finds the candidates and this keeps those with the tag itself ("red", not "redwood").
  if (f.tag)
    conditions.push(
      sql`exists (select 1 from unnest(${catalogProducts.tags}) as t(tag) where lower(t.tag) = lower(${f.tag}))`,
    );
  if (f.stock === 'in') conditions.push(gt(catalogProducts.totalInventory, 0));
  if (f.stock === 'out') conditions.push(lte(catalogProducts.totalInventory, 0));
  if (f.stock === 'low')
    conditions.push(gt(catalogProducts.totalInventory, 0), lte(catalogProducts.totalInventory, LOW_STOCK_THRESHOLD));
  return and(...conditions)!;
}

function orderKey(ordering: Ordering) {
  const descending = ordering.startsWith('-');
  return {
    key: ORDER_KEYS[(descending ? ordering.slice(1) : ordering) as OrderKey],
    direction: descending ? desc : asc,
  };
}

/**
 * The store's last known agreement with Shopify, when later than the product's own write. Written
 * out: Drizzle leaves the columns of a one-table select unqualified, which inside this subquery
 * would name sync_states' own.
 */
const syncedAt = sql<Date>`greatest(catalog_products.synced_at, (
  select s.fresh_at from sync_states s
  where s.org_id = catalog_products.org_id and s.connection_id = catalog_products.connection_id))`.mapWith(
  catalogProducts.syncedAt,
);

const productColumns = {
  id: catalogProducts.id,
  shopifyGid: catalogProducts.shopifyGid,
  connectionId: catalogProducts.connectionId,
  title: catalogProducts.title,
  handle: catalogProducts.handle,
  descriptionHtml: catalogProducts.descriptionHtml,
  status: catalogProducts.status,
  productType: catalogProducts.productType,
  vendor: catalogProducts.vendor,
  tags: catalogProducts.tags,
  image: catalogProducts.image,
  priceMin: catalogProducts.priceMin,
  priceMax: catalogProducts.priceMax,
  totalInventory: catalogProducts.totalInventory,
  variantsCount: catalogProducts.variantsCount,
  shopifyCreatedAt: catalogProducts.shopifyCreatedAt,
  shopifyUpdatedAt: catalogProducts.shopifyUpdatedAt,
  syncedAt,
  deletedAt: catalogProducts.deletedAt,
};

export interface ProductRow {
  id: string;
  shopifyGid: string;
  connectionId: string;
  title: string;
  handle: string;
  descriptionHtml: string;
  status: ProductStatus;
  productType: string;
  vendor: string;
  tags: string[];
  image: { url: string; alt_text: string | null; width: number | null; height: number | null } | null;
  priceMin: string | null;
  priceMax: string | null;
  totalInventory: number;
  variantsCount: number;
  shopifyCreatedAt: Date;
  shopifyUpdatedAt: Date;
  syncedAt: Date;
  deletedAt: Date | null;
}

/**
 * One page of products and the size of the whole filtered set, in one statement (the count is an
 * uncorrelated subquery beside the page, planned once), in one of two shapes:
 *
 * - Without a text lookup the page is an index scan in the requested order that stops at its
 *   limit, and the count reads the filter's index. `count(*) over ()` would instead read and sort
 *   every matching row before the limit.
 * - With one (`search`, `tag`) the trigram matches bound the work: the candidates that pass the
 *   filters are read once with their sort key ("hits"), counted, sorted, and only the page's rows
 *   are fetched whole.
 *
 * Only a page past the end has no row to carry the count; it costs a second, count-only statement.
 */
export async function listProducts(
  db: Queryable,
  filters: ProductFilters,
  page: { ordering: Ordering; limit: number; offset: number },
): Promise<{ count: number; rows: ProductRow[] }> {
  const matched = matchingAll([filters.search, filters.tag].filter((t): t is string => Boolean(t)));
  const where = productWhere(filters, matched);
  const { key, direction } = orderKey(page.ordering);
  let rows: (ProductRow & { total: number })[];
  let total: SQL;
  if (!matched) {
    total = sql`(${db.select({ n: count() }).from(catalogProducts).where(where)})`;
    rows = await db
      .select({ ...productColumns, total: total.mapWith(Number) })
      .from(catalogProducts)
      .where(where)
      .orderBy(direction(key), direction(catalogProducts.id))
      .limit(page.limit)
      .offset(page.offset);
  } else {
    const hits = db.$with('hits').as(
      db
        .select({ id: catalogProducts.id, key: sql`${key}`.as('key') })
        .from(catalogProducts)
        .where(where),
    );
    total = sql`(select count(*) from ${hits})`;
    const chosen = db
      .select({ id: hits.id, key: hits.key })
      .from(hits)
      .orderBy(direction(hits.key), direction(hits.id))
      .limit(page.limit)
      .offset(page.offset)
      .as('chosen');
    rows = await db
      .with(hits)
      .select({ ...productColumns, total: total.mapWith(Number) })
      .from(chosen)
      .innerJoin(catalogProducts, and(eq(catalogProducts.orgId, filters.orgId), eq(catalogProducts.id, chosen.id)))
      .orderBy(direction(chosen.key), direction(chosen.id));
  }
  // The rows keep their `total` column: copying 50 rows without it cost more than the query's planning.
  if (rows.length > 0) return { count: rows[0]!.total, rows };
  if (page.offset === 0) return { count: 0, rows: [] };
  const [counted] = await db.select({ n: count() }).from(catalogProducts).where(where);
  return { count: counted?.n ?? 0, rows: [] };
}

/** One product by our id, deleted or not (a deleted product stays readable, with its deleted_at). */
export async function findProduct(
  db: Queryable,
  orgId: string,
  id: string,
): Promise<(ProductRow & { options: { name: string; position: number; values: string[] }[] }) | undefined> {
  const [row] = await db
    .select({ ...productColumns, options: catalogProducts.options })
    .from(catalogProducts)
    .where(and(eq(catalogProducts.orgId, orgId), eq(catalogProducts.id, id)));
  return row;
}

interface ProductKey {
  orgId: string;
  connectionId: string;
  productGid: string;
}

export async function productImages(db: Queryable, key: ProductKey) {
  return db
    .select({
      url: catalogImages.url,
      altText: catalogImages.altText,
      width: catalogImages.width,
      height: catalogImages.height,
      position: catalogImages.position,
    })
    .from(catalogImages)
    .where(
      and(
        eq(catalogImages.orgId, key.orgId),
        eq(catalogImages.connectionId, key.connectionId),
        eq(catalogImages.productGid, key.productGid),
      ),
    )
    .orderBy(asc(catalogImages.position), asc(catalogImages.id));
}

/** The product's live variants, in Shopify's order. */
export async function productVariants(db: Queryable, key: ProductKey) {
  return db
    .select({
      id: catalogVariants.id,
      shopifyGid: catalogVariants.shopifyGid,
      title: catalogVariants.title,
      sku: catalogVariants.sku,
      barcode: catalogVariants.barcode,
      price: catalogVariants.price,
      compareAtPrice: catalogVariants.compareAtPrice,
      position: catalogVariants.position,
      selectedOptions: catalogVariants.selectedOptions,
      inventoryItemGid: catalogVariants.inventoryItemGid,
    })
    .from(catalogVariants)
    .where(
      and(
        eq(catalogVariants.orgId, key.orgId),
        eq(catalogVariants.connectionId, key.connectionId),
        eq(catalogVariants.productGid, key.productGid),
        isNull(catalogVariants.deletedAt),
      ),
    )
    .orderBy(asc(catalogVariants.position), asc(catalogVariants.id));
}

const quantityColumns = {
  available: catalogInventoryLevels.available,
  on_hand: catalogInventoryLevels.onHand,
  committed: catalogInventoryLevels.committed,
  incoming: catalogInventoryLevels.incoming,
  reserved: catalogInventoryLevels.reserved,
  damaged: catalogInventoryLevels.damaged,
  safety_stock: catalogInventoryLevels.safetyStock,
  quality_control: catalogInventoryLevels.qualityControl,
} satisfies Record<keyof Quantities, unknown>;

/**
 * The levels of some inventory items at every location of the store that still exists (inactive
 * ones included: the stock is there, it only does not count as available to sell).
 */
export async function levelsOfItems(db: Queryable, scope: { orgId: string; connectionId: string }, itemGids: string[]) {
  if (itemGids.length === 0) return [];
  return db
    .select({
      inventoryItemGid: catalogInventoryLevels.inventoryItemGid,
      location: {
        id: catalogLocations.id,
        shopifyGid: catalogLocations.shopifyGid,
        name: catalogLocations.name,
        isActive: catalogLocations.isActive,
      },
      quantities: quantityColumns,
    })
    .from(catalogInventoryLevels)
    .innerJoin(
      catalogLocations,
      and(
        eq(catalogLocations.orgId, catalogInventoryLevels.orgId),
        eq(catalogLocations.connectionId, catalogInventoryLevels.connectionId),
        eq(catalogLocations.shopifyGid, catalogInventoryLevels.locationGid),
        isNull(catalogLocations.deletedAt),
      ),
    )
    .where(
      and(
        eq(catalogInventoryLevels.orgId, scope.orgId),
        eq(catalogInventoryLevels.connectionId, scope.connectionId),
        inArray(catalogInventoryLevels.inventoryItemGid, itemGids),
      ),
    )
    .orderBy(asc(catalogLocations.name), asc(catalogLocations.id));
}

export interface LocationRow {
  id: string;
  shopifyGid: string;
  connectionId: string;
  name: string;
  isActive: boolean;
  fulfillsOnlineOrders: boolean;
  shipsInventory: boolean;
  address: Record<string, string | null> | null;
  productCount: number;
  totals: Quantities;
}

/**
 * A page of the organization's live locations, each with what is stocked there: the products
 * (live, with a level row there) and the sum of every quantity over live variants' levels. The
 * page is chosen first, so only its locations' levels are read, in one grouped pass.
 */
export async function listLocations(
  db: Queryable,
  filters: { orgId: string; store?: string | undefined },
  page: { limit: number; offset: number },
): Promise<{ count: number; rows: LocationRow[] }> {
  const store = filters.store ? sql`and l.connection_id = ${filters.store}` : sql``;
  // The quantity names are the level table's column names.
  const sums = sql.raw(QUANTITY_NAMES.map((n) => `sum(lv.${n})::bigint as ${n}`).join(', '));
  const result = await db.execute(sql`
    with page as (
      select l.org_id, l.id, l.shopify_gid, l.connection_id, l.name, l.is_active, l.fulfills_online_orders,
             l.ships_inventory, l.address, count(*) over () as total
      from catalog_locations l
      where l.org_id = ${filters.orgId} and l.deleted_at is null ${store}
      order by lower(l.name), l.id
      limit ${page.limit} offset ${page.offset}
    ), stocked as (
      select lv.connection_id, lv.location_gid, count(distinct v.product_gid)::int as product_count, ${sums}
      from catalog_inventory_levels lv
      join catalog_variants v
        on v.org_id = lv.org_id and v.connection_id = lv.connection_id
       and v.inventory_item_gid = lv.inventory_item_gid and v.deleted_at is null
      join catalog_products p
        on p.org_id = v.org_id and p.connection_id = v.connection_id
       and p.shopify_gid = v.product_gid and p.deleted_at is null
      where lv.org_id = ${filters.orgId}
        and (lv.connection_id, lv.location_gid) in (select connection_id, shopify_gid from page)
      group by lv.connection_id, lv.location_gid
    )
    select page.*, coalesce(s.product_count, 0) as product_count,
           ${sql.raw(QUANTITY_NAMES.map((n) => `coalesce(s.${n}, 0) as ${n}`).join(', '))}
    from page
    left join stocked s on s.connection_id = page.connection_id and s.location_gid = page.shopify_gid
    order by lower(page.name), page.id`);
  const raw = result.rows as Record<string, unknown>[];
  const rows = raw.map(
    (r): LocationRow => ({
      id: r.id as string,
      shopifyGid: r.shopify_gid as string,
      connectionId: r.connection_id as string,
      name: r.name as string,
      isActive: r.is_active as boolean,
      fulfillsOnlineOrders: r.fulfills_online_orders as boolean,
      shipsInventory: r.ships_inventory as boolean,
      address: (r.address as LocationRow['address']) ?? null,
      productCount: Number(r.product_count),
      totals: Object.fromEntries(QUANTITY_NAMES.map((n) => [n, Number(r[n])])) as Quantities,
    }),
  );
  if (raw.length > 0) return { count: Number(raw[0]!.total), rows };
  if (page.offset === 0) return { count: 0, rows };
  const [counted] = await db
    .select({ n: count() })
    .from(catalogLocations)
    .where(
      and(
        eq(catalogLocations.orgId, filters.orgId),
        isNull(catalogLocations.deletedAt),
        filters.store ? eq(catalogLocations.connectionId, filters.store) : undefined,
      ),
    );
  return { count: counted?.n ?? 0, rows };
}
