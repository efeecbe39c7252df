import { type ShopHandle, type ShopifySim, startShopifySim } from '@invpro/shopify-sim';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, json, registerUser, type TestApp } from '../../test/app.ts';
import { copyDifferences } from './catalog.testing.ts';
import { CatalogReader } from './shopify-reads.ts';
import { executeRun } from './sync.service.ts';

let sim: ShopifySim;
let t: TestApp;
let owner: Awaited<ReturnType<typeof registerUser>>;

beforeAll(async () => {
  sim = await startShopifySim({ seed: 3 });
  t = await createTestApp({ SHOPIFY_API_ORIGIN: sim.origin });
  owner = await registerUser(t.app);
});
afterAll(async () => {
  await t?.close();
  await sim?.close();
});

let shops = 0;
async function connect(
  products: number,
  plan: 'standard' | 'plus' = 'plus',
): Promise<{ shop: ShopHandle; id: string }> {
  const domain = `sync-${process.pid}-${++shops}.myshopify.com`;
  const shop = sim.addShop({ domain, products, locations: 3, plan });
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/shopify/connect/',
    headers: owner.auth,
    payload: { store_url: domain, api_key: shop.apiKey, api_secret: shop.apiSecret, access_token: shop.accessToken },
  });
  expect(res.statusCode, res.body).toBe(201);
  return { shop, id: json(res).id };
}

/** Ask the API for a run, then execute it as the worker would. */
async function sync(store: string, body: Record<string, unknown> = {}) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/shopify/sync/',
    headers: owner.auth,
    payload: { type: 'products', store, ...body },
  });
  expect(res.statusCode, res.body).toBe(202);
  const run = json(res);
  const outcome = await executeRun(t.app.shopify, { orgId: owner.user.organization.id, runId: run.id });
  const after = json(
    await t.app.inject({ method: 'GET', url: `/api/shopify/sync/runs/${run.id}/`, headers: owner.auth }),
  );
  return { outcome, run: after };
}

const scopeOf = (connectionId: string) => ({ orgId: owner.user.organization.id, connectionId });

