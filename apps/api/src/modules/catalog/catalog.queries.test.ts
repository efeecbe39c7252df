import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../db/ids.ts';
import { withTenant } from '../../db/tenant.ts';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import {
  type CatalogScope,
  dropMissingChildren,
  reconcile,
  recordSeen,
  refreshProductAggregates,
  softDeleteProducts,
  upsertImages,
  upsertLevels,
  upsertLocations,
  upsertProducts,
  upsertVariants,
} from './catalog.queries.ts';
import type { ProductRecord, VariantRecord } from './records.ts';
import { quantitiesOf } from './records.ts';

let t: TestDatabase;

/** An organization with one connected store, made directly in the database (this file tests the writes only). */
async function newScope(): Promise<CatalogScope> {
  const orgId = newId();
  const connectionId = newId();
  await t.db.execute(sql`insert into organizations (id, name) values (${orgId}, 'catalog test')`);
  await t.db.execute(sql`
    insert into shopify_connections (org_id, id, shop_domain, auth_method, state)
    values (${orgId}, ${connectionId}, ${`s${connectionId.slice(0, 8)}.myshopify.com`}, 'access_token', 'connected')`);
  return { orgId, connectionId };
}

beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.drop());

const product = (n: number, patch: Partial<ProductRecord> = {}): ProductRecord => ({
  gid: `gid://shopify/Product/${n}`,
  handle: `product-${n}`,
  title: `Product ${n}`,
  descriptionHtml: `<p>Product ${n}</p>`,
  status: 'ACTIVE',
  productType: 'Things',
  vendor: 'Acme',
  tags: ['a', `tag-${n}`],
  options: [{ name: 'Size', position: 1, values: ['S', 'M'] }],
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-02-01T00:00:00Z',
  ...patch,
});

const variant = (p: number, n: number, patch: Partial<VariantRecord> = {}): VariantRecord => ({
  gid: `gid://shopify/ProductVariant/${p * 100 + n}`,
  productGid: `gid://shopify/Product/${p}`,
  title: n === 1 ? 'S' : 'M',
  sku: `SKU-${p}-${n}`,
  barcode: n === 1 ? `BAR${p}` : null,
  price: `${10 + n}.50`,
  compareAtPrice: n === 1 ? '19.99' : null,
  position: n,
  selectedOptions: [{ name: 'Size', value: n === 1 ? 'S' : 'M' }],
  inventoryPolicy: 'DENY',
  taxable: true,
  inventoryItemGid: `gid://shopify/InventoryItem/${p * 100 + n}`,
  tracked: true,
  updatedAt: '2026-02-01T00:00:00Z',
  ...patch,
});

const inTenant = <T>(scope: CatalogScope, work: Parameters<typeof withTenant<T>>[2]) =>
  withTenant(t.db, scope.orgId, work);

