// Scale-out through PgBouncer (transaction mode) on PostgreSQL 15: the products API under load and a
// sync at once, first with one api/worker pair, then with two, in the same run. Prints requests/s and
// the sync's wall time for both, and the ratios two pairs ÷ one pair.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ShopifySim, startShopifySim } from '@invpro/shopify-sim';
import pg from 'pg';
import { closeDatabase, createDatabase } from '../apps/api/src/db/client.ts';
import { freePort } from '../apps/api/src/db/embedded.ts';
import { runMigrations } from '../apps/api/src/db/migrate.ts';
import { startSystemPostgres } from '../apps/api/src/test/system-postgres.ts';
import { WORKER_NODE_FLAGS } from '../apps/api/src/worker-flags.ts';
import { type BenchContext, Cleanup, numberArg } from './lib/context.ts';
import { runLoad } from './lib/load.ts';
import { benchEnv, expectOk, machineLine, registerOwner } from './lib/setup.ts';
import { connectThroughApi } from './lib/sync.ts';
import { fmt, table } from './lib/table.ts';

const MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'apps', 'api', 'src', 'main.ts');

interface Pair {
  apiPort: number;
  stop(): Promise<void>;
}

function spawnRole(role: 'api' | 'worker', env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [...(role === 'worker' ? WORKER_NODE_FLAGS : []), MAIN, role], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return child;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const forced = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(forced);
}

async function startPair(env: Record<string, string>): Promise<Pair> {
  const apiPort = await freePort();
  const api = spawnRole('api', { ...env, API_PORT: String(apiPort) });
  const worker = spawnRole('worker', { ...env, WORKER_METRICS_PORT: String(await freePort()) });
  const deadline = Date.now() + 60_000;
  for (;;) {
    const up = await fetch(`http://127.0.0.1:${apiPort}/api/health/`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline || api.exitCode !== null) throw new Error('an API process did not start');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { apiPort, stop: async () => void (await Promise.all([stopChild(api), stopChild(worker)])) };
}

/** The run's wall time (queued → finished), from the database. */
async function waitForRun(admin: pg.Client, connectionId: string, signal: AbortSignal): Promise<number> {
  const deadline = Date.now() + 600_000;
  for (;;) {
    signal.throwIfAborted();
    const { rows } = await admin.query<{ state: string; seconds: number | null }>(
      `select state, extract(epoch from finished_at - queued_at)::float8 as seconds
         from sync_runs where connection_id = $1 order by queued_at desc limit 1`,
      [connectionId],
    );
    const run = rows[0];
    if (run && !['queued', 'running'].includes(run.state)) {
      if (run.state !== 'succeeded') throw new Error(`the sync ${run.state}`);
      return run.seconds!;
    }
    if (Date.now() > deadline) throw new Error('the sync did not finish within 10 minutes');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export default async function scaleOut({ args, signal }: BenchContext): Promise<void> {
  const seconds = numberArg(args, 'seconds', 15);
  const connections = numberArg(args, 'connections', 32);
  const syncProducts = numberArg(args, 'sync-products', 1_000);
  const catalogProducts = numberArg(args, 'products', 500);
  const cleanup = new Cleanup();
  try {
    const servers = await startSystemPostgres();
    cleanup.add('stop PostgreSQL 15 and PgBouncer', () => servers.stop());
    const admin = new pg.Client(servers.serverUrl);
    await admin.connect();
    await admin.query('create database bench');
    await admin.end();
    const direct = servers.serverUrl.replace(/\/postgres$/, '/bench');
    const migrating = createDatabase(direct, { max: 1 });
    await runMigrations(migrating).finally(() => closeDatabase(migrating));
    const watcher = new pg.Client(direct);
    await watcher.connect();
    cleanup.add('close the watcher', () => watcher.end());

    const sim: ShopifySim = await startShopifySim({ seed: 11 });
    cleanup.add('stop the Shopify simulator', () => sim.close());
    const tmp = mkdtempSync(path.join(tmpdir(), 'bench-scale-out-'));
    cleanup.add('remove the temporary folder', () => rmSync(tmp, { recursive: true, force: true }));
    const env = {
      ...benchEnv(tmp, 10, { SHOPIFY_API_ORIGIN: sim.origin, API_HOST: '127.0.0.1' }),
      DATABASE_URL: servers.poolerUrl.replace(/\/postgres$/, '/bench'),
      DATABASE_POOL_MODE: 'transaction',
    };

    const pairs: Pair[] = [];
    cleanup.add('stop the api/worker pairs', async () => {
      await Promise.all(pairs.map((p) => p.stop()));
    });
    pairs.push(await startPair(env));
    const first = `http://127.0.0.1:${pairs[0]!.apiPort}`;
    const owner = await registerOwner(first);
    // The catalog the load reads, synced before anything is measured.
    const catalogShop = sim.addShop({ domain: 'catalog.myshopify.com', products: catalogProducts, locations: 2 });
    const catalog = await connectThroughApi(first, owner, catalogShop);
    await waitForRun(watcher, catalog.id, signal);
    const list = `/api/shopify/products/?store=${catalog.id}&page_size=50`;
    await expectOk(await fetch(`${first}${list}`, { headers: owner.headers }), `GET ${list}`);

    const measure = async (label: string) => {
      const shop = sim.addShop({ domain: `sync-${pairs.length}.myshopify.com`, products: syncProducts, locations: 2 });
      // Connecting starts the store's first sync, which a worker picks up while the load runs.
      const started = await connectThroughApi(`http://127.0.0.1:${pairs[0]!.apiPort}`, owner, shop);
      const sync = waitForRun(watcher, started.id, signal);
      const loads = await Promise.all(
        pairs.map((p) =>
          runLoad({
            url: `http://127.0.0.1:${p.apiPort}${list}`,
            headers: owner.headers,
            connections: Math.max(1, Math.round(connections / pairs.length)),
            seconds,
            signal,
          }),
        ),
      );
      const syncSeconds = await sync;
      const rps = loads.reduce((sum, l) => sum + l.rps, 0);
      const p99 = Math.max(...loads.map((l) => l.p99));
      console.log(`${label}: ${fmt.int(rps)} requests/s (p99 ${p99} ms), sync ${syncSeconds.toFixed(1)} s`);
      return { rps, p99, syncSeconds };
    };

    console.log(
      `Load: GET ${list} (${connections} connections over the APIs, ${seconds} s); sync: ${fmt.int(syncProducts)} products`,
    );
    const one = await measure('one pair');
    pairs.push(await startPair(env));
    const two = await measure('two pairs');

    console.log(`\n${machineLine()}`);
    console.log(
      table(
        ['', 'one pair', 'two pairs', 'two ÷ one'],
        [
          ['products API, requests/s', fmt.int(one.rps), fmt.int(two.rps), (two.rps / one.rps).toFixed(2)],
          ['products API, p99 ms', String(one.p99), String(two.p99), (two.p99 / one.p99).toFixed(2)],
          [
            'sync wall time, s',
            one.syncSeconds.toFixed(1),
            two.syncSeconds.toFixed(1),
            (two.syncSeconds / one.syncSeconds).toFixed(2),
          ],
        ],
      ),
    );
  } finally {
    await cleanup.run();
  }
}
