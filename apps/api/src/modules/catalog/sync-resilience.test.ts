import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ShopHandle, type ShopifySim, startShopifySim } from '@invpro/shopify-sim';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, json, registerUser, type TestApp } from '../../test/app.ts';
import { copyDifferences } from './catalog.testing.ts';
import { executeRun } from './sync.service.ts';
import { bulkTiming } from './sync-bulk.ts';

// Shopify's weather and our own crashes: faults, throttle pressure and a worker killed with
// SIGKILL mid-run must still end with a copy equal to the store, no duplicate rows, exact counts.

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'run-sync.ts');

let sim: ShopifySim;
let t: TestApp;
let owner: Awaited<ReturnType<typeof registerUser>>;
const children: ChildProcess[] = [];

beforeAll(async () => {
  sim = await startShopifySim({ seed: 9 });
  t = await createTestApp({ SHOPIFY_API_ORIGIN: sim.origin });
  owner = await registerUser(t.app);
  bulkTiming.firstPollMs = 50;
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await t?.close();
  await sim?.close();
});

let shops = 0;
async function connect(products: number, plan: 'standard' | 'plus' = 'plus') {
  const domain = `weather-${process.pid}-${++shops}.myshopify.com`;
  const shop = sim.addShop({ domain, products, locations: 3, plan });
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/shopify/connect/',
    headers: owner.auth,
    payload: { store_url: domain, api_key: shop.apiKey, api_secret: shop.apiSecret, access_token: shop.accessToken },
  });
  expect(res.statusCode, res.body).toBe(201);
  return { shop, id: json(res).id as string };
}

async function requestRun(store: string, body: Record<string, unknown>) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/shopify/sync/',
    headers: owner.auth,
    payload: { store, ...body },
  });
  expect(res.statusCode, res.body).toBe(202);
  return json(res).id as string;
}

const orgId = () => owner.user.organization.id;
// biome-ignore lint/suspicious/noExplicitAny: tests read run rows loosely and assert on them.
type RunRow = Record<string, any>;
const runRow = async (id: string): Promise<RunRow> =>
  (await t.database.db.execute(sql`select * from sync_runs where id = ${id}`)).rows[0] as RunRow;
const totalVariants = (shop: ShopHandle) => shop.catalog().reduce((n, p) => n + p.variants.length, 0);

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${what} not seen within ${timeoutMs} ms`);
}

/** Start a worker process on the run and SIGKILL it once `when` holds for the run row. */
async function killMidRun(runId: string, when: (run: RunRow) => boolean, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [WORKER], {
    env: {
      ...process.env,
      DATABASE_URL: t.database.url,
      SHOPIFY_API_ORIGIN: sim.origin,
      ORG_ID: orgId(),
      RUN_ID: runId,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c));
  child.stderr!.on('data', (c: Buffer) => (output += c));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`the worker ended before it was killed:\n${output}`);
      return when(await runRow(runId));
    },
    60_000,
    'the kill point',
  );
  child.kill('SIGKILL');
  await exited;
  // What a minute's wait for the dead worker's lease would do.
  await t.database.db.execute(sql`update sync_runs set lease_until = now() - interval '1 second' where id = ${runId}`);
}

describe('sync through Shopify’s weather', () => {
  it('5xx, 429s, connection resets, slow answers and throttle pressure: the copy still equals the store', async () => {
    const { shop, id } = await connect(200, 'standard');
    sim.faults(shop.domain, {
      error500: 0.05,
      error502: 0.03,
      error503: 0.02,
      error429: 0.05,
      reset: 0.03,
      retryAfterSeconds: 0,
    });
    shop.setThrottle({ currentlyAvailable: 300, restoreRate: 2000, maximumAvailable: 4000 });
    const runId = await requestRun(id, { mode: 'paginated' });
    expect(await executeRun(t.app.shopify, { orgId: orgId(), runId })).toBe('succeeded');
    sim.faults(shop.domain, {});
    const run = await runRow(runId);
    expect(run.retries).toBeGreaterThan(0);
    expect(run.products).toEqual({ created: 200, updated: 0, unchanged: 0, deleted: 0 });
    expect(await copyDifferences(t.database.db, { orgId: orgId(), connectionId: id }, shop)).toEqual([]);
  }, 120_000);

  it('a worker killed with SIGKILL mid-way through the products is resumed: same copy, no duplicates, exact counts', async () => {
    const { shop, id } = await connect(300);
    sim.faults(shop.domain, { slowMs: 60 });
    const runId = await requestRun(id, { mode: 'paginated' });
    await killMidRun(runId, (run) => run.phase === 'products' && run.pages >= 3);
    const killedAt = await runRow(runId);
    expect(killedAt.state).toBe('running');
    sim.faults(shop.domain, {});
    expect(await executeRun(t.app.shopify, { orgId: orgId(), runId })).toBe('succeeded');
    const run = await runRow(runId);
    expect(run.attempts).toBe(2);
    expect(run.products).toEqual({ created: 300, updated: 0, unchanged: 0, deleted: 0 });
    expect(run.variants.created).toBe(totalVariants(shop));
    expect(run.products_processed).toBe(300);
    expect(await copyDifferences(t.database.db, { orgId: orgId(), connectionId: id }, shop)).toEqual([]);
  }, 120_000);

  it('a worker killed while writing a bulk export is resumed from the line it reached', async () => {
    const { shop, id } = await connect(200);
    const runId = await requestRun(id, { mode: 'bulk' });
    await killMidRun(runId, (run) => (run.checkpoint?.bulk?.linesDone ?? 0) > 0, { LINES_PER_BATCH: '40' });
    const operation = (await runRow(runId)).checkpoint.bulk.operationId;
    expect(await executeRun(t.app.shopify, { orgId: orgId(), runId })).toBe('succeeded');
    const run = await runRow(runId);
    // The same export, found again: no second one was started.
    expect(run.checkpoint.bulk.operationId).toBe(operation);
    expect(shop.stats().bulkOperations).toBe(1);
    expect(run.products).toEqual({ created: 200, updated: 0, unchanged: 0, deleted: 0 });
    expect(run.variants.created).toBe(totalVariants(shop));
    expect(await copyDifferences(t.database.db, { orgId: orgId(), connectionId: id }, shop)).toEqual([]);
  }, 120_000);

  it('a worker killed while the export runs finds its operation again after the restart', async () => {
    const { shop, id } = await connect(120);
    shop.setBulkBehaviour({ startDelayMs: 1500 });
    const runId = await requestRun(id, { mode: 'bulk' });
    await killMidRun(runId, (run) => Boolean(run.checkpoint?.bulk?.operationId));
    shop.setBulkBehaviour({ startDelayMs: 0 });
    expect(await executeRun(t.app.shopify, { orgId: orgId(), runId })).toBe('succeeded');
    expect(shop.stats().bulkOperations).toBe(1);
    expect(await copyDifferences(t.database.db, { orgId: orgId(), connectionId: id }, shop)).toEqual([]);
  }, 120_000);

  it('a failed export falls back to paging, and says so', async () => {
    const { shop, id } = await connect(60);
    shop.setBulkBehaviour({ failWith: 'INTERNAL_SERVER_ERROR' });
    const runId = await requestRun(id, { mode: 'bulk' });
    expect(await executeRun(t.app.shopify, { orgId: orgId(), runId })).toBe('succeeded');
    const run = await runRow(runId);
    expect(run.path).toBe('paginated');
    expect(run.path_reason).toMatch(/ended FAILED.*paging instead/);
    expect(await copyDifferences(t.database.db, { orgId: orgId(), connectionId: id }, shop)).toEqual([]);
  }, 120_000);
});
