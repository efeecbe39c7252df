import { type SQL, sql } from 'drizzle-orm';
import type { Database, Queryable } from '../../db/client.ts';
import { newId } from '../../db/ids.ts';
import type { ImageRecord, LevelRecord, LocationRecord, ProductRecord, VariantRecord } from './records.ts';
import type { SyncCounts } from './schema.ts';

// Every write of the catalog copy. Batched upserts that skip unchanged rows, so the counts of
// created, updated and unchanged are exact: `ON CONFLICT … DO UPDATE … WHERE (row) IS DISTINCT
// FROM (excluded)` returns only rows it inserted or changed, and `xmax = 0` tells the inserted ones
// apart. A batch is sent as one statement of arrays (`unnest`), whatever its size.

export interface CatalogScope {
  orgId: string;
  connectionId: string;
}

export const noCounts = (): SyncCounts => ({ created: 0, updated: 0, unchanged: 0, deleted: 0 });

export function addCounts(into: SyncCounts, more: Partial<SyncCounts>): SyncCounts {
  into.created += more.created ?? 0;
  into.updated += more.updated ?? 0;
  into.unchanged += more.unchanged ?? 0;
  into.deleted += more.deleted ?? 0;
  return into;
}

/** One record per key: the last wins (a page or a bulk batch may repeat one). */
function lastByKey<T>(rows: T[], key: (row: T) => string): T[] {
  const byKey = new Map<string, T>();
  for (const row of rows) byKey.set(key(row), row);
  return [...byKey.values()];
}

interface Column {
  name: string;
  /**
   * How the values travel: as a PostgreSQL array of that type, or inside one JSON array (`jsonb`:
   * pg arrays of jsonb would need every element quoted; `text[] in jsonb`: a pg array of arrays
   * must be rectangular, tags are not).
   */
  type: 'text[]' | 'int[]' | 'bool[]' | 'timestamptz[]' | 'numeric[]' | 'uuid[]' | 'jsonb' | 'text[] in jsonb';
  values: unknown[];
}

const inJson = (c: Column) => c.type === 'jsonb' || c.type === 'text[] in jsonb';

/** `select …` of the columns, in their order, from `unnest` of the arrays and the JSON arrays in step. */
function unnestSelect(columns: Column[]): SQL {
  const arrays = columns.filter((c) => !inJson(c));
  const jsons = columns.filter(inJson);
  const arrayArgs = sql.join(
    arrays.map((c) => sql`${sql.param(c.values)}::${sql.raw(c.type)}`),
    sql`, `,
  );
  const selected = columns.map((c) => {
    if (!inJson(c)) return `u.${c.name}`;
    const value = `j${jsons.indexOf(c)}.value`;
    return c.type === 'jsonb' ? value : `array(select jsonb_array_elements_text(${value}))`;
  });
  const joins = jsons.map(
    (c, i) =>
      sql`join jsonb_array_elements(${JSON.stringify(c.values)}::jsonb) with ordinality as ${sql.raw(`j${i}(value, ord)`)} on ${sql.raw(`j${i}.ord`)} = u.ord`,
  );
  return sql`
    select ${sql.raw(selected.join(', '))}
    from unnest(${arrayArgs}) with ordinality as u(${sql.raw([...arrays.map((c) => c.name), 'ord'].join(', '))})
    ${sql.join(joins, sql` `)}`;
}

