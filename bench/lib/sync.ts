import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AddShopOptions, type ShopHandle, type ShopifySim, startShopifySim } from '@invpro/shopify-sim';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp } from '../../apps/api/src/app.ts';
import { type Config, loadConfig } from '../../apps/api/src/config.ts';
import { copyDifferences } from '../../apps/api/src/modules/catalog/catalog.testing.ts';
import { WORKER_NODE_FLAGS } from '../../apps/api/src/worker-flags.ts';
import type { Cleanup } from './context.ts';
import { type BenchDatabase, benchEnv, expectOk, type Registered, registerOwner, startBenchDatabase } from './setup.ts';
import { fmt } from './table.ts';

// What the sync benchmarks share: a database, the Shopify simulator and our API in this process, a
// store connected through the API, and a sync run executed by a worker process of its own (as in
// production, and so its CPU and peak memory are its own), then proved equal to the store.

const here = path.dirname(fileURLToPath(import.meta.url));

export interface SyncBench {
  database: BenchDatabase;
  sim: ShopifySim;
  app: FastifyInstance;
  apiUrl: string;
  owner: Registered;
  config: Config;
  /** The environment of worker processes: the app's keys, the database, the simulator. */
  workerEnv: Record<string, string>;
}

export async function startSyncBench(
  cleanup: Cleanup,
  opts: { poolMax?: number; seed?: number; env?: Record<string, string>; listenPort?: number } = {},
): Promise<SyncBench> {
  const poolMax = opts.poolMax ?? 10;
  const database = await startBenchDatabase(cleanup, { poolMax, applicationName: 'bench-api' });
  const sim = await startShopifySim({ seed: opts.seed ?? 7 });
  cleanup.add('stop the Shopify simulator', () => sim.close());
  const env = benchEnv(database.tmp, poolMax, { SHOPIFY_API_ORIGIN: sim.origin, ...opts.env });
  const config = loadConfig(env);
  const app = await buildApp({ config, db: database.db, logger: pino({ level: 'silent' }) });
  cleanup.add('close the API', () => app.close());
  const apiUrl = await app.listen({ host: '127.0.0.1', port: opts.listenPort ?? 0 });
  const owner = await registerOwner(apiUrl);
  return { database, sim, app, apiUrl, owner, config, workerEnv: { ...env, DATABASE_URL: database.url } };
}

/** Connects a simulated store through `POST /api/shopify/connect/` with its token: the connection's id and answer. */
export async function connectThroughApi(
  apiUrl: string,
  owner: Registered,
  shop: ShopHandle,
): Promise<{ id: string; webhooks: { state: string } }> {
  return (await expectOk(
    await fetch(`${apiUrl}/api/shopify/connect/`, {
      method: 'POST',
      headers: { ...owner.headers, 'content-type': 'application/json' },
      body: JSON.stringify({
        store_url: shop.domain,
        api_key: shop.apiKey,
        api_secret: shop.apiSecret,
        access_token: shop.accessToken,
      }),
    }),
    'POST /api/shopify/connect/',
  )) as { id: string; webhooks: { state: string } };
}

