import { randomUUID } from 'node:crypto';
import { type ShopHandle, type ShopifySim, signWebhook, startShopifySim } from '@invpro/shopify-sim';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { PgBoss } from 'pg-boss';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../app.ts';
import { freePort } from '../../db/embedded.ts';
import { startBoss } from '../../jobs/boss.ts';
import { createTestApp, json, registerUser, type TestApp } from '../../test/app.ts';
import { testConfig } from '../../test/config.ts';
import { registerShopifyWebhookJobs } from '../shopify/webhooks.job.ts';
import { copyDifferences, makeEdits } from './catalog.testing.ts';
import { registerCatalogJobs } from './sync.job.ts';
import { executeRun } from './sync.service.ts';
import { applyCatalogWebhooks } from './webhook-apply.ts';

// Webhooks keep the copy equal to the store within seconds; duplicates, replays, out-of-order
// deliveries and bodies signed for another store never make it older or wrong; a burst of a
// thousand edits costs a handful of Shopify calls.

let sim: ShopifySim;
let t: TestApp;
let owner: Awaited<ReturnType<typeof registerUser>>;
let other: Awaited<ReturnType<typeof registerUser>>;

beforeAll(async () => {
  sim = await startShopifySim({ seed: 21, webhookRetryDelaysMs: [200, 1000, 3000], webhookTimeoutMs: 30_000 });
  const port = await freePort();
  t = await createTestApp({ SHOPIFY_API_ORIGIN: sim.origin, SHOPIFY_WEBHOOK_BASE_URL: `http://127.0.0.1:${port}` });
  await t.app.listen({ host: '127.0.0.1', port });
  owner = await registerUser(t.app);
  other = await registerUser(t.app);
});
afterAll(async () => {
  await t?.close();
  await sim?.close();
});

let shops = 0;
/** A store connected (webhooks registered) and fully synced. */
async function syncedStore(products: number, by = owner, app: FastifyInstance = t.app) {
  const domain = `hints-${process.pid}-${++shops}.myshopify.com`;
  const shop = sim.addShop({ domain, products, locations: 3, plan: 'plus' });
  const res = await app.inject({
    method: 'POST',
    url: '/api/shopify/connect/',
    headers: by.auth,
    payload: { store_url: domain, api_key: shop.apiKey, api_secret: shop.apiSecret, access_token: shop.accessToken },
  });
  expect(json(res).webhooks.state).toBe('registered');
  const id = json(res).id as string;
  const sync = await app.inject({
    method: 'POST',
    url: '/api/shopify/sync/',
    headers: by.auth,
    payload: { store: id, mode: 'paginated' },
  });
  expect(await executeRun(t.app.shopify, { orgId: by.user.organization.id, runId: json(sync).id })).toBe('succeeded');
  return { shop, id, scope: { orgId: by.user.organization.id, connectionId: id } };
}

const deliveriesOf = (shop: ShopHandle, topic?: string) => shop.deliveries().filter((d) => !topic || d.topic === topic);

async function redeliver(shop: ShopHandle, body: string, topic: string, domain = shop.domain, secret = shop.apiSecret) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/shopify/webhook/',
    headers: {
      'content-type': 'application/json',
      'x-shopify-topic': topic,
      'x-shopify-shop-domain': domain,
      'x-shopify-event-id': randomUUID(),
      'x-shopify-webhook-id': randomUUID(),
      'x-shopify-triggered-at': new Date().toISOString(),
      'x-shopify-hmac-sha256': signWebhook(secret, body),
    },
    payload: body,
  });
  expect(res.statusCode, res.body).toBe(200);
}