async function upsertRows(
  tx: Queryable,
  table: string,
  conflict: string[],
  columns: Column[],
  compared: string[],
  alsoSet: string[] = [],
  /** What `changed` lists for each written row (default: the last conflict column). */
  keyExpression?: string,
): Promise<SyncCounts & { changed: string[] }> {
  const rowsCount = columns[0]?.values.length ?? 0;
  if (rowsCount === 0) return { ...noCounts(), changed: [] };
  const names = columns.map((c) => c.name);
  const keyColumn = keyExpression ?? conflict[conflict.length - 1]!;
  const set = [...compared, ...alsoSet].map((c) => `${c} = excluded.${c}`).join(', ');
  const distinct = `(${compared.map((c) => `${table}.${c}`).join(', ')}) is distinct from (${compared
    .map((c) => `excluded.${c}`)
    .join(', ')})`;
  const result = await tx.execute(sql`
    insert into ${sql.raw(table)} (${sql.raw(names.join(', '))})
    ${unnestSelect(columns)}
    on conflict (${sql.raw(conflict.join(', '))}) do update set ${sql.raw(set)}
    where ${sql.raw(distinct)}
    returning ${sql.raw(keyColumn)} as key, (xmax = 0) as inserted`);
  const rows = result.rows as { key: string; inserted: boolean }[];
  const created = rows.filter((r) => r.inserted).length;
  return {
    created,
    updated: rows.length - created,
    unchanged: rowsCount - rows.length,
    deleted: 0,
    changed: rows.map((r) => r.key),
  };
}

const scopeColumns = (scope: CatalogScope, n: number, withId: boolean): Column[] => [
  { name: 'org_id', type: 'uuid[]', values: Array(n).fill(scope.orgId) },
  ...(withId ? [{ name: 'id', type: 'uuid[]' as const, values: Array.from({ length: n }, newId) }] : []),
  { name: 'connection_id', type: 'uuid[]', values: Array(n).fill(scope.connectionId) },
];

const PRODUCT_COMPARED = [
  'handle',
  'title',
  'description_html',
  'status',
  'product_type',
  'vendor',
  'tags',
  'options',
  'shopify_created_at',
  'shopify_updated_at',
  'deleted_at',
];

/** Products as Shopify has them now; a product that comes back after a deletion is live again. */
export async function upsertProducts(tx: Queryable, scope: CatalogScope, records: ProductRecord[]) {
  const rows = lastByKey(records, (r) => r.gid);
  return upsertRows(
    tx,
    'catalog_products',
    ['org_id', 'connection_id', 'shopify_gid'],
    [
      ...scopeColumns(scope, rows.length, true),
      { name: 'shopify_gid', type: 'text[]', values: rows.map((r) => r.gid) },
      { name: 'handle', type: 'text[]', values: rows.map((r) => r.handle) },
      { name: 'title', type: 'text[]', values: rows.map((r) => r.title) },
      { name: 'description_html', type: 'text[]', values: rows.map((r) => r.descriptionHtml) },
      { name: 'status', type: 'text[]', values: rows.map((r) => r.status) },
      { name: 'product_type', type: 'text[]', values: rows.map((r) => r.productType) },
      { name: 'vendor', type: 'text[]', values: rows.map((r) => r.vendor) },
      { name: 'shopify_created_at', type: 'timestamptz[]', values: rows.map((r) => r.createdAt) },
      { name: 'shopify_updated_at', type: 'timestamptz[]', values: rows.map((r) => r.updatedAt) },
      { name: 'deleted_at', type: 'timestamptz[]', values: rows.map(() => null) },
      { name: 'tags', type: 'text[] in jsonb', values: rows.map((r) => r.tags) },
      { name: 'options', type: 'jsonb', values: rows.map((r) => r.options) },
    ],
    PRODUCT_COMPARED,
    ['synced_at'],
  );
}

const VARIANT_COMPARED = [
  'product_gid',
  'title',
  'sku',
  'barcode',
  'price',
  'compare_at_price',
  'position',
  'selected_options',
  'inventory_policy',
  'taxable',
  'inventory_item_gid',
  'tracked',
  'shopify_updated_at',
  'deleted_at',
];

