import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShopHandle, SimProduct } from './control.ts';
import { type ShopifySim, startShopifySim } from './index.ts';
import { loadOperations } from './operations.ts';
import { adminClient } from './testing.ts';

// Every operation our API sends, executed against the sim and checked against the shop's ground truth.

const ops = loadOperations();
const NAMES = ['available', 'on_hand', 'committed', 'incoming'];
let sim: ShopifySim;
let shop: ShopHandle;
let gql: ReturnType<typeof adminClient>;
let truth: SimProduct[];

beforeAll(async () => {
  sim = await startShopifySim({ seed: 42 });
  shop = sim.addShop({ domain: 'ops-test.myshopify.com', products: 30, locations: 3, plan: 'plus' });
  gql = adminClient(sim.origin, shop);
  truth = shop.catalog();
});
afterAll(() => sim.close());

const byUpdated = (a: SimProduct, b: SimProduct) =>
  a.updatedAt === b.updatedAt
    ? Number(a.legacyResourceId) - Number(b.legacyResourceId)
    : a.updatedAt < b.updatedAt
      ? -1
      : 1;

describe('ConnectionTest', () => {
  it('describes the shop and the granted scopes at cost 5', async () => {
    const r = await gql(ops.ConnectionTest as string);
    expect(r.status).toBe(200);
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.shop).toMatchObject({
      myshopifyDomain: 'ops-test.myshopify.com',
      name: 'Ops Test',
      currencyCode: 'USD',
      primaryDomain: { host: 'ops-test.myshopify.com' },
      plan: { publicDisplayName: 'Plus', partnerDevelopment: false, shopifyPlus: true },
    });
    expect(r.body.data.shop.id).toMatch(/^gid:\/\/shopify\/Shop\/\d+$/);
    const handles = r.body.data.currentAppInstallation.accessScopes.map((s: { handle: string }) => s.handle);
    expect(handles).toEqual(
      expect.arrayContaining(['read_products', 'read_inventory', 'write_inventory', 'read_locations']),
    );
    expect(r.body.extensions.cost).toMatchObject({
      requestedQueryCost: 5,
      actualQueryCost: 5,
      throttleStatus: { maximumAvailable: 20_000, restoreRate: 1000 },
    });
  });
});

describe('ProductsPage', () => {
  it('pages by updated_at with nested variants and media, matching the ground truth', async () => {
    const r = await gql(ops.ProductsPage as string, {
      first: 10,
      variantsFirst: 20,
      mediaFirst: 5,
      withInventory: false,
      levelsFirst: 0,
      quantityNames: NAMES,
      query: null,
    });
    expect(r.body.errors).toBeUndefined();
    const page = r.body.data.products;
    expect(page.pageInfo.hasNextPage).toBe(true);
    expect(page.nodes).toHaveLength(10);
    const expected = [...truth].sort(byUpdated).slice(0, 10);
    expect(page.nodes.map((n: { id: string }) => n.id)).toEqual(expected.map((p) => p.id));
    for (const [i, node] of page.nodes.entries()) {
      const p = expected[i] as SimProduct;
      expect(node).toMatchObject({
        legacyResourceId: p.legacyResourceId,
        handle: p.handle,
        title: p.title,
        status: p.status,
        vendor: p.vendor,
        tags: p.tags,
        createdAt: p.createdAt,
        updatedAt: p.updatedAt,
        options: p.options,
      });
      expect(node.media.nodes).toEqual(
        p.media
          .slice(0, 5)
          .map((m) => ({ id: m.id, alt: m.alt, mediaContentType: 'IMAGE', status: 'READY', image: m.image })),
      );
      expect(node.media.pageInfo.hasNextPage).toBe(p.media.length > 5);
      expect(node.variants.pageInfo.hasNextPage).toBe(p.variants.length > 20);
      expect(node.variants.nodes).toEqual(
        p.variants.slice(0, 20).map((v) => ({
          id: v.id,
          legacyResourceId: v.legacyResourceId,
          title: v.title,
          sku: v.sku,
          barcode: v.barcode,
          price: v.price,
          compareAtPrice: v.compareAtPrice,
          position: v.position,
          updatedAt: v.updatedAt,
          selectedOptions: v.selectedOptions,
          inventoryItem: { id: v.inventoryItem.id, tracked: v.inventoryItem.tracked },
        })),
      );
      expect(node.variants.nodes[0].price).toMatch(/^\d+\.\d{2}$/);
    }
    // The requested cost is the table's 762; what came back costs less and the rest is refunded.
    expect(r.body.extensions.cost.requestedQueryCost).toBe(762);
    expect(r.body.extensions.cost.actualQueryCost).toBeLessThan(762);
    expect(r.body.extensions.cost.actualQueryCost).toBeGreaterThan(10);
  });

  it('refreshes one product with "id:N" including its inventory levels', async () => {
    const p = truth[3] as SimProduct;
    const r = await gql(ops.ProductsPage as string, {
      first: 1,
      variantsFirst: 45,
      mediaFirst: 10,
      withInventory: true,
      levelsFirst: 5,
      quantityNames: NAMES,
      query: `id:${p.legacyResourceId}`,
    });
    expect(r.body.errors).toBeUndefined();
    expect(r.body.extensions.cost.requestedQueryCost).toBe(928);
    const [node] = r.body.data.products.nodes;
    expect(node.id).toBe(p.id);
    expect(r.body.data.products.pageInfo.hasNextPage).toBe(false);
    const v = p.variants[0];
    const levels = node.variants.nodes[0].inventoryItem.inventoryLevels.nodes;
    expect(levels).toEqual(
      v?.inventoryItem.inventoryLevels.map((l) => ({
        id: l.id,
        location: l.location,
        quantities: NAMES.map((name) => ({ name, quantity: l.quantities[name as 'available'] })),
      })),
    );
  });
});

