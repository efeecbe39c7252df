import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimProduct } from './control.ts';
import { type ShopifySim, startShopifySim } from './index.ts';
import { loadOperations } from './operations.ts';
import { adminClient } from './testing.ts';

const ops = loadOperations();
let sim: ShopifySim;

beforeAll(async () => {
  sim = await startShopifySim({ seed: 3 });
});
afterAll(() => sim.close());

type Gql = ReturnType<typeof adminClient>;

async function walkProducts(
  gql: Gql,
  query: string | null,
  first = 40,
): Promise<Array<{ id: string; updatedAt: string; variants: number }>> {
  const out: Array<{ id: string; updatedAt: string; variants: number }> = [];
  let after: string | null = null;
  for (;;) {
    const r = await gql(ops.ProductsPage as string, {
      first,
      after,
      query,
      variantsFirst: 5,
      mediaFirst: 1,
      withInventory: false,
      levelsFirst: 0,
      quantityNames: [],
    });
    expect(r.body.errors).toBeUndefined();
    const page = r.body.data.products;
    for (const n of page.nodes) out.push({ id: n.id, updatedAt: n.updatedAt, variants: n.variants.nodes.length });
    if (!page.pageInfo.hasNextPage) return out;
    expect(page.pageInfo.endCursor).toEqual(expect.any(String));
    after = page.pageInfo.endCursor;
  }
}

async function walkIds(gql: Gql): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  for (;;) {
    const r = await gql(ops.ProductIds as string, { after });
    const page = r.body.data.products;
    ids.push(...page.nodes.map((n: { id: string }) => n.id));
    if (!page.pageInfo.hasNextPage) return ids;
    after = page.pageInfo.endCursor;
  }
}

async function walkVariants(gql: Gql, query: string | null): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  for (;;) {
    const r = await gql(ops.VariantsPage as string, {
      first: 200,
      after,
      query,
      withInventory: false,
      levelsFirst: 1,
      quantityNames: [],
    });
    expect(r.body.errors).toBeUndefined();
    const page = r.body.data.productVariants;
    ids.push(...page.nodes.map((n: { id: string }) => n.id));
    if (!page.pageInfo.hasNextPage) return ids;
    after = page.pageInfo.endCursor;
  }
}

const num = (gid: string) => Number(gid.split('/').pop()?.split('?')[0]);

describe('seeded catalogs', () => {
  it('are deterministic for a seed and differ across seeds', async () => {
    const other = await startShopifySim({ seed: 3 });
    try {
      const a = sim.addShop({ domain: 'same-a.myshopify.com', products: 20, seed: 99 }).catalog();
      const b = other.addShop({ domain: 'same-a.myshopify.com', products: 20, seed: 99 }).catalog();
      expect(b).toEqual(a);
      const c = other.addShop({ domain: 'same-c.myshopify.com', products: 20, seed: 100 }).catalog();
      expect(c.map((p) => p.title)).not.toEqual(a.map((p) => p.title));
    } finally {
      await other.close();
    }
  });

  it('have the variety the sync must handle', () => {
    const shop = sim.addShop({ domain: 'variety.myshopify.com', products: 400, locations: 5, seed: 5 });
    const all = shop.catalog();
    const counts = all.map((p) => p.variants.length);
    expect(Math.min(...counts)).toBe(1);
    expect(Math.max(...counts)).toBeGreaterThan(100);
    expect(counts.filter((n) => n > 20).length).toBeGreaterThan(5);
    expect(new Set(all.map((p) => p.status))).toEqual(new Set(['ACTIVE', 'DRAFT', 'ARCHIVED']));
    const variants = all.flatMap((p) => p.variants);
    expect(variants.some((v) => v.sku === null)).toBe(true);
    expect(variants.some((v) => v.barcode === null)).toBe(true);
    expect(variants.some((v) => v.compareAtPrice !== null)).toBe(true);
    expect(variants.every((v) => /^\d+\.\d{2}$/.test(v.price))).toBe(true);
    expect(all.some((p) => p.media.length === 0) && all.some((p) => p.media.length >= 3)).toBe(true);
    expect(new Set(all.map((p) => p.handle)).size).toBe(all.length);
    const levels = variants.flatMap((v) => v.inventoryItem.inventoryLevels);
    expect(new Set(levels.map((l) => l.location.id)).size).toBe(5);
    for (const l of levels.slice(0, 500)) {
      const q = l.quantities;
      expect(q.on_hand).toBe(q.available + q.committed + q.reserved + q.damaged + q.safety_stock + q.quality_control);
    }
    expect(levels.some((l) => l.quantities.incoming > 0)).toBe(true);
  });

  it('can be sized by mean variants per product, keeping the products with more than 100', () => {
    const shop = sim.addShop({ domain: 'small-variants.myshopify.com', products: 2000, variantsPerProduct: 2.5 });
    const counts = shop.catalog().map((p) => p.variants.length);
    const ordinary = counts.filter((_, i) => i % 1000 !== 3);
    expect(Math.min(...ordinary)).toBe(1);
    expect(Math.max(...ordinary)).toBe(4);
    expect(ordinary.reduce((a, b) => a + b, 0) / ordinary.length).toBeCloseTo(2.5, 1);
    expect(counts.filter((n) => n > 100)).toHaveLength(2);
  });
});

