import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../test/app.ts';
import { createWorkerRegistry } from './metrics.ts';

const DASHBOARD = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../../deploy/grafana/invpro360.json',
);

/** Histogram and counter series are queried by their suffixed names; /metrics declares the base name. */
const baseName = (series: string) => series.replace(/_(bucket|count|sum)$/, '');

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('the Grafana dashboard (deploy/grafana/invpro360.json)', () => {
  it('queries only metrics that the API or the worker serves', async () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    const queried = new Set<string>();
    for (const panel of dashboard.panels)
      for (const { expr } of panel.targets)
        for (const [name] of expr.matchAll(/\b(?:invpro|process|nodejs)_[a-z0-9_]+\b/g)) queried.add(name);
    expect(queried.size).toBeGreaterThan(10);

    const api = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    const worker = await createWorkerRegistry(t.database.db).metrics();
    const declared = new Set([...`${api}\n${worker}`.matchAll(/^# TYPE (\S+) \w+$/gm)].map(([, name]) => name));
    const missing = [...queried].filter((name) => !declared.has(name) && !declared.has(baseName(name)));
    expect(missing).toEqual([]);
  });

  it('has a panel for each thing the runbook watches', () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: { targets: { expr: string }[] }[] };
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((x) => x.expr)).join('\n');
    for (const metric of [
      'invpro_http_request_duration_seconds_bucket',
      'status_class="5xx"',
      'invpro_queue_depth',
      'invpro_queue_oldest_job_age_seconds',
      'invpro_sync_run_duration_seconds_bucket',
      'invpro_shopify_points_used_total',
      'invpro_shopify_throttle_wait_seconds_total',
      'invpro_webhook_lag_seconds_bucket',
      'invpro_db_pool_connections',
    ])
      expect(exprs).toContain(metric);
    for (const q of ['0.5', '0.95', '0.99']) expect(exprs).toContain(`histogram_quantile(${q}, sum by (le, route)`);
  });
});
