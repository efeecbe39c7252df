import { type ShopifySim, startShopifySim } from '@invpro/shopify-sim';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, json, registerUser, type TestApp } from '../../test/app.ts';
import { copyDifferences } from './catalog.testing.ts';
import { executeRun } from './sync.service.ts';

// Two organizations, two stores each, all four syncing at once (bulk and paginated mixed): each
// copy equals its own store, and no organization sees a row of another's.

let sim: ShopifySim;
let t: TestApp;

beforeAll(async () => {
  sim = await startShopifySim({ seed: 33 });
  t = await createTestApp({ SHOPIFY_API_ORIGIN: sim.origin });
});
afterAll(async () => {
  await t?.close();
  await sim?.close();
});

describe('syncs of several organizations at once', () => {
  it('each organization’s copy equals its own stores, and sees nothing of the other’s', async () => {
    const orgs = await Promise.all([registerUser(t.app), registerUser(t.app)]);
    const stores: { org: (typeof orgs)[number]; shop: ReturnType<ShopifySim['addShop']>; id: string }[] = [];
    for (const [o, org] of orgs.entries()) {
      for (const n of [1, 2]) {
        const domain = `tenancy-${o}-${n}-${process.pid}.myshopify.com`;
        const shop = sim.addShop({ domain, products: 40 + 10 * n, locations: 2, plan: 'plus' });
        const res = await t.app.inject({
          method: 'POST',
          url: '/api/shopify/connect/',
          headers: org.auth,
          payload: {
            store_url: domain,
            api_key: shop.apiKey,
            api_secret: shop.apiSecret,
            access_token: shop.accessToken,
          },
        });
        stores.push({ org, shop, id: json(res).id });
      }
    }
    // One request per organization: a run for each of its stores.
    const runs = await Promise.all(
      orgs.map(async (org, o) => {
        const res = await t.app.inject({
          method: 'POST',
          url: '/api/shopify/sync/',
          headers: org.auth,
          payload: { mode: o === 0 ? 'bulk' : 'paginated' },
        });
        expect(res.statusCode, res.body).toBe(202);
        return (json(res).runs as { id: string }[]).map((r) => ({ org, runId: r.id }));
      }),
    );
    const outcomes = await Promise.all(
      runs.flat().map(({ org, runId }) => executeRun(t.app.shopify, { orgId: org.user.organization.id, runId })),
    );
    expect(outcomes).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    for (const s of stores) {
      expect(
        await copyDifferences(t.database.db, { orgId: s.org.user.organization.id, connectionId: s.id }, s.shop),
      ).toEqual([]);
    }
    // Every catalog row sits in its store's organization.
    const misplaced = await t.database.db.execute(sql`
      select count(*)::int as n from catalog_products p
      join shopify_connections c on c.id = p.connection_id where c.org_id <> p.org_id`);
    expect(misplaced.rows[0]).toEqual({ n: 0 });
    // Through the API, each organization's runs name only its own stores.
    for (const org of orgs) {
      const list = json(await t.app.inject({ method: 'GET', url: '/api/shopify/sync/runs/', headers: org.auth }));
      const own = stores.filter((s) => s.org === org).map((s) => s.id);
      expect(list.results.map((r: { store: string }) => r.store).sort()).toEqual(own.sort());
    }
  }, 120_000);
});
