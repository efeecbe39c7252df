import { type ShopifySim, startShopifySim } from '@invpro/shopify-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobMetrics } from '../../observability/metrics.ts';
import { createTestApp, json, registerUser, type TestApp } from '../../test/app.ts';
import { executeRunObserved } from './sync.job.ts';

let sim: ShopifySim;
let t: TestApp;

beforeAll(async () => {
  sim = await startShopifySim({ seed: 5 });
  t = await createTestApp({ SHOPIFY_API_ORIGIN: sim.origin });
});
afterAll(async () => {
  await t?.close();
  await sim?.close();
});

const totalOf = async (
  metric: { get(): Promise<{ values: { metricName?: string; value: number; labels: object }[] }> },
  name?: string,
  labels: Record<string, string> = {},
) =>
  (await metric.get()).values
    .filter((v) => (name ? v.metricName === name : true))
    .filter((v) => Object.entries(labels).every(([k, want]) => (v.labels as Record<string, unknown>)[k] === want))
    .reduce((n, v) => n + v.value, 0);

describe('sync metrics', () => {
  it("a worker's run adds its Shopify points and throttle wait, and its duration by mode and outcome", async () => {
    const owner = await registerUser(t.app);
    const domain = `metrics-${process.pid}.myshopify.com`;
    const shop = sim.addShop({ domain, products: 30, locations: 2, plan: 'plus' });
    const connected = await t.app.inject({
      method: 'POST',
      url: '/api/shopify/connect/',
      headers: owner.auth,
      payload: { store_url: domain, api_key: shop.apiKey, api_secret: shop.apiSecret, access_token: shop.accessToken },
    });
    expect(connected.statusCode, connected.body).toBe(201);
    const requested = await t.app.inject({
      method: 'POST',
      url: '/api/shopify/sync/',
      headers: owner.auth,
      payload: { type: 'products', store: json(connected).id, mode: 'paginated' },
    });
    expect(requested.statusCode, requested.body).toBe(202);
    const runId = json(requested).id;

    const pointsBefore = await totalOf(jobMetrics.shopifyPoints);
    const durationsBefore = await totalOf(jobMetrics.syncDuration, 'invpro_sync_run_duration_seconds_count', {
      mode: 'paginated',
      outcome: 'succeeded',
    });
    const outcome = await executeRunObserved(t.app.shopify, { orgId: owner.user.organization.id, runId }, {});
    expect(outcome).toBe('succeeded');

    const run = json(
      await t.app.inject({ method: 'GET', url: `/api/shopify/sync/runs/${runId}/`, headers: owner.auth }),
    );
    expect(run.points_used).toBeGreaterThan(0);
    expect((await totalOf(jobMetrics.shopifyPoints)) - pointsBefore).toBe(run.points_used);
    expect(
      await totalOf(jobMetrics.syncDuration, 'invpro_sync_run_duration_seconds_count', {
        mode: 'paginated',
        outcome: 'succeeded',
      }),
    ).toBe(durationsBefore + 1);

    // Executing a finished run again (a duplicate job) counts nothing twice.
    await executeRunObserved(t.app.shopify, { orgId: owner.user.organization.id, runId }, {});
    expect((await totalOf(jobMetrics.shopifyPoints)) - pointsBefore).toBe(run.points_used);
    expect(
      await totalOf(jobMetrics.syncDuration, 'invpro_sync_run_duration_seconds_count', { mode: 'paginated' }),
    ).toBe(durationsBefore + 1);
  });
});