describe('pagination', () => {
  it('walks the whole catalog by updated_at and by id with no duplicates or misses', async () => {
    const shop = sim.addShop({ domain: 'walk.myshopify.com', products: 310, seed: 8, plan: 'enterprise' });
    const gql = adminClient(sim.origin, shop);
    const truth = shop.catalog();
    const byUpdated = await walkProducts(gql, null, 40);
    expect(byUpdated.map((p) => p.id).sort()).toEqual(truth.map((p) => p.id).sort());
    expect(new Set(byUpdated.map((p) => p.id)).size).toBe(truth.length);
    for (let i = 1; i < byUpdated.length; i++) {
      expect(
        (byUpdated[i] as { updatedAt: string }).updatedAt >= (byUpdated[i - 1] as { updatedAt: string }).updatedAt,
      ).toBe(true);
    }
    const ids = await walkIds(gql);
    expect(ids).toEqual(truth.map((p) => p.id));
    const variantIds = await walkVariants(gql, null);
    expect(variantIds).toEqual(truth.flatMap((p) => p.variants.map((v) => v.id)).sort((a, b) => num(a) - num(b)));
  });

  it('reflects creations and deletions, and rejects a bad cursor', async () => {
    const shop = sim.addShop({ domain: 'walk-edit.myshopify.com', products: 300, seed: 9 });
    const gql = adminClient(sim.origin, shop);
    const truth = shop.catalog();
    shop.deleteProduct(truth[10]?.id as string);
    shop.deleteProduct(truth[299]?.id as string);
    const created = shop.createProduct({ title: 'Brand New', variants: 3 });
    const ids = await walkIds(gql);
    expect(ids).toHaveLength(299);
    expect(ids).not.toContain(truth[10]?.id);
    expect(ids).not.toContain(truth[299]?.id);
    expect(ids[ids.length - 1]).toBe(created.id);
    const bad = await gql(ops.ProductIds as string, { after: 'not-a-cursor' });
    expect(bad.body.errors[0].message).toMatch(/cursor/i);
  });

  it('requires first or last and caps them at 250', async () => {
    const shop = sim.addShop({ domain: 'walk-args.myshopify.com', products: 3 });
    const gql = adminClient(sim.origin, shop);
    const none = await gql('{ products { nodes { id } } }');
    expect(none.body.errors[0].message).toBe('you must provide one of first or last');
    const big = await gql('{ products(first: 251) { nodes { id } } }');
    expect(big.body.errors[0].message).toMatch(/250/);
    const last = await gql('{ products(last: 2) { nodes { id } pageInfo { hasPreviousPage } } }');
    expect(last.body.data.products.nodes.map((n: { id: string }) => n.id)).toEqual(
      shop
        .catalog()
        .slice(1)
        .map((p) => p.id),
    );
    expect(last.body.data.products.pageInfo.hasPreviousPage).toBe(true);
  });
});