describe('VariantsPage', () => {
  it('fetches the rest of a product with more than 100 variants via product_id:N', async () => {
    const big = truth.find((p) => p.variants.length > 100) as SimProduct;
    expect(big).toBeDefined();
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const r = await gql(ops.VariantsPage as string, {
        first: 45,
        after,
        query: `product_id:${big.legacyResourceId}`,
        withInventory: true,
        levelsFirst: 5,
        quantityNames: ['available'],
      });
      expect(r.body.errors).toBeUndefined();
      expect(r.body.extensions.cost.requestedQueryCost).toBe(947);
      const page = r.body.data.productVariants;
      for (const n of page.nodes) {
        expect(n.product.id).toBe(big.id);
        seen.push(n.id);
      }
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(
      big.variants.map((v) => v.id).sort((a, b) => Number(a.split('/').pop()) - Number(b.split('/').pop())),
    );
  });
});

describe('ProductIds', () => {
  it('lists every product id in one page of 250 at cost 252', async () => {
    const r = await gql(ops.ProductIds as string, { after: null });
    expect(r.body.extensions.cost.requestedQueryCost).toBe(252);
    expect(r.body.data.products.pageInfo.hasNextPage).toBe(false);
    expect(r.body.data.products.nodes.map((n: { id: string }) => n.id)).toEqual(truth.map((p) => p.id));
    expect(r.body.extensions.cost.actualQueryCost).toBe(2 + truth.length);
  });
});