export async function upsertVariants(tx: Queryable, scope: CatalogScope, records: VariantRecord[]) {
  const rows = lastByKey(records, (r) => r.gid);
  return upsertRows(
    tx,
    'catalog_variants',
    ['org_id', 'connection_id', 'shopify_gid'],
    [
      ...scopeColumns(scope, rows.length, true),
      { name: 'shopify_gid', type: 'text[]', values: rows.map((r) => r.gid) },
      { name: 'product_gid', type: 'text[]', values: rows.map((r) => r.productGid) },
      { name: 'title', type: 'text[]', values: rows.map((r) => r.title) },
      { name: 'sku', type: 'text[]', values: rows.map((r) => r.sku) },
      { name: 'barcode', type: 'text[]', values: rows.map((r) => r.barcode) },
      { name: 'price', type: 'numeric[]', values: rows.map((r) => r.price) },
      { name: 'compare_at_price', type: 'numeric[]', values: rows.map((r) => r.compareAtPrice) },
      { name: 'position', type: 'int[]', values: rows.map((r) => r.position) },
      { name: 'inventory_policy', type: 'text[]', values: rows.map((r) => r.inventoryPolicy) },
      { name: 'taxable', type: 'bool[]', values: rows.map((r) => r.taxable) },
      { name: 'inventory_item_gid', type: 'text[]', values: rows.map((r) => r.inventoryItemGid) },
      { name: 'tracked', type: 'bool[]', values: rows.map((r) => r.tracked) },
      { name: 'shopify_updated_at', type: 'timestamptz[]', values: rows.map((r) => r.updatedAt) },
      { name: 'deleted_at', type: 'timestamptz[]', values: rows.map(() => null) },
      { name: 'selected_options', type: 'jsonb', values: rows.map((r) => r.selectedOptions) },
    ],
    VARIANT_COMPARED,
  );
}

export async function upsertImages(tx: Queryable, scope: CatalogScope, records: ImageRecord[]) {
  const rows = lastByKey(records, (r) => r.gid);
  return upsertRows(
    tx,
    'catalog_images',
    ['org_id', 'connection_id', 'shopify_gid'],
    [
      ...scopeColumns(scope, rows.length, true),
      { name: 'shopify_gid', type: 'text[]', values: rows.map((r) => r.gid) },
      { name: 'product_gid', type: 'text[]', values: rows.map((r) => r.productGid) },
      { name: 'url', type: 'text[]', values: rows.map((r) => r.url) },
      { name: 'alt_text', type: 'text[]', values: rows.map((r) => r.altText) },
      { name: 'width', type: 'int[]', values: rows.map((r) => r.width) },
      { name: 'height', type: 'int[]', values: rows.map((r) => r.height) },
      { name: 'position', type: 'int[]', values: rows.map((r) => r.position) },
    ],
    ['product_gid', 'url', 'alt_text', 'width', 'height', 'position'],
  );
}

const LEVEL_QUANTITY_COLUMNS = [
  ['available', 'available'],
  ['on_hand', 'on_hand'],
  ['committed', 'committed'],
  ['incoming', 'incoming'],
  ['reserved', 'reserved'],
  ['damaged', 'damaged'],
  ['safety_stock', 'safety_stock'],
  ['quality_control', 'quality_control'],
] as const;

/** Levels as read; `changed` lists `item|location` of each written one. */
export async function upsertLevels(
  tx: Queryable,
  scope: CatalogScope,
  records: LevelRecord[],
): Promise<SyncCounts & { changed: string[] }> {
  const rows = lastByKey(records, (r) => `${r.inventoryItemGid}|${r.locationGid}`);
  return upsertRows(
    tx,
    'catalog_inventory_levels',
    ['org_id', 'connection_id', 'inventory_item_gid', 'location_gid'],
    [
      ...scopeColumns(scope, rows.length, false),
      { name: 'inventory_item_gid', type: 'text[]', values: rows.map((r) => r.inventoryItemGid) },
      { name: 'location_gid', type: 'text[]', values: rows.map((r) => r.locationGid) },
      ...LEVEL_QUANTITY_COLUMNS.map(([column, name]) => ({
        name: column,
        type: 'int[]' as const,
        values: rows.map((r) => r.quantities[name]),
      })),
      { name: 'shopify_updated_at', type: 'timestamptz[]', values: rows.map((r) => r.updatedAt) },
    ],
    [...LEVEL_QUANTITY_COLUMNS.map(([c]) => c), 'shopify_updated_at'],
    ['synced_at'],
    `inventory_item_gid || '|' || location_gid`,
  );
}

