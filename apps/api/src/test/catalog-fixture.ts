import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { newId } from '../db/ids.ts';
import { withTenant } from '../db/tenant.ts';
import {
  type CatalogScope,
  refreshProductAggregates,
  softDeleteProducts,
  upsertImages,
  upsertLevels,
  upsertLocations,
  upsertProducts,
  upsertVariants,
} from '../modules/catalog/catalog.queries.ts';
import type {
  ImageRecord,
  LevelRecord,
  LocationRecord,
  ProductRecord,
  VariantRecord,
} from '../modules/catalog/records.ts';
import type { Quantities } from '../modules/catalog/schema.ts';

// A small, known catalog for one store, written through the sync's own write functions (derived
// columns by refreshProductAggregates), for the products API's tests and the guard suites.

export const quantities = (available: number, base = 0): Quantities => ({
  available,
  on_hand: available + base + 1,
  committed: base + 2,
  incoming: base + 3,
  reserved: base + 4,
  damaged: base + 5,
  safety_stock: base + 6,
  quality_control: base + 7,
});

/** A store connection of the organization, made directly in the database. */
export async function insertConnection(db: Database, orgId: string, shop?: string): Promise<string> {
  const id = newId();
  await db.execute(sql`
    insert into shopify_connections (org_id, id, shop_domain, auth_method, state)
    values (${orgId}, ${id}, ${shop ?? `c${id.slice(-12)}.myshopify.com`}, 'access_token', 'connected')`);
  return id;
}

export interface CatalogSpec {
  locations?: LocationRecord[];
  products: ProductRecord[];
  variants?: VariantRecord[];
  images?: ImageRecord[];
  levels?: LevelRecord[];
  deleted?: string[];
}

/** Writes the catalog as a sync would, and answers our ids by Shopify GID. */
export async function writeCatalog(db: Database, scope: CatalogScope, spec: CatalogSpec) {
  await withTenant(db, scope.orgId, async (tx) => {
    await upsertLocations(tx, scope, spec.locations ?? []);
    await upsertProducts(tx, scope, spec.products);
    await upsertVariants(tx, scope, spec.variants ?? []);
    await upsertImages(tx, scope, spec.images ?? []);
    await upsertLevels(tx, scope, spec.levels ?? []);
    await softDeleteProducts(tx, scope, spec.deleted ?? []);
    await refreshProductAggregates(tx, scope, null);
  });
  const ids = await withTenant(db, scope.orgId, (tx) =>
    tx.execute(sql`
      select shopify_gid, id from catalog_products where org_id = ${scope.orgId} and connection_id = ${scope.connectionId}
      union all
      select shopify_gid, id from catalog_variants where org_id = ${scope.orgId} and connection_id = ${scope.connectionId}
      union all
      select shopify_gid, id from catalog_locations where org_id = ${scope.orgId} and connection_id = ${scope.connectionId}`),
  );
  return Object.fromEntries((ids.rows as { shopify_gid: string; id: string }[]).map((r) => [r.shopify_gid, r.id]));
}

export const product = (n: number, patch: Partial<ProductRecord> = {}): ProductRecord => ({
  gid: `gid://shopify/Product/${n}`,
  handle: `product-${n}`,
  title: `Product ${n}`,
  descriptionHtml: `<p>Product ${n}</p>`,
  status: 'ACTIVE',
  productType: 'Things',
  vendor: 'Acme',
  tags: [],
  options: [{ name: 'Title', position: 1, values: ['Default Title'] }],
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-02-01T00:00:00.000Z',
  ...patch,
});

export const variant = (p: number, n: number, patch: Partial<VariantRecord> = {}): VariantRecord => ({
  gid: `gid://shopify/ProductVariant/${p * 100 + n}`,
  productGid: `gid://shopify/Product/${p}`,
  title: 'Default Title',
  sku: `SKU-${p}-${n}`,
  barcode: null,
  price: '10.00',
  compareAtPrice: null,
  position: n,
  selectedOptions: [{ name: 'Title', value: 'Default Title' }],
  inventoryPolicy: 'DENY',
  taxable: true,
  inventoryItemGid: `gid://shopify/InventoryItem/${p * 100 + n}`,
  tracked: true,
  updatedAt: '2026-02-01T00:00:00.000Z',
  ...patch,
});

export const location = (n: number, patch: Partial<LocationRecord> = {}): LocationRecord => ({
  gid: `gid://shopify/Location/${n}`,
  name: `Location ${n}`,
  isActive: true,
  fulfillsOnlineOrders: true,
  shipsInventory: false,
  address: { city: 'Berlin', country: 'DE' },
  ...patch,
});

export const level = (p: number, n: number, loc: number, q: Quantities): LevelRecord => ({
  inventoryItemGid: `gid://shopify/InventoryItem/${p * 100 + n}`,
  locationGid: `gid://shopify/Location/${loc}`,
  quantities: q,
  updatedAt: '2026-02-01T00:00:00.000Z',
});

/** One store with one stocked product: what the guard suites need of a tenant's catalog. */
export async function seedSmallCatalog(db: Database, orgId: string, connectionId: string, title: string) {
  const scope = { orgId, connectionId };
  const ids = await writeCatalog(db, scope, {
    locations: [location(1, { name: `${title} warehouse` })],
    products: [product(1, { title, tags: ['guarded'] })],
    variants: [variant(1, 1, { sku: `${title}-SKU` })],
    levels: [level(1, 1, 1, quantities(7))],
  });
  return { productId: ids['gid://shopify/Product/1']!, locationId: ids['gid://shopify/Location/1']! };
}