describe('catalog webhooks', () => {
  it('edits, creations, deletions and stock moves arrive; duplicates change nothing', async () => {
    const { shop, scope } = await syncedStore(40);
    const [a, b, c] = shop.catalog({ limit: 3 });
    shop.updateProduct(a!.id, { title: 'Edited in Shopify', tags: ['x'] }, { duplicate: true });
    shop.updateProduct(b!.id, { variants: [{ id: b!.variants[0]!.id, price: '9.99' }] });
    shop.deleteProduct(c!.id, { duplicate: true });
    shop.createProduct({ title: 'Created in Shopify', variants: 2 });
    const level = a!.variants[0]!.inventoryItem.inventoryLevels[0]!;
    shop.setInventory({
      inventoryItemId: a!.variants[0]!.inventoryItem.id,
      locationId: level.location.id,
      quantity: 4242,
      duplicate: true,
    });
    await sim.idle();
    const report = await applyCatalogWebhooks(t.app.shopify, scope);
    expect(report.events).toBeGreaterThanOrEqual(5);
    // The edit of a held product came from its payload; the rest were read back, in few calls.
    expect(report.appliedFromPayload).toBeGreaterThanOrEqual(1);
    expect(report.shopifyCalls).toBeLessThanOrEqual(4);
    expect(await copyDifferences(t.database.db, scope, shop)).toEqual([]);
    // Nothing is left pending, and applying again changes nothing.
    expect((await applyCatalogWebhooks(t.app.shopify, scope)).events).toBe(0);
  });

  it('a replayed older payload, delivered after a newer one, never makes the copy older', async () => {
    const { shop, scope } = await syncedStore(10);
    const [p] = shop.catalog({ limit: 1 });
    shop.updateProduct(p!.id, { title: 'First' });
    await sim.idle();
    const first = deliveriesOf(shop, 'products/update').at(-1)!.body;
    await new Promise((r) => setTimeout(r, 1100)); // Shopify's timestamps have whole seconds
    shop.updateProduct(p!.id, { title: 'Second' });
    await sim.idle();
    await applyCatalogWebhooks(t.app.shopify, scope);
    // The first edit again, as a retry arriving late.
    await redeliver(shop, first, 'products/update');
    const report = await applyCatalogWebhooks(t.app.shopify, scope);
    expect(report).toMatchObject({ events: 1, ignored: 1, shopifyCalls: 0 });
    const [row] = (await t.database.db.execute(sql`select title from catalog_products where shopify_gid = ${p!.id}`))
      .rows;
    expect(row).toEqual({ title: 'Second' });
    expect(await copyDifferences(t.database.db, scope, shop)).toEqual([]);
  });

  it('a body signed for another store, replayed with this store’s headers, changes nothing', async () => {
    const victim = await syncedStore(10);
    const attacker = await syncedStore(10, other);
    // Both stores now share our app's secret (OAuth installs), so the attacker's body verifies.
    const secret = 'shared-app-secret-for-both-oauth-stores-0123456789';
    t.app.shopify.config.shopify.apiSecret = secret;
    for (const c of [victim, attacker]) {
      await t.database.db.execute(sql`update shopify_connections set auth_method = 'oauth' where id = ${c.id}`);
    }
    const [mine] = attacker.shop.catalog({ limit: 1 });
    attacker.shop.updateProduct(mine!.id, { title: 'Attacker edit' });
    attacker.shop.deleteProduct(attacker.shop.catalog({ limit: 2 })[1]!.id);
    await sim.idle();
    const before = await copyDifferences(t.database.db, victim.scope, victim.shop);
    expect(before).toEqual([]);
    for (const d of deliveriesOf(attacker.shop)) {
      await redeliver(victim.shop, d.body, d.topic, victim.shop.domain, secret);
    }
    const report = await applyCatalogWebhooks(t.app.shopify, victim.scope);
    expect(report.events).toBeGreaterThanOrEqual(2);
    expect(report.deleted).toBe(0);
    expect(await copyDifferences(t.database.db, victim.scope, victim.shop)).toEqual([]);
    const foreign = await t.database.db.execute(
      sql`select count(*)::int as n from catalog_products where connection_id = ${victim.id} and title = 'Attacker edit'`,
    );
    expect(foreign.rows[0]).toEqual({ n: 0 });
    t.app.shopify.config.shopify.apiSecret = undefined;
  });

  it('a burst of 1,000 edits is applied in one batch and a handful of calls', async () => {
    const { shop, scope } = await syncedStore(200);
    makeEdits(shop, 1000);
    for (let i = 0; i < 5; i++) shop.createProduct({ title: `Burst new ${i}`, variants: 1 });
    await sim.idle();
    expect(shop.stats().webhooksFailed).toBe(0);
    const report = await applyCatalogWebhooks(t.app.shopify, scope);
    expect(report.events).toBeGreaterThanOrEqual(1000);
    // Product edits come from payloads, except where one second held two of them (Shopify's
    // timestamps have whole seconds); those, the new products and the stock are read back in batches.
    expect(report.shopifyCalls).toBeLessThanOrEqual(30);
    expect(await copyDifferences(t.database.db, scope, shop)).toEqual([]);
    console.log(`burst: ${report.events} deliveries applied with ${report.shopifyCalls} Shopify calls`);
  }, 60_000);
});

describe('catalog webhooks through the worker', () => {
  let boss: PgBoss;
  let queued: FastifyInstance;
  beforeAll(async () => {
    boss = await startBoss(t.database.url);
    // An API whose webhooks queue jobs, and a worker running them, as in production.
    const port = await freePort();
    const config = testConfig({ SHOPIFY_API_ORIGIN: sim.origin, SHOPIFY_WEBHOOK_BASE_URL: `http://127.0.0.1:${port}` });
    queued = await buildApp({
      config,
      db: t.database.db,
      logger: pino({ level: 'silent' }),
      boss,
      shopifyClient: t.app.shopify.client,
    });
    await queued.listen({ host: '127.0.0.1', port });
    await registerShopifyWebhookJobs(boss, queued.shopify);
    await registerCatalogJobs(boss, queued.shopify);
  });
  afterAll(async () => {
    await queued?.close();
    await boss?.stop({ graceful: false, timeout: 5000 });
  });

  it('an edit made in Shopify is in the copy within seconds', async () => {
    const { shop, scope } = await syncedStore(20, owner, queued);
    const [p] = shop.catalog({ limit: 1 });
    const started = Date.now();
    shop.updateProduct(p!.id, { title: 'Seen within seconds' });
    const deadline = Date.now() + 15_000;
    let title = '';
    while (Date.now() < deadline && title !== 'Seen within seconds') {
      await new Promise((r) => setTimeout(r, 50));
      const [row] = (
        await t.database.db.execute(
          sql`select title from catalog_products where shopify_gid = ${p!.id} and connection_id = ${scope.connectionId}`,
        )
      ).rows as { title: string }[];
      title = row?.title ?? '';
    }
    expect(title).toBe('Seen within seconds');
    console.log(`edit to copy: ${Date.now() - started} ms`);
  }, 60_000);
});