export async function upsertLocations(tx: Queryable, scope: CatalogScope, records: LocationRecord[]) {
  const rows = lastByKey(records, (r) => r.gid);
  return upsertRows(
    tx,
    'catalog_locations',
    ['org_id', 'connection_id', 'shopify_gid'],
    [
      ...scopeColumns(scope, rows.length, true),
      { name: 'shopify_gid', type: 'text[]', values: rows.map((r) => r.gid) },
      { name: 'name', type: 'text[]', values: rows.map((r) => r.name) },
      { name: 'is_active', type: 'bool[]', values: rows.map((r) => r.isActive) },
      { name: 'fulfills_online_orders', type: 'bool[]', values: rows.map((r) => r.fulfillsOnlineOrders) },
      { name: 'ships_inventory', type: 'bool[]', values: rows.map((r) => r.shipsInventory) },
      { name: 'deleted_at', type: 'timestamptz[]', values: rows.map(() => null) },
      { name: 'address', type: 'jsonb', values: rows.map((r) => r.address) },
    ],
    ['name', 'is_active', 'fulfills_online_orders', 'ships_inventory', 'address', 'deleted_at'],
    ['synced_at'],
  );
}

/**
 * After a product was read whole: its variants and images that Shopify no longer lists go (variants
 * soft-deleted and counted, images removed).
 */
export async function dropMissingChildren(
  tx: Queryable,
  scope: CatalogScope,
  productGids: string[],
  present: { variants: string[]; images: string[] },
): Promise<{ variantsDeleted: number; levelsDeleted: number }> {
  if (productGids.length === 0) return { variantsDeleted: 0, levelsDeleted: 0 };
  const variants = await tx.execute(sql`
    update catalog_variants set deleted_at = now()
    where org_id = ${scope.orgId} and connection_id = ${scope.connectionId}
      and product_gid = any(${sql.param(productGids)}::text[]) and deleted_at is null
      and shopify_gid <> all(${sql.param(present.variants)}::text[])`);
  await tx.execute(sql`
    delete from catalog_images
    where org_id = ${scope.orgId} and connection_id = ${scope.connectionId}
      and product_gid = any(${sql.param(productGids)}::text[]) and shopify_gid <> all(${sql.param(present.images)}::text[])`);
  const levelsDeleted = (variants.rowCount ?? 0) > 0 ? await dropOrphanLevels(tx, scope, productGids) : 0;
  return { variantsDeleted: variants.rowCount ?? 0, levelsDeleted };
}

/**
 * Stock rows of these products' inventory items that no live variant holds any more (the variant
 * or product was deleted): they went with it in Shopify.
 */
export async function dropOrphanLevels(tx: Queryable, scope: CatalogScope, productGids: string[]): Promise<number> {
  if (productGids.length === 0) return 0;
  const result = await tx.execute(sql`
    delete from catalog_inventory_levels l
    where l.org_id = ${scope.orgId} and l.connection_id = ${scope.connectionId}
      and l.inventory_item_gid in (
        select inventory_item_gid from catalog_variants
        where org_id = ${scope.orgId} and connection_id = ${scope.connectionId}
          and product_gid = any(${sql.param(productGids)}::text[]) and deleted_at is not null)
      and not exists (
        select 1 from catalog_variants v
        where v.org_id = l.org_id and v.connection_id = l.connection_id
          and v.inventory_item_gid = l.inventory_item_gid and v.deleted_at is null)`);
  return result.rowCount ?? 0;
}