describe('catalog writes', () => {
  it('count created, updated and unchanged exactly, and keep every field and type', async () => {
    const scope = await newScope();
    const first = await inTenant(scope, (tx) => upsertProducts(tx, scope, [product(1), product(2)]));
    expect(first).toMatchObject({ created: 2, updated: 0, unchanged: 0 });
    const again = await inTenant(scope, (tx) =>
      upsertProducts(tx, scope, [product(1), product(2, { title: 'Renamed', tags: ['x', 'y', 'z'] }), product(3)]),
    );
    expect(again).toMatchObject({ created: 1, updated: 1, unchanged: 1 });
    expect(again.changed.sort()).toEqual(['gid://shopify/Product/2', 'gid://shopify/Product/3']);
    const rows = (
      await t.db.execute(
        sql`select title, tags, options, shopify_updated_at from catalog_products where org_id = ${scope.orgId} order by shopify_gid`,
      )
    ).rows;
    expect(rows[1]).toMatchObject({ title: 'Renamed', tags: ['x', 'y', 'z'], options: product(2).options });

    const v = await inTenant(scope, (tx) => upsertVariants(tx, scope, [variant(1, 1), variant(1, 2)]));
    expect(v).toMatchObject({ created: 2 });
    const money = (
      await t.db.execute(
        sql`select price, compare_at_price from catalog_variants where org_id = ${scope.orgId} order by position`,
      )
    ).rows;
    // Money stays a decimal string, never a float.
    expect(money).toEqual([
      { price: '11.50', compare_at_price: '19.99' },
      { price: '12.50', compare_at_price: null },
    ]);
  });

  it('derive each product’s price range, stock, variant count, first image and search text', async () => {
    const scope = await newScope();
    await inTenant(scope, async (tx) => {
      await upsertLocations(tx, scope, [
        {
          gid: 'gid://shopify/Location/1',
          name: 'A',
          isActive: true,
          fulfillsOnlineOrders: true,
          shipsInventory: true,
          address: null,
        },
        {
          gid: 'gid://shopify/Location/2',
          name: 'B',
          isActive: false,
          fulfillsOnlineOrders: false,
          shipsInventory: false,
          address: null,
        },
      ]);
      await upsertProducts(tx, scope, [product(7)]);
      await upsertVariants(tx, scope, [variant(7, 1), variant(7, 2)]);
      await upsertImages(tx, scope, [
        {
          gid: 'gid://shopify/MediaImage/2',
          productGid: product(7).gid,
          url: 'https://cdn/b.jpg',
          altText: null,
          width: 1,
          height: 1,
          position: 2,
        },
        {
          gid: 'gid://shopify/MediaImage/1',
          productGid: product(7).gid,
          url: 'https://cdn/a.jpg',
          altText: 'A',
          width: 10,
          height: 20,
          position: 1,
        },
      ]);
      const q = (available: number) => quantitiesOf([{ name: 'available', quantity: available }]);
      await upsertLevels(tx, scope, [
        {
          inventoryItemGid: variant(7, 1).inventoryItemGid!,
          locationGid: 'gid://shopify/Location/1',
          quantities: q(5),
          updatedAt: null,
        },
        {
          inventoryItemGid: variant(7, 2).inventoryItemGid!,
          locationGid: 'gid://shopify/Location/1',
          quantities: q(7),
          updatedAt: null,
        },
        // An inactive location's stock does not count.
        {
          inventoryItemGid: variant(7, 2).inventoryItemGid!,
          locationGid: 'gid://shopify/Location/2',
          quantities: q(100),
          updatedAt: null,
        },
      ]);
      expect(await refreshProductAggregates(tx, scope, [product(7).gid])).toBe(1);
      expect(await refreshProductAggregates(tx, scope, [product(7).gid])).toBe(0); // nothing changed
    });
    const [row] = (
      await t.db.execute(
        sql`select price_min, price_max, variants_count, total_inventory, image, search_text from catalog_products where org_id = ${scope.orgId}`,
      )
    ).rows;
    expect(row).toEqual({
      price_min: '11.50',
      price_max: '12.50',
      variants_count: 2,
      total_inventory: 12,
      image: { url: 'https://cdn/a.jpg', alt_text: 'A', width: 10, height: 20 },
      search_text: 'product 7 acme things a tag-7 sku-7-1 bar7 sku-7-2',
    });
  });

  it('soft-delete what Shopify no longer lists, count it, and bring back what returns', async () => {
    const scope = await newScope();
    const runId = newId();
    await t.db.execute(sql`
      insert into sync_runs (org_id, id, connection_id, trigger, type, scope, mode, state)
      values (${scope.orgId}, ${runId}, ${scope.connectionId}, 'manual', 'products', 'full', 'auto', 'running')`);
    await inTenant(scope, async (tx) => {
      await upsertProducts(tx, scope, [product(1), product(2), product(3)]);
      await upsertVariants(tx, scope, [variant(1, 1), variant(1, 2), variant(2, 1)]);
      // A product read whole lost a variant.
      expect(
        await dropMissingChildren(tx, scope, [product(1).gid], { variants: [variant(1, 1).gid], images: [] }),
      ).toEqual({
        variantsDeleted: 1,
        levelsDeleted: 0,
      });
      // A full run saw products 1 and 3 (and 1's one variant).
      await recordSeen(tx, scope.orgId, runId, 'product', [product(1).gid, product(3).gid]);
      await recordSeen(tx, scope.orgId, runId, 'variant', [variant(1, 1).gid]);
      expect(await reconcile(tx, scope, runId, { products: true, levels: false })).toEqual({
        products: 1,
        variants: 1,
        levels: 0,
      });
      expect(await softDeleteProducts(tx, scope, [product(3).gid, product(2).gid])).toEqual({
        products: 1,
        variants: 0,
        levels: 0,
      });
      // Product 2 comes back: an update, and live again.
      expect(await upsertProducts(tx, scope, [product(2)])).toMatchObject({ updated: 1 });
    });
    const live = (
      await t.db.execute(
        sql`select shopify_gid from catalog_products where org_id = ${scope.orgId} and deleted_at is null order by shopify_gid`,
      )
    ).rows;
    expect(live).toEqual([{ shopify_gid: product(1).gid }, { shopify_gid: product(2).gid }]);
  });

  it('counts match a model of the store over any sequence of batches (property)', async () => {
    const scope = await newScope();
    const model = new Map<string, string>();
    const change = fc.record({
      n: fc.integer({ min: 1, max: 12 }),
      title: fc.constantFrom('A', 'B', 'C'),
      tags: fc.subarray(['x', 'y', 'z']),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(change, { minLength: 1, maxLength: 8 }), async (batch) => {
        const records = batch.map((c) => product(c.n, { title: c.title, tags: c.tags }));
        // The model: the last record per gid decides; compare with what the copy held before.
        const last = new Map(records.map((r) => [r.gid, JSON.stringify(r)]));
        const expected = { created: 0, updated: 0, unchanged: 0 };
        for (const [gid, json] of last) {
          if (!model.has(gid)) expected.created++;
          else if (model.get(gid) !== json) expected.updated++;
          else expected.unchanged++;
          model.set(gid, json);
        }
        const counts = await inTenant(scope, (tx) => upsertProducts(tx, scope, records));
        expect({ created: counts.created, updated: counts.updated, unchanged: counts.unchanged }).toEqual(expected);
      }),
      { numRuns: 60 },
    );
    const stored = (
      await t.db.execute(sql`select count(*)::int as n from catalog_products where org_id = ${scope.orgId}`)
    ).rows[0] as { n: number };
    expect(stored.n).toBe(model.size);
  });
});
