// Scale-out: two API processes and two worker processes (the real `main.ts api|worker`) on one
// database — through PgBouncer in transaction mode under `npm run test:pgbouncer`, direct otherwise.
// Two stores in two organizations sync at once with requests spread over both APIs; no store ever has
// two runs active; the copies equal the stores. Then a worker stopped mid-run hands the run over, and
// an API stopped under load finishes what it had started while the other serves the rest.

import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ShopHandle, type ShopifySim, startShopifySim } from '@invpro/shopify-sim';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../db/embedded.ts';
import { copyDifferences } from '../modules/catalog/catalog.testing.ts';
import { WORKER_NODE_FLAGS } from '../worker-flags.ts';
import { TEST_ENCRYPTION_KEY, TEST_SECRET_KEY } from './config.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

const MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'main.ts');

interface Proc {
  name: string;
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

let sim: ShopifySim;
let database: TestDatabase;
const procs: Proc[] = [];
let apiPorts: number[] = [];
let env: Record<string, string>;

function startProcess(name: string, role: 'api' | 'worker', extra: Record<string, string>): Proc {
  const child = spawn(process.execPath, [...(role === 'worker' ? WORKER_NODE_FLAGS : []), MAIN, role], {
    env: { ...process.env, ...env, ...extra },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const proc = { name, child, output: () => output, exited };
  procs.push(proc);
  return proc;
}

async function until<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = 60_000,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) {
      throw new Error(
        `${what}: not within ${timeoutMs / 1000} s\n${procs.map((p) => `--- ${p.name}\n${p.output().slice(-1500)}`).join('\n')}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** `promise`, or an error naming what did not happen (with every process's last output). */
function within<T>(what: string, promise: Promise<T>, timeoutMs = 30_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(
            `${what}: not within ${timeoutMs / 1000} s\n${procs.map((p) => `--- ${p.name}\n${p.output().slice(-1500)}`).join('\n')}`,
          ),
        ),
      timeoutMs,
    );
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** One request on a connection of its own (no keep-alive), so a refused connection means "not started". */
function request(
  port: number,
  method: string,
  url: string,
  headers: Record<string, string> = {},
  body?: object,
): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: url,
        agent: false,
        headers: { ...headers, ...(payload ? { 'content-type': 'application/json' } : {}) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : undefined }));
        res.on('error', reject);
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(payload);
  });
}

interface Owner {
  headers: Record<string, string>;
  orgId: string;
}

async function register(api: number, name: string): Promise<Owner> {
  const res = await request(
    apiPorts[api]!,
    'POST',
    '/api/auth/register/',
    {},
    {
      email: `${name}@example.com`,
      username: name,
      password: 'violet-harbour-tractor-91',
    },
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { headers: { authorization: `Bearer ${res.body.access}` }, orgId: res.body.user.organization.id };
}

async function connect(api: number, owner: Owner, shop: ShopHandle): Promise<string> {
  const res = await request(apiPorts[api]!, 'POST', '/api/shopify/connect/', owner.headers, {
    store_url: shop.domain,
    api_key: shop.apiKey,
    api_secret: shop.apiSecret,
    access_token: shop.accessToken,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

interface RunRow extends Record<string, unknown> {
  id: string;
  connection_id: string;
  state: string;
  started_at: Date | null;
  finished_at: Date | null;
  lease_owner: string | null;
  checkpoint: Record<string, unknown>;
  attempts: number;
}

/** As the database owner (no RLS): every run of every organization. */
async function runs(): Promise<RunRow[]> {
  const { rows } = await database.db.execute<RunRow>(
    sql`select id, connection_id, state, started_at, finished_at, lease_owner, checkpoint, attempts
        from sync_runs order by queued_at`,
  );
  return rows;
}

/** Stores with two runs active at once, now, or ever (overlapping start-to-finish intervals). */
async function doubleRuns(): Promise<string[]> {
  const { rows } = await database.db.execute<{ connection_id: string }>(
    sql`select a.connection_id from sync_runs a join sync_runs b
          on a.org_id = b.org_id and a.connection_id = b.connection_id and a.id < b.id
        where (a.state in ('queued', 'running') and b.state in ('queued', 'running'))
           or (a.started_at is not null and b.started_at is not null
               and a.started_at < coalesce(b.finished_at, 'infinity') and b.started_at < coalesce(a.finished_at, 'infinity'))`,
  );
  return rows.map((r) => r.connection_id);
}

beforeAll(async () => {
  sim = await startShopifySim({ seed: 41 });
  database = await createTestDatabase();
  apiPorts = [await freePort(), await freePort()];
  env = {
    DEBUG: 'true',
    SECRET_KEY: TEST_SECRET_KEY,
    ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    DATA_DIR: '/tmp/invpro-test-unused',
    LOG_LEVEL: 'warn',
    DATABASE_URL: database.url,
    DATABASE_POOL_MAX: '5',
    API_HOST: '127.0.0.1',
    SHOPIFY_API_ORIGIN: sim.origin,
    SHOPIFY_WEBHOOK_BASE_URL: `http://127.0.0.1:${apiPorts[0]}`,
    REGISTRATION_MAX_PER_ADDRESS: '100000',
  };
  // API 1 logs each request it receives (info), so the test knows when requests are in flight there.
  const apis = apiPorts.map((port, i) =>
    startProcess(`api ${i + 1}`, 'api', { API_PORT: String(port), LOG_LEVEL: i === 0 ? 'info' : 'warn' }),
  );
  for (const i of [1, 2])
    startProcess(`worker ${i}`, 'worker', {
      WORKER_METRICS_PORT: String(await freePort()),
      LOG_LEVEL: 'info', // its "worker ready" line
    });
  await Promise.all(
    apis.map((_, i) =>
      until(`api ${i + 1} answers`, () =>
        request(apiPorts[i]!, 'GET', '/api/health/').then(
          (r) => r.status === 200,
          () => false,
        ),
      ),
    ),
  );
  await until(
    'both workers ready',
    async () =>
      procs.filter((p) => p.output().includes('worker ready')).length === 2 ||
      (procs.some((p) => p.child.exitCode !== null) ? Promise.reject(new Error('a process exited')) : false),
  );
}, 120_000);

afterAll(async () => {
  for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
  await Promise.all(
    procs.map((p) =>
      Promise.race([p.exited, new Promise((resolve) => setTimeout(resolve, 20_000))]).then(() =>
        p.child.kill('SIGKILL'),
      ),
    ),
  );
  await database?.drop();
  await sim?.close();
}, 60_000);

describe('two APIs and two workers on one database', () => {
  let owners: Owner[] = [];
  const stores: { shop: ShopHandle; id: string; owner: Owner }[] = [];

  it('sync two stores of two organizations at once: one active run per store, copies equal the stores', async () => {
    owners = [await register(0, 'north'), await register(1, 'south')];
    const shops = [
      sim.addShop({ domain: 'north.myshopify.com', products: 60, locations: 2 }),
      sim.addShop({ domain: 'south.myshopify.com', products: 60, locations: 2 }),
    ];
    // Each connection starts its first sync; both connect at once, through different APIs.
    const ids = await Promise.all(shops.map((shop, i) => connect(i, owners[i]!, shop)));
    stores.push(...shops.map((shop, i) => ({ shop, id: ids[i]!, owner: owners[i]! })));

    // Ask for more syncs over both APIs while the first ones run: each answers the store's active run.
    const asked = await Promise.all(
      [0, 1, 0, 1].flatMap((api) =>
        stores.map((s) =>
          request(apiPorts[api]!, 'POST', '/api/shopify/sync/', s.owner.headers, { type: 'products', store: s.id }),
        ),
      ),
    );
    // The answer is the store's one active run (200), or a new one once the first has finished (201).
    for (const res of asked) expect([200, 201], JSON.stringify(res.body)).toContain(res.status);
    expect(await doubleRuns()).toEqual([]);

    await until('every run finished', async () => {
      expect(await doubleRuns()).toEqual([]);
      const all = await runs();
      return all.length >= 2 && all.every((r) => !['queued', 'running'].includes(r.state));
    });
    const all = await runs();
    expect(all.filter((r) => r.state !== 'succeeded')).toEqual([]);
    for (const s of stores) {
      expect(all.some((r) => r.connection_id === s.id)).toBe(true);
      expect(await copyDifferences(database.db, { orgId: s.owner.orgId, connectionId: s.id }, s.shop, 20)).toEqual([]);
    }
  }, 120_000);

  it('a worker stopped during a run exits cleanly, keeps its checkpoint, and the other worker finishes it', async () => {
    const owner = owners[0]!;
    const shop = sim.addShop({ domain: 'slow.myshopify.com', products: 1000, locations: 2 });
    // Whichever path the run takes, it outlasts the worker's 10 s of grace for running jobs: every
    // page is slowed (after connecting), and so is every chunk of a bulk operation's file.
    shop.setBulkBehaviour({ chunkDelayMs: 5000 });
    const id = await connect(1, owner, shop);
    sim.faults(shop.domain, { slowMs: 1500, slowProbability: 1 });
    const running = await until(
      'the slow store is being synced with a checkpoint saved',
      async () => {
        const run = (await runs()).find((r) => r.connection_id === id);
        return run?.state === 'running' && Object.keys(run.checkpoint).length > 0 && run.lease_owner ? run : undefined;
      },
      90_000,
    );
    const pid = Number(running.lease_owner!.split(':')[1]);
    const first = procs.find((p) => p.child.pid === pid);
    expect(first, `lease owner ${running.lease_owner}`).toBeDefined();
    first!.child.kill('SIGTERM');
    expect(await within('the stopped worker exits', first!.exited)).toEqual({ code: 0, signal: null });

    const handedOver = (await runs()).find((r) => r.id === running.id)!;
    expect(['queued', 'running']).toContain(handedOver.state);
    expect(Object.keys(handedOver.checkpoint).length).toBeGreaterThan(0);
    sim.faults(shop.domain, {});
    shop.setBulkBehaviour({ chunkDelayMs: 0 });

    const finished = await until(
      'the other worker finished the run',
      async () => {
        const run = (await runs()).find((r) => r.id === running.id);
        return run && !['queued', 'running'].includes(run.state) ? run : undefined;
      },
      120_000,
    );
    expect(finished.state).toBe('succeeded');
    expect(finished.lease_owner ?? '').not.toContain(`:${pid}:`);
    expect(await doubleRuns()).toEqual([]);
    expect(await copyDifferences(database.db, { orgId: owner.orgId, connectionId: id }, shop, 20)).toEqual([]);
    stores.push({ shop, id, owner });
  }, 240_000);

  it('an API stopped under load completes the requests it had started; new ones go to the other API', async () => {
    // The biggest catalog: its pages of 250 take long enough to serve that a burst queues up.
    const store = stores.at(-1)!;
    const list = `/api/shopify/products/?store=${store.id}&page_size=250`;
    const stopping = procs.find((p) => p.name === 'api 1')!;
    const received = () =>
      stopping
        .output()
        .split('\n')
        .filter((l) => l.includes('incoming request') && l.includes('/api/shopify/products/')).length;
    // Bursts until the signal finds requests the API has received but not yet answered.
    let outcomes: Promise<{ status: number } | Error>[] = [];
    let pendingAtSignal = 0;
    for (let burst = 0; burst < 3 && pendingAtSignal === 0; burst++) {
      const before = received();
      let answered = 0;
      outcomes = Array.from({ length: 60 }, () =>
        request(apiPorts[0]!, 'GET', list, store.owner.headers)
          .catch((err: Error) => err)
          .finally(() => answered++),
      );
      await until('the API received the whole burst', async () => received() - before >= outcomes.length, 20_000, 5);
      pendingAtSignal = outcomes.length - answered;
      if (pendingAtSignal > 0) stopping.child.kill('SIGTERM');
      else await within('the burst is answered', Promise.all(outcomes));
    }
    expect(pendingAtSignal, 'requests still being served when the signal came').toBeGreaterThan(0);
    const results = await within('the burst is answered', Promise.all(outcomes));
    expect(await within('the stopped API exits', stopping.exited)).toEqual({ code: 0, signal: null });

    // Every request sent before the signal was accepted: none may fail, reset, or answer 5xx.
    expect(results.map((r) => (r instanceof Error ? r.message : r.status)).filter((r) => r !== 200)).toEqual([]);

    // After it: the stopped API refuses connections, the other answers.
    await expect(request(apiPorts[0]!, 'GET', list, store.owner.headers)).rejects.toThrow(/ECONNREFUSED/);
    const other = await request(apiPorts[1]!, 'GET', list, store.owner.headers);
    expect(other.status).toBe(200);
    expect(other.body.count).toBe(store.shop.productCount());
  }, 180_000);
});
