import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ShopHandle } from './control.ts';
import { type ShopifySim, startShopifySim } from './index.ts';
import { loadOperations } from './operations.ts';
import { adminClient, adminRequest } from './testing.ts';

const ops = loadOperations();
const TOPICS = [
  'PRODUCTS_CREATE',
  'PRODUCTS_UPDATE',
  'PRODUCTS_DELETE',
  'INVENTORY_LEVELS_UPDATE',
  'APP_UNINSTALLED',
  'BULK_OPERATIONS_FINISH',
];

interface Received {
  raw: Buffer;
  headers: IncomingHttpHeaders;
  // biome-ignore lint/suspicious/noExplicitAny: webhook bodies are checked field by field.
  body: any;
}

let sim: ShopifySim;
let receiver: Server;
let hookUrl: string;
let received: Received[] = [];
/** How many upcoming deliveries the receiver answers with 500. */
let failNext = 0;

/** What our API must do (docs/shopify.md §6): base64 HMAC-SHA256 of the raw body bytes, constant-time compare. */
function verify(raw: Buffer, header: string | string[] | undefined, secret: string): boolean {
  const expected = Buffer.from(createHmac('sha256', secret).update(raw).digest('base64'));
  const given = Buffer.from(String(header ?? ''));
  return expected.length === given.length && timingSafeEqual(expected, given);
}

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (failNext > 0) {
        failNext--;
        res.writeHead(500).end();
        return;
      }
      const raw = Buffer.concat(chunks);
      received.push({ raw, headers: req.headers, body: JSON.parse(raw.toString('utf8')) });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/api/shopify/webhook/`;
  sim = await startShopifySim({ seed: 23, webhookRetryDelaysMs: [20, 20, 20] });
});
afterAll(async () => {
  await sim.close();
  await new Promise((r) => receiver.close(r));
});
beforeEach(() => {
  received = [];
  failNext = 0;
});

async function subscribe(shop: ShopHandle, token?: string) {
  const gql = adminClient(sim.origin, shop, token);
  for (const topic of TOPICS) {
    const r = await gql(ops.WebhookSubscriptionCreate as string, { topic, uri: hookUrl });
    expect(r.body.data.webhookSubscriptionCreate.userErrors).toEqual([]);
  }
  return gql;
}

describe('deliveries', () => {
  it('sign product and inventory webhooks with the shop’s api secret and Shopify’s headers', async () => {
    const shop = sim.addShop({ domain: 'hooks.myshopify.com', products: 10, apiSecret: 'shpss_hooks' });
    await subscribe(shop);
    const created = shop.createProduct({ title: 'Hooked', variants: 2 });
    shop.updateProduct(created.id, { title: 'Hooked again' });
    const item = created.variants[0]?.inventoryItem.id as string;
    const loc = shop.locations()[0]?.id as string;
    shop.setInventory({ inventoryItemId: item, locationId: loc, quantity: 42 });
    shop.deleteProduct(created.id);
    await sim.idle();

    // Shopify doesn't promise delivery order, and neither does the sim.
    const byTopic = (t: string) => received.find((r) => r.headers['x-shopify-topic'] === t) as Received;
    expect(received.map((r) => r.headers['x-shopify-topic']).sort()).toEqual([
      'inventory_levels/update',
      'products/create',
      'products/delete',
      'products/update',
    ]);
    for (const r of received) {
      expect(verify(r.raw, r.headers['x-shopify-hmac-sha256'], 'shpss_hooks')).toBe(true);
      expect(verify(r.raw, r.headers['x-shopify-hmac-sha256'], 'another-secret')).toBe(false);
      expect(r.headers['x-shopify-shop-domain']).toBe('hooks.myshopify.com');
      expect(r.headers['x-shopify-api-version']).toBe('2026-10');
      expect(r.headers['x-shopify-webhook-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(r.headers['x-shopify-event-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(Number.isNaN(Date.parse(String(r.headers['x-shopify-triggered-at'])))).toBe(false);
      expect(r.headers['content-type']).toBe('application/json');
    }
    const [create, update, level, del] = [
      'products/create',
      'products/update',
      'inventory_levels/update',
      'products/delete',
    ].map(byTopic) as [Received, Received, Received, Received];
    expect(create.body).toMatchObject({
      admin_graphql_api_id: created.id,
      id: Number(created.legacyResourceId),
      title: 'Hooked',
      status: 'active',
    });
    expect(create.body.variants).toHaveLength(2);
    expect(create.body.variants[0]).toMatchObject({
      admin_graphql_api_id: created.variants[0]?.id,
      inventory_item_id: Number(item.split('/').pop()),
    });
    expect(update.body.title).toBe('Hooked again');
    expect(level.body).toEqual({
      inventory_item_id: Number(item.split('/').pop()),
      location_id: Number(loc.split('/').pop()),
      available: 42,
      updated_at: expect.any(String),
      admin_graphql_api_id: `gid://shopify/InventoryLevel/${loc.split('/').pop()}?inventory_item_id=${item.split('/').pop()}`,
    });
    expect(del.body).toEqual({ id: Number(created.legacyResourceId) });
    expect(new Set(received.map((r) => r.headers['x-shopify-event-id'])).size).toBe(4);
    expect(shop.stats().webhooksDelivered).toBe(4);
  });

  it('caps products/* payloads at the first 100 variants', async () => {
    const shop = sim.addShop({ domain: 'hooks-big.myshopify.com', products: 5 });
    await subscribe(shop);
    const big = shop.catalog().find((p) => p.variants.length > 100);
    if (!big) throw new Error('fixture: product index 3 has more than 100 variants');
    shop.updateProduct(big.id, { tags: ['big'] });
    await sim.idle();
    expect(received[0]?.body.variants).toHaveLength(100);
    expect(received[0]?.body.variants[99].admin_graphql_api_id).toBe(big.variants[99]?.id);
  });

  it('can deliver the same event twice (same event id, different webhook id)', async () => {
    const shop = sim.addShop({ domain: 'hooks-dup.myshopify.com', products: 3 });
    await subscribe(shop);
    shop.updateProduct(shop.catalog()[0]?.id as string, { title: 'Twice' }, { duplicate: true });
    await sim.idle();
    expect(received).toHaveLength(2);
    expect(received[0]?.headers['x-shopify-event-id']).toBe(received[1]?.headers['x-shopify-event-id']);
    expect(received[0]?.headers['x-shopify-webhook-id']).not.toBe(received[1]?.headers['x-shopify-webhook-id']);
    expect(received[0]?.raw.equals(received[1]?.raw as Buffer)).toBe(true);
  });

  it('retries a failed delivery with the same body and ids', async () => {
    const shop = sim.addShop({ domain: 'hooks-retry.myshopify.com', products: 3 });
    await subscribe(shop);
    failNext = 2;
    shop.updateProduct(shop.catalog()[1]?.id as string, { title: 'Retried' });
    await sim.idle();
    expect(received).toHaveLength(1);
    const [log] = shop.deliveries();
    expect(log).toMatchObject({ topic: 'products/update', attempts: 3, ok: true, status: 200 });
    expect(received[0]?.headers['x-shopify-webhook-id']).toBe(log?.webhookId);
    expect(shop.stats()).toMatchObject({ webhooksDelivered: 1, webhookAttempts: 3, webhooksFailed: 0 });
  });

  it('sends inventory_levels/update for pushes made through the API too', async () => {
    const shop = sim.addShop({ domain: 'hooks-api.myshopify.com', products: 3 });
    const gql = await subscribe(shop);
    const v = shop.catalog()[0]?.variants[0];
    const l = v?.inventoryItem.inventoryLevels[0];
    const r = await gql(ops.InventorySetQuantities as string, {
      idempotencyKey: 'hook-key',
      input: {
        name: 'available',
        reason: 'correction',
        quantities: [
          { inventoryItemId: v?.inventoryItem.id, locationId: l?.location.id, quantity: 5, changeFromQuantity: null },
        ],
      },
    });
    expect(r.body.data.inventorySetQuantities.userErrors).toEqual([]);
    await sim.idle();
    expect(received.map((x) => x.body.available)).toEqual([5]);
  });

  it('sends bulk_operations/finish to the app that started the operation', async () => {
    const shop = sim.addShop({ domain: 'hooks-bulk.myshopify.com', products: 3 });
    const gql = await subscribe(shop);
    const r = await gql(ops.BulkRunQuery as string, { query: '{ products { edges { node { id } } } }' });
    const id = r.body.data.bulkOperationRunQuery.bulkOperation.id;
    await sim.idle();
    expect(received).toHaveLength(1);
    expect(received[0]?.headers['x-shopify-topic']).toBe('bulk_operations/finish');
    expect(received[0]?.body).toMatchObject({
      admin_graphql_api_id: id,
      status: 'completed',
      error_code: null,
      type: 'query',
    });
  });
});