describe('product sync against the simulator', () => {
  it('a full paginated sync makes the copy equal the store, field by field', async () => {
    const { shop, id } = await connect(120);
    const { outcome, run } = await sync(id, { mode: 'paginated' });
    expect(outcome).toBe('succeeded');
    expect(run).toMatchObject({ state: 'succeeded', scope: 'full', path: 'paginated', phase: 'finished' });
    expect(run.counts.products).toEqual({ created: 120, updated: 0, unchanged: 0, deleted: 0 });
    expect(run.counts.variants.created).toBe(shop.catalog().reduce((n, p) => n + p.variants.length, 0));
    expect(run.points_used).toBeGreaterThan(0);
    expect(await copyDifferences(t.database.db, scopeOf(id), shop)).toEqual([]);

    // Edits, a deletion, a new product and stock moves; then the default (incremental) run.
    const [a, b, c] = shop.catalog({ limit: 3 });
    shop.updateProduct(a!.id, { title: 'Renamed in Shopify', tags: ['changed'] });
    shop.updateProduct(b!.id, { variants: [{ id: b!.variants[0]!.id, price: '1.23', sku: 'NEW-SKU' }] });
    shop.deleteProduct(c!.id);
    const created = shop.createProduct({ title: 'Brand new', variants: 3 });
    const level = a!.variants[0]!.inventoryItem.inventoryLevels[0]!;
    shop.setInventory({
      inventoryItemId: a!.variants[0]!.inventoryItem.id,
      locationId: level.location.id,
      quantity: 777,
    });
    const second = await sync(id);
    expect(second.run).toMatchObject({ state: 'succeeded', scope: 'incremental' });
    // The deletion is not seen by an incremental run (no webhook here): only the deleted product
    // and its variants and stock differ, until a full run reconciles them.
    const ofDeleted = [c!.id, ...c!.media.map((m) => m.id), ...c!.variants.flatMap((v) => [v.id, v.inventoryItem.id])];
    const diffs = await copyDifferences(t.database.db, scopeOf(id), shop, 500);
    expect(diffs.length).toBeGreaterThan(0);
    expect(diffs.filter((d) => !ofDeleted.some((gid) => d.includes(`${gid}:`) || d.includes(`${gid}|`)))).toEqual([]);
    expect(second.run.counts.products.created).toBe(1);
    expect(second.run.counts.products.updated).toBeGreaterThanOrEqual(2);
    expect(created.id).toBeTruthy();

    const third = await sync(id, { scope: 'full' });
    expect(third.run.counts.products.deleted).toBe(1);
    expect(await copyDifferences(t.database.db, scopeOf(id), shop)).toEqual([]);
    // The store's status tells the sync's story.
    const status = json(await t.app.inject({ method: 'GET', url: '/api/shopify/status/', headers: owner.auth }));
    const store = status.stores.find((s: { id: string }) => s.id === id);
    expect(store.sync).toMatchObject({
      last_run: { id: third.run.id, state: 'succeeded' },
      product_count: shop.catalog().length,
      variant_count: shop.catalog().reduce((n, p) => n + p.variants.length, 0),
      interval_seconds: 3600,
      full_every_hours: 24,
    });
    expect(new Date(store.sync.fresh_at).getTime()).toBe(new Date(third.run.started_at).getTime());
    expect(store.sync.last_full_sync_at).toBe(store.sync.fresh_at);
    expect(store.sync.products_watermark).not.toBeNull();
    expect(store.sync.levels_watermark).not.toBeNull();

    const [deleted] = (
      await t.database.db.execute(sql`select deleted_at from catalog_products where shopify_gid = ${c!.id}`)
    ).rows as { deleted_at: string | null }[];
    expect(deleted!.deleted_at).not.toBeNull();
  }, 120_000);

  // 500 products: enough that the derived fields' join, planned on the statistics of tables that
  // were empty a moment ago, ran for minutes (the finishing step now refreshes them first).
  it('a full bulk sync makes the copy equal the store too', async () => {
    const { shop, id } = await connect(500);
    const { outcome, run } = await sync(id, { mode: 'bulk' });
    expect(outcome, JSON.stringify(run.errors)).toBe('succeeded');
    expect(run).toMatchObject({ path: 'bulk', state: 'succeeded' });
    expect(run.counts.products.created).toBe(500);
    expect(await copyDifferences(t.database.db, scopeOf(id), shop)).toEqual([]);
    // A first import keeps no record of what it saw: there was nothing to reconcile.
    const seen = await t.database.db.execute(sql`select count(*)::int as n from sync_seen where run_id = ${run.id}`);
    expect(seen.rows[0]).toEqual({ n: 0 });
    // Again, nothing changed: every row unchanged, nothing deleted.
    const again = await sync(id, { mode: 'bulk', scope: 'full' });
    expect(again.run.counts.products).toEqual({ created: 0, updated: 0, unchanged: 500, deleted: 0 });
    expect(await copyDifferences(t.database.db, scopeOf(id), shop)).toEqual([]);
    // The next full export reconciles: a deleted product and a removed variant are gone from the copy.
    const [gone, trimmed] = shop.catalog().filter((p) => p.variants.length >= 2);
    shop.deleteProduct(gone!.id);
    shop.updateProduct(trimmed!.id, { removeVariants: [trimmed!.variants[0]!.id] });
    const third = await sync(id, { mode: 'bulk', scope: 'full' });
    expect(third.run.counts.products.deleted).toBe(1);
    expect(third.run.counts.variants.deleted).toBeGreaterThanOrEqual(1);
    expect(await copyDifferences(t.database.db, scopeOf(id), shop)).toEqual([]);
  }, 120_000);

  it('plans with exact counts, beyond the 10,000 at which Shopify stops counting by default', async () => {
    const { shop, id } = await connect(1_300);
    const reader = new CatalogReader({
      ctx: t.app.shopify,
      orgId: owner.user.organization.id,
      connectionId: id,
      shop: shop.domain,
    });
    const variants = shop.catalog().reduce((n, p) => n + p.variants.length, 0);
    expect(variants).toBeGreaterThan(10_000);
    expect(await reader.counts(null)).toEqual({ products: 1_300, variants });
  });

  it('auto pages a small catalog that fits the bucket, and says why', async () => {
    const { id } = await connect(30);
    const { run } = await sync(id);
    expect(run.path).toBe('paginated');
    expect(run.path_reason).toMatch(/30 products/);
  });

  it('a store’s schedule: owners set it, members may not, bad values are named; the scheduled sync queues the next', async () => {
    const { id } = await connect(5);
    const patch = (payload: Record<string, unknown>, headers = owner.auth) =>
      t.app.inject({ method: 'PATCH', url: `/api/shopify/sync/schedule/${id}/`, headers, payload });
    const ok = await patch({ interval_seconds: 900, full_every_hours: 6 });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(json(ok)).toMatchObject({ interval_seconds: 900, full_every_hours: 6 });
    expect(new Date(json(ok).next_sync_at).getTime()).toBeGreaterThan(Date.now() + 800_000);
    const bad = await patch({ interval_seconds: 5 });
    expect(bad.statusCode).toBe(400);
    expect(json(bad).detail).toMatch(/interval_seconds/);
    const member = await registerUser(t.app);
    const other = await t.app.inject({
      method: 'PATCH',
      url: `/api/shopify/sync/schedule/${id}/`,
      headers: member.auth,
      payload: { interval_seconds: 60 },
    });
    expect(other.statusCode).toBe(404);

    const { runScheduledSync } = await import('./sync.job.ts');
    const scheduled = await runScheduledSync(t.app.shopify, { orgId: owner.user.organization.id, connectionId: id });
    expect(scheduled.started).toBeTruthy();
    const run = json(
      await t.app.inject({ method: 'GET', url: `/api/shopify/sync/runs/${scheduled.started}/`, headers: owner.auth }),
    );
    expect(run).toMatchObject({ trigger: 'schedule', scope: 'full', state: 'queued' });
    expect(new Date(scheduled.next!).getTime() - Date.now()).toBeGreaterThan(890_000);
  });

  it('streams a run’s progress as server-sent events until it ends', async () => {
    const { id } = await connect(60);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/shopify/sync/',
      headers: owner.auth,
      payload: { store: id, mode: 'paginated' },
    });
    const runId = json(res).id as string;
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const address = t.app.server.address() as { port: number };
    const stream = await fetch(`http://127.0.0.1:${address.port}/api/shopify/sync/runs/${runId}/events/`, {
      headers: owner.auth,
    });
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    const reading = stream.text();
    expect(await executeRun(t.app.shopify, { orgId: owner.user.organization.id, runId })).toBe('succeeded');
    const events = (await reading)
      .split('\n\n')
      .filter((e) => e.startsWith('event:'))
      .map((e) => ({ event: e.split('\n')[0]!.slice(7), data: JSON.parse(e.split('\n')[1]!.slice(6)) }));
    expect(events.at(-1)).toMatchObject({ event: 'end', data: { id: runId, state: 'succeeded' } });
    const phases = new Set(events.map((e) => e.data.phase));
    expect(phases.has('finished')).toBe(true);
    expect(events.every((e) => e.event === 'end' || typeof e.data.rate === 'number')).toBe(true);
  });

  it('one run per store at a time: a second request answers the active run with 200', async () => {
    const { id } = await connect(5);
    const first = await t.app.inject({
      method: 'POST',
      url: '/api/shopify/sync/',
      headers: owner.auth,
      payload: { store: id },
    });
    const second = await t.app.inject({
      method: 'POST',
      url: '/api/shopify/sync/',
      headers: owner.auth,
      payload: { store: id },
    });
    expect(first.statusCode).toBe(202);
    expect(second.statusCode).toBe(200);
    expect(json(second).id).toBe(json(first).id);
    const cancel = await t.app.inject({
      method: 'POST',
      url: `/api/shopify/sync/runs/${json(first).id}/cancel/`,
      headers: owner.auth,
    });
    expect(json(cancel).state).toBe('cancelled');
  });
});