/** A simulated store, connected through the API. */
export async function connectStore(
  bench: SyncBench,
  shopOptions: AddShopOptions,
): Promise<{ shop: ShopHandle; connectionId: string; scope: { orgId: string; connectionId: string } }> {
  const started = performance.now();
  const shop = bench.sim.addShop(shopOptions);
  const connected = await connectThroughApi(bench.apiUrl, bench.owner, shop);
  console.log(
    `Store ${shop.domain}: ${fmt.int(shop.productCount())} products on ${activeLocationIds(shop).size} ` +
      `locations, plan ${shop.plan}, connected in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return {
    shop,
    connectionId: connected.id,
    scope: { orgId: bench.owner.user.organization.id, connectionId: connected.id },
  };
}

export const activeLocationIds = (shop: ShopHandle) =>
  new Set(
    shop
      .locations()
      .filter((l) => l.isActive)
      .map((l) => l.id),
  );

export interface RunView {
  id: string;
  state: string;
  scope: string;
  mode: string;
  path: string | null;
  path_reason: string | null;
  started_at: string | null;
  finished_at: string | null;
  pages: number;
  products_processed: number;
  variants_processed: number;
  levels_processed: number;
  counts: Record<'products' | 'variants' | 'levels', Record<'created' | 'updated' | 'unchanged' | 'deleted', number>>;
  points_used: number;
  throttle_wait_ms: number;
  requests: number;
  retries: number;
  errors: { message: string }[];
}

/** `POST /api/shopify/sync/` for one store: the queued run. */
export async function requestRun(bench: SyncBench, body: Record<string, unknown>): Promise<RunView> {
  return (await expectOk(
    await fetch(`${bench.apiUrl}/api/shopify/sync/`, {
      method: 'POST',
      headers: { ...bench.owner.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'products', ...body }),
    }),
    'POST /api/shopify/sync/',
  )) as RunView;
}

export async function getRun(bench: SyncBench, id: string): Promise<RunView> {
  return (await expectOk(
    await fetch(`${bench.apiUrl}/api/shopify/sync/runs/${id}/`, { headers: bench.owner.headers }),
    `GET /api/shopify/sync/runs/${id}/`,
  )) as RunView;
}

export interface WorkerResult {
  outcome: string;
  /** executeRun's own wall time in the worker, ms (without the process's start). */
  runMs: number;
  /** The worker process's peak resident set, MB (getrusage maxrss). */
  peakRssMb: number;
  /** CPU the worker process used, ms (all threads, its start included). */
  cpuMs: number;
}

/**
 * Executes one run in a worker process of its own (`sync-worker.ts`) and waits for it; aborting
 * `signal` kills it.
 */
export function runInWorker(bench: SyncBench, runId: string, signal: AbortSignal): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...WORKER_NODE_FLAGS, path.join(here, 'sync-worker.ts')], {
      env: { ...process.env, ...bench.workerEnv, ORG_ID: bench.owner.user.organization.id, RUN_ID: runId },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    const onAbort = () => child.kill('SIGKILL');
    signal.addEventListener('abort', onAbort, { once: true });
    child.on('error', reject);
    child.on('exit', (code, sig) => {
      signal.removeEventListener('abort', onAbort);
      if (signal.aborted) return reject(signal.reason);
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0) return reject(new Error(`The sync worker exited with ${code ?? sig}: ${out.slice(-500)}`));
      resolve(JSON.parse(line) as WorkerResult);
    });
  });
}

/** The field-by-field proof: throws with the first differences when the copy is not the store. */
export async function proveEqual(bench: SyncBench, scope: { orgId: string; connectionId: string }, shop: ShopHandle) {
  const started = performance.now();
  const diffs = await copyDifferences(bench.database.db, scope, shop, 20);
  if (diffs.length) throw new Error(`The copy differs from the store:\n  ${diffs.join('\n  ')}`);
  console.log(
    `Copy equals the store, field by field (products, variants, images, levels, locations): checked in ${(
      (performance.now() - started) / 1000
    ).toFixed(1)} s`,
  );
}

/** The run's own wall time, from its timestamps. */
export const runSeconds = (run: RunView) =>
  run.started_at && run.finished_at
    ? (new Date(run.finished_at).getTime() - new Date(run.started_at).getTime()) / 1000
    : Number.NaN;

export function describeRun(run: RunView): string {
  const c = run.counts;
  const line = (k: keyof RunView['counts']) =>
    `${k} ${fmt.int(c[k].created)} created / ${fmt.int(c[k].updated)} updated / ${fmt.int(c[k].unchanged)} unchanged / ${fmt.int(c[k].deleted)} deleted`;
  return [
    `Run ${run.id}: ${run.state}, ${run.scope}, asked ${run.mode}, took the ${run.path} path`,
    `  why: ${run.path_reason}`,
    `  ${run.pages} pages, ${fmt.int(run.requests)} requests, ${run.retries} retries, ${fmt.int(run.points_used)} points, ` +
      `${(run.throttle_wait_ms / 1000).toFixed(1)} s waiting for the throttle`,
    `  ${line('products')}`,
    `  ${line('variants')}`,
    `  ${line('levels')}`,
    ...(run.errors.length ? [`  errors: ${run.errors.map((e) => e.message).join('; ')}`] : []),
  ].join('\n');
}

/** What the store holds, from the simulator's ground truth. */
export function catalogShape(shop: ShopHandle) {
  const active = activeLocationIds(shop);
  let variants = 0;
  let media = 0;
  let levels = 0;
  let products = 0;
  for (const p of shop.catalog()) {
    products++;
    variants += p.variants.length;
    media += p.media.length;
    for (const v of p.variants)
      levels += v.inventoryItem.inventoryLevels.filter((l) => active.has(l.location.id)).length;
  }
  return { products, variants, media, levels, locations: active.size };
}