describe('Locations and LocationInventoryLevels', () => {
  it('lists active locations by name (cost 502) and each one’s levels by inventory item', async () => {
    const r = await gql(ops.Locations as string, {});
    expect(r.body.errors).toBeUndefined();
    expect(r.body.extensions.cost.requestedQueryCost).toBe(502);
    const names = r.body.data.locations.nodes.map((l: { name: string }) => l.name);
    expect(names).toEqual([...shop.locations().map((l) => l.name)].sort());
    expect(r.body.data.locations.nodes[0]).toMatchObject({
      isActive: true,
      address: { countryCode: expect.any(String) },
    });

    for (const loc of shop.locations()) {
      const expected = truth.flatMap((p) =>
        p.variants.flatMap((v) =>
          v.inventoryItem.inventoryLevels
            .filter((l) => l.location.id === loc.id)
            .map((l) => ({ itemId: v.inventoryItem.id, sku: v.sku, available: l.quantities.available })),
        ),
      );
      const got: Array<{ itemId: string; sku: string | null; available: number }> = [];
      let after: string | null = null;
      for (;;) {
        const res = await gql(ops.LocationInventoryLevels as string, {
          locationId: loc.id,
          first: 100,
          after,
          query: null,
          quantityNames: ['available'],
        });
        expect(res.body.errors).toBeUndefined();
        const page = res.body.data.location.inventoryLevels;
        for (const n of page.nodes)
          got.push({ itemId: n.item.id, sku: n.item.sku, available: n.quantities[0].quantity });
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      const order = (x: { itemId: string }) => Number(x.itemId.split('/').pop());
      expect(got).toEqual(expected.sort((a, b) => order(a) - order(b)));
    }
  });
});

describe('webhook subscriptions', () => {
  it('creates, lists and deletes, with Shopify’s user errors', async () => {
    const topics = [
      'PRODUCTS_CREATE',
      'PRODUCTS_UPDATE',
      'PRODUCTS_DELETE',
      'INVENTORY_LEVELS_UPDATE',
      'APP_UNINSTALLED',
      'BULK_OPERATIONS_FINISH',
    ];
    const ids: string[] = [];
    for (const topic of topics) {
      const r = await gql(ops.WebhookSubscriptionCreate as string, { topic, uri: 'https://hooks.example.com/shopify' });
      expect(r.body.extensions.cost.requestedQueryCost).toBe(13);
      expect(r.body.data.webhookSubscriptionCreate.userErrors).toEqual([]);
      expect(r.body.data.webhookSubscriptionCreate.webhookSubscription).toMatchObject({
        topic,
        uri: 'https://hooks.example.com/shopify',
        format: 'JSON',
        apiVersion: { handle: '2026-10' },
      });
      ids.push(r.body.data.webhookSubscriptionCreate.webhookSubscription.id);
    }
    const dup = await gql(ops.WebhookSubscriptionCreate as string, {
      topic: 'PRODUCTS_CREATE',
      uri: 'https://hooks.example.com/shopify',
    });
    expect(dup.body.data.webhookSubscriptionCreate.webhookSubscription).toBeNull();
    expect(dup.body.data.webhookSubscriptionCreate.userErrors[0].message).toMatch(/already been taken/);

    const list = await gql(ops.WebhookSubscriptions as string, { after: null });
    expect(list.body.extensions.cost.requestedQueryCost).toBe(52);
    expect(list.body.data.webhookSubscriptions.nodes.map((n: { id: string }) => n.id)).toEqual(ids);

    const del = await gql(ops.WebhookSubscriptionDelete as string, { id: ids[0] });
    expect(del.body.data.webhookSubscriptionDelete).toEqual({ deletedWebhookSubscriptionId: ids[0], userErrors: [] });
    const again = await gql(ops.WebhookSubscriptionDelete as string, { id: ids[0] });
    expect(again.body.data.webhookSubscriptionDelete.deletedWebhookSubscriptionId).toBeNull();
    expect(again.body.data.webhookSubscriptionDelete.userErrors).toHaveLength(1);
    const after = await gql(ops.WebhookSubscriptions as string, { after: null });
    expect(after.body.data.webhookSubscriptions.nodes).toHaveLength(5);
  });

  it('are private to each app installed on the shop', async () => {
    const other = sim.addShop({ domain: 'ops-other.myshopify.com', products: 1 });
    const r = await adminClient(sim.origin, other)(ops.WebhookSubscriptions as string, { after: null });
    expect(r.body.data.webhookSubscriptions.nodes).toEqual([]);
  });
});

describe('InventorySetQuantities', () => {
  it('sets available with compare-and-swap and reports available and on_hand changes', async () => {
    const v = truth[0]?.variants[0];
    const level = v?.inventoryItem.inventoryLevels[0];
    if (!v || !level) throw new Error('fixture');
    const before = level.quantities;
    const r = await gql(ops.InventorySetQuantities as string, {
      idempotencyKey: crypto.randomUUID(),
      input: {
        name: 'available',
        reason: 'correction',
        referenceDocumentUri: 'gid://invpro360/InventoryAdjustment/42',
        quantities: [
          {
            inventoryItemId: v.inventoryItem.id,
            locationId: level.location.id,
            quantity: before.available + 5,
            changeFromQuantity: before.available,
          },
        ],
      },
    });
    expect(r.body.errors).toBeUndefined();
    expect(r.body.extensions.cost.requestedQueryCost).toBe(15);
    const payload = r.body.data.inventorySetQuantities;
    expect(payload.userErrors).toEqual([]);
    expect(payload.inventoryAdjustmentGroup).toMatchObject({
      reason: 'correction',
      referenceDocumentUri: 'gid://invpro360/InventoryAdjustment/42',
    });
    expect(payload.inventoryAdjustmentGroup.changes).toEqual([
      {
        name: 'available',
        delta: 5,
        quantityAfterChange: before.available + 5,
        item: { id: v.inventoryItem.id },
        location: { id: level.location.id },
      },
      {
        name: 'on_hand',
        delta: 5,
        quantityAfterChange: before.on_hand + 5,
        item: { id: v.inventoryItem.id },
        location: { id: level.location.id },
      },
    ]);
    const now = shop.product(truth[0]?.id as string)?.variants[0]?.inventoryItem.inventoryLevels[0]?.quantities;
    expect(now).toMatchObject({
      available: before.available + 5,
      on_hand: before.on_hand + 5,
      committed: before.committed,
    });
  });
});
