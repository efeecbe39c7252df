import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ShopifySim, startShopifySim } from './index.ts';
import { loadOperations } from './operations.ts';
import { adminClient } from './testing.ts';
import { LeakyBucket, RESTORE_RATES } from './throttle.ts';

const ops = loadOperations();

describe('LeakyBucket', () => {
  it('starts full at 20× the restore rate, refills over time and never overflows', () => {
    let t = 0;
    const b = new LeakyBucket(RESTORE_RATES.standard, () => t);
    expect(b.status()).toEqual({ maximumAvailable: 2000, currentlyAvailable: 2000, restoreRate: 100 });
    expect(b.take(1500)).toBe(true);
    expect(b.take(600)).toBe(false);
    expect(b.status().currentlyAvailable).toBe(500);
    t += 1000;
    expect(b.status().currentlyAvailable).toBe(600);
    expect(b.take(600)).toBe(true);
    b.refund(250);
    expect(b.status().currentlyAvailable).toBe(250);
    t += 60_000;
    expect(b.status().currentlyAvailable).toBe(2000);
  });

  it('has the per-plan restore rates', () => {
    expect(RESTORE_RATES).toEqual({ standard: 100, advanced: 200, plus: 1000, enterprise: 2000 });
  });
});

describe('throttling over HTTP', () => {
  let sim: ShopifySim;
  beforeAll(async () => {
    sim = await startShopifySim({ seed: 1 });
  });
  afterAll(() => sim.close());

  it('drains the bucket, answers THROTTLED with HTTP 200, then succeeds after the computed wait', async () => {
    const shop = sim.addShop({ domain: 'throttle.myshopify.com', products: 600, plan: 'standard' });
    const gql = adminClient(sim.origin, shop);
    // ProductIds really returns 250 ids, so each call keeps all 252 points.
    let last: Awaited<ReturnType<typeof gql>> | undefined;
    let calls = 0;
    let available = 2000;
    while (calls < 20) {
      last = await gql(ops.ProductIds as string, { after: null });
      calls++;
      if (last.body.errors) break;
      expect(last.body.extensions.cost.actualQueryCost).toBe(252);
      const now = last.body.extensions.cost.throttleStatus.currentlyAvailable;
      expect(now).toBeLessThan(available);
      available = now;
    }
    expect(calls).toBeGreaterThanOrEqual(8);
    expect(last?.status).toBe(200);
    expect(last?.body.errors[0].extensions.code).toBe('THROTTLED');
    expect(last?.body.data).toBeUndefined();
    const cost = last?.body.extensions.cost;
    expect(cost.requestedQueryCost).toBe(252);
    expect(cost.actualQueryCost).toBeNull();
    expect(cost.throttleStatus).toMatchObject({ maximumAvailable: 2000, restoreRate: 100 });
    expect(cost.throttleStatus.currentlyAvailable).toBeLessThan(252);

    // A cheap query still fits while the expensive one doesn't. Pin the level first: on a loaded
    // machine the draining loop above can end anywhere below 252, including below 5.
    shop.setThrottle({ currentlyAvailable: 100 });
    expect((await gql(ops.ProductIds as string, { after: null })).body.errors[0].extensions.code).toBe('THROTTLED');
    const cheap = await gql(ops.ConnectionTest as string);
    expect(cheap.body.errors).toBeUndefined();

    const status = cheap.body.extensions.cost.throttleStatus;
    const waitMs = ((252 - status.currentlyAvailable) / status.restoreRate) * 1000 + 50;
    await new Promise((r) => setTimeout(r, waitMs));
    const again = await gql(ops.ProductIds as string, { after: null });
    expect(again.body.errors).toBeUndefined();
    expect(again.body.data.products.nodes).toHaveLength(250);
    expect(shop.stats().throttled).toBe(2);
  });

  it('refunds the unused part of the requested cost', async () => {
    const shop = sim.addShop({ domain: 'refund.myshopify.com', products: 2 });
    const gql = adminClient(sim.origin, shop);
    const r = await gql(ops.ProductIds as string, { after: null });
    expect(r.body.extensions.cost).toMatchObject({ requestedQueryCost: 252, actualQueryCost: 4 });
    expect(r.body.extensions.cost.throttleStatus.currentlyAvailable).toBeGreaterThanOrEqual(1996);
    expect(shop.stats().pointsUsed).toBe(4);
  });

  it('refuses queries over 1000 points with MAX_COST_EXCEEDED without charging', async () => {
    const shop = sim.addShop({ domain: 'maxcost.myshopify.com', products: 5 });
    const gql = adminClient(sim.origin, shop);
    const r = await gql(ops.ProductsPage as string, {
      first: 10,
      variantsFirst: 10,
      mediaFirst: 5,
      withInventory: true,
      levelsFirst: 5,
      quantityNames: ['available'],
    });
    expect(r.status).toBe(200);
    expect(r.body.data).toBeUndefined();
    expect(r.body.errors[0].extensions).toMatchObject({ code: 'MAX_COST_EXCEEDED', cost: 2162, maxCost: 1000 });
    expect(r.body.extensions.cost.requestedQueryCost).toBe(2162);
    expect(r.body.extensions.cost.throttleStatus.currentlyAvailable).toBe(2000);
    expect(shop.stats().maxCostExceeded).toBe(1);
  });

  it('keeps a separate bucket per shop and lets tests set the level', async () => {
    const a = sim.addShop({ domain: 'bucket-a.myshopify.com', products: 1 });
    const b = sim.addShop({ domain: 'bucket-b.myshopify.com', products: 1, plan: 'advanced' });
    a.setThrottle({ currentlyAvailable: 3, restoreRate: 1 });
    const ra = await adminClient(sim.origin, a)(ops.ConnectionTest as string);
    const rb = await adminClient(sim.origin, b)(ops.ConnectionTest as string);
    expect(ra.body.errors[0].extensions.code).toBe('THROTTLED');
    expect(rb.body.errors).toBeUndefined();
    expect(rb.body.extensions.cost.throttleStatus).toMatchObject({ maximumAvailable: 4000, restoreRate: 200 });
  });
});
