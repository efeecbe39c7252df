import type { AddressInfo } from 'node:net';
import type { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUES, startBoss } from '../jobs/boss.ts';
import { createTestApp, registerUser, type TestApp, testConfig } from '../test/app.ts';
import { observeJobs } from './jobs.ts';
import { createWorkerRegistry, jobMetrics, metricsAccess, startWorkerMetricsServer } from './metrics.ts';

/** The value of one sample line (`name{labels} value`) in a Prometheus text answer. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.split(' ').pop());
  }
  return undefined;
}

const PRODUCTION = {
  DEBUG: 'false',
  ALLOWED_HOSTS: 'localhost,api.example.com',
};

describe('GET /metrics on the API', () => {
  let t: TestApp;
  let boss: PgBoss;
  beforeAll(async () => {
    t = await createTestApp({}, { boss: async (database) => (boss = await startBoss(database.url)) });
  });
  afterAll(async () => {
    await boss.stop({ graceful: false });
    await t.close();
  });

  it('times requests by route pattern and status class, never by raw URL', async () => {
    const user = await registerUser(t.app);
    const id = '0b7a3c1e-5d5f-4c39-9a57-3f1f0b1d2e4a';
    await t.app.inject({ method: 'GET', url: `/api/shopify/products/${id}/`, headers: user.auth });
    await t.app.inject({ method: 'GET', url: `/no/such/${id}` });
    const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(
      sample(text, 'invpro_http_request_duration_seconds_count', {
        method: 'GET',
        route: '/api/shopify/products/:id/',
        status_class: '4xx',
      }),
    ).toBe(1);
    expect(sample(text, 'invpro_http_request_duration_seconds_count', { route: 'unmatched' })).toBe(1);
    expect(sample(text, 'invpro_http_request_duration_seconds_count', { route: '/api/auth/register/' })).toBe(1);
    expect(text).not.toContain(id);
  });

  it('reports each queue’s due jobs and the age of the oldest, pool use and process metrics', async () => {
    await boss.send(QUEUES.accountsHousekeeping.name, {});
    await boss.send(QUEUES.accountsHousekeeping.name, {});
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(sample(res.body, 'invpro_queue_depth', { queue: QUEUES.accountsHousekeeping.name })).toBe(2);
    expect(sample(res.body, 'invpro_queue_depth', { queue: QUEUES.catalogSync.name })).toBe(0);
    expect(
      sample(res.body, 'invpro_queue_oldest_job_age_seconds', { queue: QUEUES.accountsHousekeeping.name }),
    ).toBeGreaterThanOrEqual(0);
    expect(sample(res.body, 'invpro_db_pool_connections', { state: 'total' })).toBeGreaterThanOrEqual(1);
    expect(sample(res.body, 'invpro_db_pool_connections', { state: 'waiting' })).toBe(0);
    expect(sample(res.body, 'invpro_db_pool_max')).toBe(5);
    expect(sample(res.body, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });
});

describe('who may read metrics in production', () => {
  let t: TestApp;
  const token = 'metrics-token-0123456789abcdefghijklmnop';
  beforeAll(async () => {
    t = await createTestApp({ ...PRODUCTION, METRICS_ALLOW: '10.1.0.0/16', METRICS_TOKEN: token });
  });
  afterAll(() => t.close());

  const scrape = (remoteAddress: string, authorization?: string) =>
    t.app.inject({
      method: 'GET',
      url: '/metrics',
      remoteAddress,
      headers: { host: 'api.example.com', ...(authorization ? { authorization } : {}) },
    });

  it('serves an allowed address, or a bearer of METRICS_TOKEN, and refuses the rest with a problem', async () => {
    expect((await scrape('10.1.2.3')).statusCode).toBe(200);
    expect((await scrape('203.0.113.9', `Bearer ${token}`)).statusCode).toBe(200);
    const refused = await scrape('203.0.113.9');
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.json().detail).toContain('METRICS_ALLOW');
    expect((await scrape('203.0.113.9', `Bearer ${token}x`)).statusCode).toBe(403);
    // Loopback is not in this METRICS_ALLOW: the default only holds when the variable is unset.
    expect((await scrape('127.0.0.1')).statusCode).toBe(403);
  });

  it('defaults to loopback, and a malformed METRICS_ALLOW is refused at start', () => {
    const mayRead = metricsAccess(testConfig(PRODUCTION));
    expect(mayRead('127.0.0.1', undefined)).toBe(true);
    expect(mayRead('::1', undefined)).toBe(true);
    expect(mayRead('::ffff:127.0.0.1', undefined)).toBe(true);
    expect(mayRead('192.0.2.1', undefined)).toBe(false);
    expect(() => testConfig({ METRICS_ALLOW: '10.0.0.0/33' })).toThrow(/METRICS_ALLOW/);
    expect(() => testConfig({ METRICS_ALLOW: 'example.com' })).toThrow(/METRICS_ALLOW/);
    expect(() => testConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN/);
  });
});

describe('the worker’s metrics listener', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('serves job metrics on loopback in DEBUG and is off with port 0', async () => {
    expect(await startWorkerMetricsServer(t.config, createWorkerRegistry(t.database.db), 0)).toBeUndefined();
    const ephemeral = await startWorkerMetricsServer(
      t.config,
      createWorkerRegistry(t.database.db),
      40_000 + (process.pid % 20_000),
    );
    try {
      const address = ephemeral!.address() as AddressInfo;
      expect(address.address).toBe('127.0.0.1');
      jobMetrics.shopifyPoints.inc(7);
      const res = await fetch(`http://127.0.0.1:${address.port}/metrics`);
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(sample(text, 'invpro_shopify_points_used_total')).toBeGreaterThanOrEqual(7);
      expect(text).toContain('role="worker"');
      expect((await fetch(`http://127.0.0.1:${address.port}/other`)).status).toBe(404);
    } finally {
      ephemeral?.close();
    }
  });

  it('counts a failing job, and a webhook job’s lag from its creation', async () => {
    const handlers = new Map<string, (jobs: unknown[]) => Promise<unknown>>();
    const fakeBoss = {
      work: async (name: string, ...rest: unknown[]) => {
        handlers.set(name, rest.pop() as (jobs: unknown[]) => Promise<unknown>);
        return name;
      },
    } as unknown as PgBoss;
    const boss = observeJobs(fakeBoss);
    await boss.work(QUEUES.shopifyWebhook.name, { includeMetadata: true }, async () => ['processed']);
    await boss.work(QUEUES.catalogSync.name, async () => {
      throw new Error('boom');
    });
    const lagBefore = (await jobMetrics.webhookLag.get()).values.find(
      (v) => v.metricName === 'invpro_webhook_lag_seconds_count' && v.labels.outcome === 'processed',
    )?.value;
    await handlers.get(QUEUES.shopifyWebhook.name)!([{ id: 'j1', createdOn: new Date(Date.now() - 3000) }]);
    const lag = (await jobMetrics.webhookLag.get()).values;
    expect(
      lag.find((v) => v.metricName === 'invpro_webhook_lag_seconds_count' && v.labels.outcome === 'processed')?.value,
    ).toBe((lagBefore ?? 0) + 1);
    const sum = lag.find((v) => v.metricName === 'invpro_webhook_lag_seconds_sum')?.value ?? 0;
    expect(sum).toBeGreaterThanOrEqual(3);
    await expect(handlers.get(QUEUES.catalogSync.name)!([{ id: 'j2' }])).rejects.toThrow('boom');
    const failures = (await jobMetrics.jobFailures.get()).values.find(
      (v) => v.labels.queue === QUEUES.catalogSync.name,
    );
    expect(failures?.value).toBe(1);
  });
});