/** Products Shopify deleted (a webhook, or a full run that no longer saw them), with their variants and stock. */
export async function softDeleteProducts(
  tx: Queryable,
  scope: CatalogScope,
  productGids: string[],
): Promise<{ products: number; variants: number; levels: number }> {
  if (productGids.length === 0) return { products: 0, variants: 0, levels: 0 };
  const products = await tx.execute(sql`
    update catalog_products set deleted_at = now(), synced_at = now()
    where org_id = ${scope.orgId} and connection_id = ${scope.connectionId}
      and shopify_gid = any(${sql.param(productGids)}::text[]) and deleted_at is null`);
  const variants = await tx.execute(sql`
    update catalog_variants set deleted_at = now()
    where org_id = ${scope.orgId} and connection_id = ${scope.connectionId}
      and product_gid = any(${sql.param(productGids)}::text[]) and deleted_at is null`);
  const levels = await dropOrphanLevels(tx, scope, productGids);
  return { products: products.rowCount ?? 0, variants: variants.rowCount ?? 0, levels };
}

export type SeenKind = 'product' | 'variant' | 'image' | 'level';

/** What a full run saw, kept with the run so a resumed run still knows it. */
/** Does the copy hold nothing of this store (no product, variant, image or level, deleted or not)? */
export async function copyIsEmpty(tx: Queryable, scope: CatalogScope): Promise<boolean> {
  const of = (table: string) =>
    sql`select 1 from ${sql.identifier(table)} where org_id = ${scope.orgId} and connection_id = ${scope.connectionId}`;
  const result = await tx.execute(sql`
    select not (exists (${of('catalog_products')}) or exists (${of('catalog_variants')})
      or exists (${of('catalog_images')}) or exists (${of('catalog_inventory_levels')})) as empty`);
  return (result.rows[0] as { empty: boolean }).empty;
}

export async function recordSeen(tx: Queryable, orgId: string, runId: string, kind: SeenKind, gids: string[]) {
  if (gids.length === 0) return;
  await tx.execute(sql`
    insert into sync_seen (org_id, run_id, kind, gid)
    select ${orgId}, ${runId}, ${kind}, g from unnest(${sql.param(gids)}::text[]) g
    on conflict do nothing`);
}

export const levelKey = (l: { inventoryItemGid: string; locationGid: string }) =>
  `${l.inventoryItemGid}|${l.locationGid}`;

/**
 * The end of a full run: whatever the copy holds that the run did not see is gone from Shopify.
 * Products and variants are soft-deleted, levels removed; each is counted.
 */
export async function reconcile(
  tx: Queryable,
  scope: CatalogScope,
  runId: string,
  what: { products: boolean; levels: boolean },
): Promise<{ products: number; variants: number; levels: number }> {
  const seen = (kind: SeenKind, expr: SQL) => sql`exists (
    select 1 from sync_seen s where s.org_id = ${scope.orgId} and s.run_id = ${runId} and s.kind = ${kind} and s.gid = ${expr})`;
  let products = 0;
  let variants = 0;
  let levels = 0;
  if (what.products) {
    const gone = await tx.execute(sql`
      update catalog_products p set deleted_at = now(), synced_at = now()
      where p.org_id = ${scope.orgId} and p.connection_id = ${scope.connectionId} and p.deleted_at is null
        and not ${seen('product', sql`p.shopify_gid`)}`);
    products = gone.rowCount ?? 0;
    const goneVariants = await tx.execute(sql`
      update catalog_variants v set deleted_at = now()
      where v.org_id = ${scope.orgId} and v.connection_id = ${scope.connectionId} and v.deleted_at is null
        and not ${seen('variant', sql`v.shopify_gid`)}`);
    variants = goneVariants.rowCount ?? 0;
  }
  if (what.levels) {
    const goneLevels = await tx.execute(sql`
      delete from catalog_inventory_levels l
      where l.org_id = ${scope.orgId} and l.connection_id = ${scope.connectionId}
        and not ${seen('level', sql`l.inventory_item_gid || '|' || l.location_gid`)}`);
    levels = goneLevels.rowCount ?? 0;
  }
  return { products, variants, levels };
}

/**
 * Products a bulk run read whole (an incremental export names each changed product with all its
 * children): their variants, images and levels that the run did not see are gone.
 */