describe('OAuth-installed apps and uninstall', () => {
  it('signs with the app’s client secret, and app/uninstalled revokes the token and subscriptions', async () => {
    sim.registerApp({ clientId: 'hook-app', clientSecret: 'hook-app-secret' });
    const shop = sim.addShop({ domain: 'hooks-oauth.myshopify.com', products: 3, apiSecret: 'custom-secret' });
    const auth = await fetch(
      `${sim.origin}/admin/oauth/authorize?shop=${shop.domain}&client_id=hook-app&scope=read_products,read_inventory&redirect_uri=https://x.test/cb&state=s`,
      { redirect: 'manual' },
    );
    const code = new URL(auth.headers.get('location') as string).searchParams.get('code');
    const tokenRes = await fetch(`${sim.origin}/admin/oauth/access_token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Shopify-Shop-Domain': shop.domain },
      body: JSON.stringify({ client_id: 'hook-app', client_secret: 'hook-app-secret', code }),
    });
    const { access_token: token } = (await tokenRes.json()) as { access_token: string };
    await subscribe(shop, token);

    shop.updateProduct(shop.catalog()[0]?.id as string, { title: 'For the app' });
    await sim.idle();
    expect(received).toHaveLength(1);
    expect(verify(received[0]?.raw as Buffer, received[0]?.headers['x-shopify-hmac-sha256'], 'hook-app-secret')).toBe(
      true,
    );

    received = [];
    sim.uninstall(shop.domain, { clientId: 'hook-app' });
    await sim.idle();
    expect(received.map((r) => r.headers['x-shopify-topic'])).toEqual(['app/uninstalled']);
    expect(received[0]?.body).toMatchObject({ myshopify_domain: shop.domain, domain: shop.domain });
    expect(verify(received[0]?.raw as Buffer, received[0]?.headers['x-shopify-hmac-sha256'], 'hook-app-secret')).toBe(
      true,
    );
    const after = await adminRequest(sim.origin, { domain: shop.domain, token }, ops.ConnectionTest as string);
    expect(after.status).toBe(401);
    // The shop's own app is still installed and unaffected.
    expect((await adminClient(sim.origin, shop)(ops.ConnectionTest as string)).status).toBe(200);

    received = [];
    shop.updateProduct(shop.catalog()[0]?.id as string, { title: 'Nobody listens' });
    await sim.idle();
    expect(received).toEqual([]);
  });
});
