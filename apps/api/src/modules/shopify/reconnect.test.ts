// Connecting a store starts its first sync, and connecting a store that was uninstalled repairs that
// same connection (its id, its synced copy) instead of adding another. Runs with pg-boss queues, as
// the API does in production, and a worker for Shopify's webhooks (the uninstall); the sync runs
// themselves are executed here, so the test sees each one queued first.

import { type ShopifySim, startShopifySim } from '@invpro/shopify-sim';
import type { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../db/embedded.ts';
import { startBoss } from '../../jobs/boss.ts';
import { createTestApp, json, registerUser, type TestApp } from '../../test/app.ts';
import { executeRun } from '../catalog/sync.service.ts';
import { registerShopifyWebhookJobs } from './webhooks.job.ts';

let sim: ShopifySim;
let t: TestApp;
let boss: PgBoss;
let owner: Awaited<ReturnType<typeof registerUser>>;

beforeAll(async () => {
  sim = await startShopifySim({ seed: 19 });
  const port = await freePort();
  t = await createTestApp(
    { SHOPIFY_API_ORIGIN: sim.origin, SHOPIFY_WEBHOOK_BASE_URL: `http://127.0.0.1:${port}` },
    { boss: async (database) => (boss = await startBoss(database.url)) },
  );
  await t.app.listen({ host: '127.0.0.1', port });
  await registerShopifyWebhookJobs(boss, t.app.shopify);
  owner = await registerUser(t.app);
}, 60_000);
afterAll(async () => {
  // pg-boss first, while its database exists: behind PgBouncer its queries to a dropped database wait
  // in the pooler's queue instead of failing, and stop() waits for them.
  await boss?.stop({ graceful: false, timeout: 5000 });
  await t?.close();
  await sim?.close();
});

interface Run {
  id: string;
  state: string;
  scope: string;
  trigger: string;
}

const call = (method: 'GET' | 'POST', url: string, payload?: object) =>
  payload === undefined
    ? t.app.inject({ method, url, headers: owner.auth })
    : t.app.inject({ method, url, headers: owner.auth, payload });

const activeRuns = async (store: string): Promise<Run[]> =>
  json(await call('GET', `/api/shopify/sync/runs/?store=${store}&state=queued,running`)).results;

const productIds = async (store: string): Promise<string[]> =>
  json(await call('GET', `/api/shopify/products/?store=${store}&page_size=250`))
    .results.map((p: { id: string }) => p.id)
    .sort();

async function connectionOf(id: string) {
  return json(await call('GET', `/api/shopify/connections/${id}/`));
}

describe('connecting a store', () => {
  it('starts its first sync before answering, and reconnecting an uninstalled store repairs the same connection', async () => {
    const shop = sim.addShop({ domain: 'reconnect.myshopify.com', products: 4 });
    const creds = { store_url: shop.domain, api_key: shop.apiKey, api_secret: shop.apiSecret };
    const first = await call('POST', '/api/shopify/connect/', { ...creds, access_token: shop.accessToken });
    expect(first.statusCode, first.body).toBe(201);
    const id = json(first).id as string;

    // The run exists as soon as the connect answer does: the screen follows it at once.
    const [run] = await activeRuns(id);
    expect(run).toMatchObject({ state: 'queued', scope: 'full', trigger: 'manual' });
    expect(await executeRun(t.app.shopify, { orgId: owner.user.organization.id, runId: run!.id })).toBe('succeeded');
    const synced = await productIds(id);
    expect(synced).toHaveLength(4);

    // Shopify says the app was uninstalled; the worker processes it.
    shop.uninstall();
    await expect.poll(async () => (await connectionOf(id)).state, { timeout: 15_000 }).toBe('uninstalled');
    expect(await activeRuns(id)).toEqual([]);

    // A wrong token on the uninstalled store is refused and counted; nothing else changes.
    const refused = await call('POST', '/api/shopify/connect/', { ...creds, access_token: 'shpat_stale' });
    expect(refused.statusCode).toBe(400);
    expect(await connectionOf(id)).toMatchObject({ state: 'uninstalled', last_error: expect.any(String) });

    // Reinstalled in Shopify: the fresh token alone (the uninstall kept the secret) repairs the same
    // connection and clears its error. The stored secret only goes with the stored key.
    const token = shop.reinstall();
    const otherKey = await call('POST', '/api/shopify/connect/', {
      store_url: shop.domain,
      api_key: 'another-apps-key',
      access_token: token,
    });
    expect(otherKey.statusCode).toBe(400);
    expect(json(otherKey).errors.api_secret).toBeDefined();
    const again = await call('POST', '/api/shopify/connect/', {
      store_url: shop.domain,
      api_key: shop.apiKey,
      access_token: token,
    });
    expect(again.statusCode, again.body).toBe(201);
    expect(json(again)).toMatchObject({ id, state: 'connected', last_error: null, last_error_at: null });
    const status = json(await call('GET', '/api/shopify/status/'));
    expect(status.stores.map((s: { id: string }) => s.id)).toEqual([id]);
    expect(await productIds(id)).toEqual(synced);

    // Webhooks may have been missed while it was uninstalled: the new run reads the whole catalog.
    const [rerun] = await activeRuns(id);
    expect(rerun).toMatchObject({ state: 'queued', scope: 'full' });
    expect(rerun!.id).not.toBe(run!.id);
    expect(await executeRun(t.app.shopify, { orgId: owner.user.organization.id, runId: rerun!.id })).toBe('succeeded');
    expect(await productIds(id)).toEqual(synced);
    expect((await connectionOf(id)).webhooks.state).toBe('registered');
  }, 60_000);

  it('disconnecting keeps the synced products browsable, or deletes them, as chosen', async () => {
    const shop = sim.addShop({ domain: 'keep-or-delete.myshopify.com', products: 3 });
    const connected = await call('POST', '/api/shopify/connect/', {
      store_url: shop.domain,
      api_key: shop.apiKey,
      api_secret: shop.apiSecret,
      access_token: shop.accessToken,
    });
    const id = json(connected).id as string;
    const [run] = await activeRuns(id);
    expect(await executeRun(t.app.shopify, { orgId: owner.user.organization.id, runId: run!.id })).toBe('succeeded');
    const ids = await productIds(id);
    expect(ids).toHaveLength(3);

    const keep = await call('POST', `/api/shopify/connections/${id}/disconnect/`, { delete_data: false });
    expect(json(keep).state).toBe('disconnected');
    expect(await productIds(id)).toEqual(ids);
    expect((await call('GET', `/api/shopify/products/${ids[0]}/`)).statusCode).toBe(200);

    // A disconnect drops the secret: connecting again needs it.
    const noSecret = await call('POST', '/api/shopify/connect/', {
      store_url: shop.domain,
      api_key: shop.apiKey,
      access_token: shop.accessToken,
    });
    expect(noSecret.statusCode).toBe(400);
    expect(json(noSecret).detail).toMatch(/No API secret is stored/);
    expect(json(await call('GET', `/api/shopify/connections/${id}/`)).state).toBe('disconnected');

    const remove = await call('POST', `/api/shopify/connections/${id}/disconnect/`, { delete_data: true });
    expect(remove.statusCode).toBe(204);
    expect(await productIds(id)).toEqual([]);
    expect((await call('GET', `/api/shopify/products/${ids[0]}/`)).statusCode).toBe(404);
  }, 60_000);
});