describe('incremental sync', () => {
  it('updated_at:> returns exactly what changed since the watermark, in updated order', async () => {
    const shop = sim.addShop({ domain: 'incremental.myshopify.com', products: 200, seed: 11, plan: 'enterprise' });
    const gql = adminClient(sim.origin, shop);
    const full = await walkProducts(gql, null);
    const watermark = full
      .map((p) => p.updatedAt)
      .sort()
      .at(-1) as string;
    expect(await walkProducts(gql, `updated_at:>'${watermark}'`)).toEqual([]);

    const truth = shop.catalog();
    const a = truth[5] as SimProduct;
    const b = truth[150] as SimProduct;
    const gone = truth[20] as SimProduct;
    sim.advanceTime(2000);
    shop.updateProduct(b.id, { title: 'Changed B', variants: [{ id: b.variants[0]?.id as string, price: '1.23' }] });
    sim.advanceTime(2000);
    shop.updateProduct(a.id, { tags: ['changed'] });
    const c = shop.createProduct({ title: 'Created C' });
    shop.deleteProduct(gone.id);

    const changed = await walkProducts(gql, `updated_at:>'${watermark}'`, 2);
    expect(changed.map((p) => p.id)).toEqual([b.id, a.id, c.id]);
    // Time filters in the past still include everything after them (the 5-minute overlap window works).
    const overlap = new Date(Date.parse(watermark) - 5 * 60_000).toISOString();
    const withOverlap = await walkProducts(gql, `updated_at:>'${overlap}'`);
    expect(withOverlap.slice(-3).map((p) => p.id)).toEqual([b.id, a.id, c.id]);

    // Variants: only the variant whose price changed, and the new product's variant.
    const variants = await walkVariants(gql, `updated_at:>'${watermark}'`);
    expect(variants).toEqual([b.variants[0]?.id, ...c.variants.map((v) => v.id)]);
  });

  it('LocationInventoryLevels with updated_at:> returns the levels changed since', async () => {
    const shop = sim.addShop({ domain: 'incremental-levels.myshopify.com', products: 50, locations: 2, seed: 12 });
    const gql = adminClient(sim.origin, shop);
    const truth = shop.catalog();
    const loc = shop.locations()[0]?.id as string;
    const watermark = new Date(sim.now()).toISOString();
    sim.advanceTime(1500);
    const item = truth[7]?.variants[0]?.inventoryItem.id as string;
    shop.setInventory({ inventoryItemId: item, locationId: loc, quantity: 77 });
    const r = await gql(ops.LocationInventoryLevels as string, {
      locationId: loc,
      first: 250,
      query: `updated_at:>'${watermark}'`,
      quantityNames: ['available', 'on_hand'],
    });
    expect(r.body.errors).toBeUndefined();
    const nodes = r.body.data.location.inventoryLevels.nodes;
    expect(nodes.map((n: { item: { id: string } }) => n.item.id)).toEqual([item]);
    expect(nodes[0].quantities[0]).toEqual({ name: 'available', quantity: 77 });
    expect(nodes[0].updatedAt > watermark).toBe(true);
  });
});

describe('a 100,000-product shop', () => {
  it('is created quickly and pages correctly at the end of the catalog', async () => {
    const started = performance.now();
    const shop = sim.addShop({
      domain: 'huge.myshopify.com',
      products: 100_000,
      locations: 3,
      seed: 21,
      plan: 'enterprise',
    });
    const createdIn = performance.now() - started;
    expect(createdIn).toBeLessThan(1500);
    expect(shop.productCount()).toBe(100_000);
    const gql = adminClient(sim.origin, shop);

    const count = await gql('{ productsCount(limit: null) { count precision } }');
    expect(count.body.data.productsCount).toEqual({ count: 100_000, precision: 'EXACT' });

    // Jump near the end with an id filter, then page with cursors to the last product.
    const first = shop.catalog({ limit: 1 })[0] as SimProduct;
    const lastId = Number(first.legacyResourceId) + 99_999;
    const ids: string[] = [];
    let after: string | null = null;
    for (;;) {
      const r = await gql(
        'query($after: String, $q: String) { products(first: 250, after: $after, query: $q) { pageInfo { hasNextPage endCursor } nodes { id } } }',
        { after, q: `id:>=${lastId - 399}` },
      );
      expect(r.body.errors).toBeUndefined();
      ids.push(...r.body.data.products.nodes.map((n: { id: string }) => n.id));
      if (!r.body.data.products.pageInfo.hasNextPage) break;
      after = r.body.data.products.pageInfo.endCursor;
    }
    expect(ids).toHaveLength(400);
    expect(ids[399]).toBe(`gid://shopify/Product/${lastId}`);
    expect(new Set(ids).size).toBe(400);

    // The newest products by updated_at, through the UPDATED_AT cursor path.
    const newest = await gql(
      'query($q: String) { products(first: 250, query: $q, sortKey: UPDATED_AT) { pageInfo { hasNextPage } nodes { id updatedAt } } }',
      { q: "updated_at:>'2026-05-31T00:00:00Z'" },
    );
    const nodes = newest.body.data.products.nodes;
    expect(newest.body.data.products.pageInfo.hasNextPage).toBe(false);
    expect(nodes.length).toBeGreaterThan(10);
    expect(nodes.every((n: { updatedAt: string }) => n.updatedAt > '2026-05-31T00:00:00Z')).toBe(true);
    expect(nodes[nodes.length - 1].id).toBe(`gid://shopify/Product/${lastId}`);

    // A change on the huge shop shows up at the end of the updated_at order.
    const touched = shop.updateProduct(first.id, { title: 'Moved to the end' });
    const end = await gql(ops.ProductsPage as string, {
      first: 10,
      query: `updated_at:>='${touched.updatedAt}'`,
      variantsFirst: 1,
      mediaFirst: 1,
      withInventory: false,
      levelsFirst: 0,
      quantityNames: [],
    });
    expect(end.body.data.products.nodes.map((n: { id: string }) => n.id)).toEqual([first.id]);
  });
});
