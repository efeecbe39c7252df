import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShopHandle } from './control.ts';
import { type ShopifySim, startShopifySim } from './index.ts';
import { loadOperations } from './operations.ts';
import { adminClient, adminRequest } from './testing.ts';

const ops = loadOperations();
const INVALID_TOKEN = { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' };
let sim: ShopifySim;
let shop: ShopHandle;

beforeAll(async () => {
  sim = await startShopifySim({ seed: 5 });
  shop = sim.addShop({ domain: 'auth.myshopify.com', products: 5, accessToken: 'shpat_auth_test' });
});
afterAll(() => sim.close());

describe('authentication', () => {
  it('returns 401 with Shopify’s body for a missing or wrong token, or a token of another shop', async () => {
    const other = sim.addShop({ domain: 'auth-other.myshopify.com', products: 1 });
    for (const token of [undefined, 'shpat_wrong', other.accessToken]) {
      const r = await adminRequest(sim.origin, { domain: shop.domain, token }, ops.ConnectionTest as string);
      expect(r.status).toBe(401);
      expect(r.body).toEqual(INVALID_TOKEN);
    }
    expect(shop.stats().unauthorized).toBe(3);
  });

  it('finds the shop from the token alone, and answers 404 for an unknown shop header', async () => {
    const byToken = await adminRequest(sim.origin, { token: 'shpat_auth_test' }, ops.ConnectionTest as string);
    expect(byToken.body.data.shop.myshopifyDomain).toBe('auth.myshopify.com');
    const unknown = await adminRequest(
      sim.origin,
      { domain: 'nope.myshopify.com', token: 'shpat_auth_test' },
      '{ shop { id } }',
    );
    expect(unknown.status).toBe(404);
  });

  it('accepts other version handles and answers with 2026-10', async () => {
    const r = await adminRequest(
      sim.origin,
      { domain: shop.domain, token: shop.accessToken, version: '2025-10' },
      '{ shop { name } }',
    );
    expect(r.status).toBe(200);
    expect(r.headers.get('x-shopify-api-version')).toBe('2026-10');
    expect(r.body.data.shop.name).toBe('Auth');
  });
});

describe('errors like Shopify’s', () => {
  it('validates every query against the schema', async () => {
    const gql = adminClient(sim.origin, shop);
    const unknownField = await gql('{ shop { nope } }');
    expect(unknownField.status).toBe(200);
    expect(unknownField.body.data).toBeUndefined();
    expect(unknownField.body.errors[0].message).toMatch(/nope/);
    expect(unknownField.body.errors[0].locations).toEqual([{ line: 1, column: 10 }]);
    // Removed in 2026-04: must fail validation, not be ignored.
    const removed = await gql(
      'mutation { inventorySetQuantities(input: {name: "available", reason: "correction", ignoreCompareQuantity: true, quantities: []}) @idempotent(key: "x") { userErrors { code } } }',
    );
    expect(removed.body.errors[0].message).toMatch(/ignoreCompareQuantity/);
    const syntax = await gql('{ shop { ');
    expect(syntax.body.errors[0].message).toMatch(/Syntax Error/);
    const badVariable = await gql(ops.ProductIds as string, { after: 12 });
    expect(badVariable.body.errors[0].message).toMatch(/\$after/);
  });

  it('answers 400 when the query parameter is missing', async () => {
    const res = await fetch(`${sim.origin}/admin/api/2026-10/graphql.json`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Shopify-Access-Token': shop.accessToken as string },
      body: JSON.stringify({ variables: {} }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ errors: { query: 'Required parameter missing or invalid' } });
  });

  it('denies fields the token’s scopes do not cover with ACCESS_DENIED', async () => {
    const limited = sim.addShop({ domain: 'limited.myshopify.com', products: 3, scopes: ['read_products'] });
    const gql = adminClient(sim.origin, limited);
    const levels = await gql(ops.LocationInventoryLevels as string, {
      locationId: limited.locations()[0]?.id,
      first: 10,
      quantityNames: ['available'],
    });
    expect(levels.body.data).toEqual({ location: null });
    const denied = levels.body.errors[0];
    expect(denied.extensions).toMatchObject({
      code: 'ACCESS_DENIED',
      requiredAccess: expect.stringContaining('read_locations'),
    });
    expect(denied.message).toMatch(/^Access denied for location field\. Required access: /);
    expect(denied.path).toEqual(['location']);

    // Products are fine, but their inventory levels need read_inventory.
    const products = await gql(ops.ProductsPage as string, {
      first: 1,
      variantsFirst: 1,
      mediaFirst: 1,
      withInventory: true,
      levelsFirst: 1,
      quantityNames: ['available'],
    });
    const codes = products.body.errors.map((e: { extensions: { code: string } }) => e.extensions.code);
    expect(codes).toContain('ACCESS_DENIED');
    expect(products.body.errors[0].path).toEqual([
      'products',
      'nodes',
      0,
      'variants',
      'nodes',
      0,
      'inventoryItem',
      'inventoryLevels',
    ]);

    const push = await gql(ops.InventorySetQuantities as string, {
      idempotencyKey: 'k1',
      input: { name: 'available', reason: 'correction', quantities: [] },
    });
    expect(push.body.errors[0].extensions.code).toBe('ACCESS_DENIED');
    const hook = await gql(ops.WebhookSubscriptionCreate as string, {
      topic: 'INVENTORY_LEVELS_UPDATE',
      uri: 'https://x.test/h',
    });
    expect(hook.body.data.webhookSubscriptionCreate.userErrors[0].message).toMatch(/read_inventory/);
    expect(push.body.errors[0].extensions.requiredAccess).toMatch(/write_inventory/);
    expect(limited.stats().accessDenied).toBeGreaterThanOrEqual(3);
  });

  it('treats a write scope as granting its read scope', async () => {
    const writer = sim.addShop({
      domain: 'writer.myshopify.com',
      products: 2,
      scopes: ['write_products', 'write_inventory', 'read_locations'],
    });
    const r = await adminClient(sim.origin, writer)(ops.ProductsPage as string, {
      first: 1,
      variantsFirst: 1,
      mediaFirst: 1,
      withInventory: true,
      levelsFirst: 1,
      quantityNames: ['available'],
    });
    expect(r.body.errors).toBeUndefined();
  });
});

describe('lookups', () => {
  it('resolves node/nodes and the single-object roots by GID', async () => {
    const gql = adminClient(sim.origin, shop);
    const p = shop.catalog()[1];
    const v = p?.variants[0];
    const l = v?.inventoryItem.inventoryLevels[0];
    const m = p?.media[0];
    const ids = [p?.id, v?.id, v?.inventoryItem.id, l?.id, l?.location.id, m?.id ?? p?.id, 'gid://shopify/Product/1'];
    const r = await gql('query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }', { ids });
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.nodes.map((n: { __typename: string } | null) => n?.__typename ?? null)).toEqual([
      'Product',
      'ProductVariant',
      'InventoryItem',
      'InventoryLevel',
      'Location',
      m ? 'MediaImage' : 'Product',
      null,
    ]);
    const one = await gql(
      'query($p: ID!, $v: ID!, $i: ID!, $l: ID!) { product(id: $p) { title } productVariant(id: $v) { sku } inventoryItem(id: $i) { tracked } inventoryLevel(id: $l) { quantities(names: ["available"]) { quantity } } }',
      { p: p?.id, v: v?.id, i: v?.inventoryItem.id, l: l?.id },
    );
    expect(one.body.data).toEqual({
      product: { title: p?.title },
      productVariant: { sku: v?.sku },
      inventoryItem: { tracked: v?.inventoryItem.tracked },
      inventoryLevel: { quantities: [{ quantity: l?.quantities.available }] },
    });
  });

  it('accepts a bare query with Content-Type application/graphql', async () => {
    const res = await fetch(`${sim.origin}/admin/api/2026-10/graphql.json`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/graphql', 'X-Shopify-Access-Token': shop.accessToken as string },
      body: '{ shop { myshopifyDomain } }',
    });
    expect(((await res.json()) as { data: unknown }).data).toEqual({ shop: { myshopifyDomain: 'auth.myshopify.com' } });
  });

  it('says so instead of returning wrong data for fields the sim does not implement', async () => {
    const r = await adminClient(sim.origin, shop)('{ shop { billingAddress { city } } }');
    expect(r.body.errors[0].extensions.code).toBe('NOT_IMPLEMENTED');
  });
});