export async function reconcileChildrenOfSeen(
  tx: Queryable,
  scope: CatalogScope,
  runId: string,
): Promise<{ variants: number; levels: number }> {
  // Anti-joins (`not exists`), never `not in (subquery)`: past work_mem PostgreSQL cannot hash the
  // subquery and compares every row with every seen GID (a 100,000-product export ran for minutes).
  const seen = (kind: SeenKind, gid: SQL) => sql`exists (
    select 1 from sync_seen s where s.org_id = ${scope.orgId} and s.run_id = ${runId} and s.kind = ${kind} and s.gid = ${gid})`;
  const variants = await tx.execute(sql`
    update catalog_variants v set deleted_at = now()
    where v.org_id = ${scope.orgId} and v.connection_id = ${scope.connectionId} and v.deleted_at is null
      and ${seen('product', sql`v.product_gid`)} and not ${seen('variant', sql`v.shopify_gid`)}`);
  await tx.execute(sql`
    delete from catalog_images i
    where i.org_id = ${scope.orgId} and i.connection_id = ${scope.connectionId}
      and ${seen('product', sql`i.product_gid`)} and not ${seen('image', sql`i.shopify_gid`)}`);
  const levels = await tx.execute(sql`
    delete from catalog_inventory_levels l
    where l.org_id = ${scope.orgId} and l.connection_id = ${scope.connectionId}
      and exists (
        select 1 from catalog_variants cv
        where cv.org_id = l.org_id and cv.connection_id = l.connection_id and cv.inventory_item_gid = l.inventory_item_gid
          and ${seen('variant', sql`cv.shopify_gid`)})
      and not ${seen('level', sql`l.inventory_item_gid || '|' || l.location_gid`)}`);
  return { variants: variants.rowCount ?? 0, levels: levels.rowCount ?? 0 };
}

export async function forgetSeen(tx: Queryable, orgId: string, runId: string) {
  await tx.execute(sql`delete from sync_seen where org_id = ${orgId} and run_id = ${runId}`);
}

/**
 * Recompute what lists sort and filter on (price range, stock, variant count, first image, search
 * text) from the products' live variants, images and levels at active locations. `productGids`
 * null: every product of the connection (the end of a bulk run). Writes only what changed.
 */
export async function refreshProductAggregates(
  tx: Queryable,
  scope: CatalogScope,
  productGids: string[] | null,
): Promise<number> {
  if (productGids && productGids.length === 0) return 0;
  const which = productGids ? sql`and p.shopify_gid = any(${sql.param(productGids)}::text[])` : sql``;
  const result = await tx.execute(sql`
    with agg as (
      select p.org_id, p.id,
        v.price_min, v.price_max, coalesce(v.n, 0) as variants_count, coalesce(inv.total, 0) as total_inventory,
        img.image,
        lower(concat_ws(' ', p.title, p.vendor, p.product_type, array_to_string(p.tags, ' '), v.codes)) as search_text
      from catalog_products p
      left join lateral (
        select min(price) as price_min, max(price) as price_max, count(*)::int as n,
               string_agg(concat_ws(' ', sku, barcode), ' ') as codes
        from catalog_variants
        where org_id = p.org_id and connection_id = p.connection_id and product_gid = p.shopify_gid and deleted_at is null
      ) v on true
      left join lateral (
        select sum(l.available)::int as total
        from catalog_variants cv
        join catalog_inventory_levels l
          on l.org_id = cv.org_id and l.connection_id = cv.connection_id and l.inventory_item_gid = cv.inventory_item_gid
        join catalog_locations loc
          on loc.org_id = l.org_id and loc.connection_id = l.connection_id and loc.shopify_gid = l.location_gid
             and loc.is_active and loc.deleted_at is null
        where cv.org_id = p.org_id and cv.connection_id = p.connection_id and cv.product_gid = p.shopify_gid
          and cv.deleted_at is null and cv.tracked is not false
      ) inv on true
      left join lateral (
        select jsonb_build_object('url', url, 'alt_text', alt_text, 'width', width, 'height', height) as image
        from catalog_images
        where org_id = p.org_id and connection_id = p.connection_id and product_gid = p.shopify_gid
        order by position limit 1
      ) img on true
      where p.org_id = ${scope.orgId} and p.connection_id = ${scope.connectionId} ${which}
    )
    update catalog_products p set
      price_min = agg.price_min, price_max = agg.price_max, variants_count = agg.variants_count,
      total_inventory = agg.total_inventory, image = agg.image, search_text = agg.search_text
    from agg
    where p.org_id = agg.org_id and p.id = agg.id
      and (p.price_min, p.price_max, p.variants_count, p.total_inventory, p.image, p.search_text)
          is distinct from (agg.price_min, agg.price_max, agg.variants_count, agg.total_inventory, agg.image, agg.search_text)`);
  return result.rowCount ?? 0;
}

/** The products whose stock a set of levels feeds (to refresh their aggregates). */
export async function productsOfItems(tx: Queryable, scope: CatalogScope, itemGids: string[]): Promise<string[]> {
  if (itemGids.length === 0) return [];
  const result = await tx.execute(sql`
    select distinct product_gid from catalog_variants
    where org_id = ${scope.orgId} and connection_id = ${scope.connectionId} and inventory_item_gid = any(${sql.param(itemGids)}::text[])`);
  return (result.rows as { product_gid: string }[]).map((r) => r.product_gid);
}

/** Products read whole, with their variants and images: what they no longer have goes. Returns the counts. */
export async function writeProductBundles(
  tx: Queryable,
  scope: CatalogScope,
  bundles: { product: ProductRecord; variants: VariantRecord[]; images: ImageRecord[] }[],
): Promise<{ products: SyncCounts; variants: SyncCounts; levelsDeleted: number }> {
  const products = bundles.map((b) => b.product);
  const variants = bundles.flatMap((b) => b.variants);
  const images = bundles.flatMap((b) => b.images);
  const productCounts = await upsertProducts(tx, scope, products);
  const variantCounts = await upsertVariants(tx, scope, variants);
  await upsertImages(tx, scope, images);
  const gids = products.map((p) => p.gid);
  const dropped = await dropMissingChildren(tx, scope, gids, {
    variants: variants.map((v) => v.gid),
    images: images.map((i) => i.gid),
  });
  await refreshProductAggregates(tx, scope, gids);
  return {
    products: productCounts,
    variants: { ...variantCounts, deleted: dropped.variantsDeleted },
    levelsDeleted: dropped.levelsDeleted,
  };
}

const CATALOG_TABLES = [
  'catalog_products',
  'catalog_variants',
  'catalog_images',
  'catalog_inventory_levels',
  'catalog_locations',
  // What a run saw: reconciliation anti-joins the copy with it (planned as empty, a nested loop).
  'sync_seen',
];

/**
 * The planner's statistics of the catalog tables, refreshed when they are missing or far behind
 * (a first sync fills a table from nothing: without statistics every index looks alike, and the
 * per-page aggregate refresh went from milliseconds to seconds). ANALYZE is maintenance, run as
 * the session's owner role outside any tenant scope; it reads no tenant rows for us.
 */
export async function refreshStatistics(db: Database, opts: { all?: boolean } = {}): Promise<string[]> {
  // `all`: before a whole-catalog join and at a run's end. The activity counters this check reads
  // reach the shared statistics up to a second after a commit, so right after a batch they may
  // still say nothing changed (a freshly synced store's locations list then took 4-6 s).
  if (opts.all) {
    await db.$client.query(`analyze ${CATALOG_TABLES.join(', ')}`);
    return [...CATALOG_TABLES];
  }
  const stale = await db.$client.query<{ relname: string }>(
    `select relname from pg_stat_user_tables
     where relname = any($1) and (
       (last_analyze is null and last_autoanalyze is null and n_live_tup + n_mod_since_analyze > 0)
       or n_mod_since_analyze > greatest(200, n_live_tup * 0.25))`,
    [CATALOG_TABLES],
  );
  const tables = stale.rows.map((r) => r.relname);
  if (tables.length > 0) await db.$client.query(`analyze ${tables.join(', ')}`);
  return tables;
}
