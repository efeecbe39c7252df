// Webhooks as production receives them, with the API and the worker as processes of their own
// (apps/api/src/main.ts) on one database:
// 1. a burst of 1,000 edits made in the simulator, delivered to the API and applied by the worker:
//    the time until the copy equals the store against the time the last delivery arrived, and the
//    Shopify calls it took against one per edit;
// 2. signed `products/update` deliveries accepted per second (64 connections, each one a new event),
//    against a bare Fastify + pg server that checks the same HMAC and inserts one row.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ShopHandle, type ShopifySim, signWebhook, startShopifySim } from '@invpro/shopify-sim';
import autocannon from 'autocannon';
import { freePort } from '../apps/api/src/db/embedded.ts';
import { copyDifferences, makeEdits } from '../apps/api/src/modules/catalog/catalog.testing.ts';
import { WORKER_NODE_FLAGS } from '../apps/api/src/worker-flags.ts';
import { type BenchContext, Cleanup, numberArg } from './lib/context.ts';
import { processCpuMs } from './lib/load.ts';
import { benchEnv, machineLine, type Registered, registerOwner, startBenchDatabase } from './lib/setup.ts';
import { connectThroughApi } from './lib/sync.ts';
import { fmt, table } from './lib/table.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const MAIN = path.join(here, '../apps/api/src/main.ts');
const TARGET_PER_SECOND = 2_000;
const CONNECTIONS = 64;

/** Starts a process and waits until `ready` answers; registered with cleanup (SIGTERM, then SIGKILL). */
async function startProcess(
  cleanup: Cleanup,
  label: string,
  args: string[],
  env: Record<string, string>,
  ready: (output: string) => Promise<boolean>,
): Promise<{ child: ChildProcess; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => {
    if (output.length < 100_000) output += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
  cleanup.add(`stop the ${label}`, stop);
  const deadline = Date.now() + 60_000;
  while (!(await ready(output).catch(() => false))) {
    if (child.exitCode !== null) throw new Error(`The ${label} exited with ${child.exitCode} while starting.`);
    if (Date.now() > deadline) throw new Error(`The ${label} did not start within 60 s.`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, stop };
}

async function connect(apiUrl: string, owner: Registered, shop: ShopHandle): Promise<string> {
  const connected = await connectThroughApi(apiUrl, owner, shop);
  if (connected.webhooks.state !== 'registered') throw new Error(`Webhooks are ${connected.webhooks.state}.`);
  return connected.id;
}

async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number, everyMs = 100) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}.`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** N signed deliveries from 64 connections, each with its own event and webhook id; bounded by N. */
function acceptLoad(url: string, shop: ShopHandle, bodies: string[], amount: number, signal: AbortSignal) {
  const signatures = bodies.map((b) => signWebhook(shop.apiSecret, b));
  let n = 0;
  return new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections: CONNECTIONS,
        amount,
        timeout: 10,
        requests: [
          {
            method: 'POST',
            setupRequest: (req) => {
              const k = n++ % bodies.length;
              return {
                ...req,
                body: bodies[k],
                headers: {
                  'content-type': 'application/json',
                  'x-shopify-topic': 'products/update',
                  'x-shopify-shop-domain': shop.domain,
                  'x-shopify-api-version': '2026-10',
                  'x-shopify-event-id': randomUUID(),
                  'x-shopify-webhook-id': randomUUID(),
                  'x-shopify-triggered-at': new Date().toISOString(),
                  'x-shopify-hmac-sha256': signatures[k]!,
                },
              };
            },
          },
        ],
      },
      (err, res) => {
        signal.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve(res);
      },
    );
    const onAbort = () => {
      instance.stop();
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** A load, with the CPU each process spent on it per delivery (µs). */
async function measured(
  run: () => Promise<autocannon.Result>,
  what: string,
  cpu: { server: () => number | undefined; database: () => number | undefined },
) {
  const server = cpu.server();
  const database = cpu.database();
  const self = process.cpuUsage();
  const result = checkLoad(await run(), what);
  const per = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined ? undefined : ((b - a) * 1000) / result.requests;
  const own = process.cpuUsage(self);
  return {
    ...result,
    serverUs: per(server, cpu.server()),
    databaseUs: per(database, cpu.database()),
    loadUs: (own.user + own.system) / result.requests,
  };
}

function checkLoad(res: autocannon.Result, what: string) {
  const problems = [
    res.errors && `${res.errors} errors`,
    res.timeouts && `${res.timeouts} timeouts`,
    res.non2xx && `${res.non2xx} non-2xx (${JSON.stringify(res.statusCodeStats)})`,
  ].filter(Boolean);
  if (problems.length) throw new Error(`${what}: ${problems.join(', ')}.`);
  return { perSecond: res['2xx'] / res.duration, p99: res.latency.p99, requests: res['2xx'] };
}

export default async function webhooks({ args, signal }: BenchContext): Promise<void> {
  const edits = numberArg(args, 'edits', 1_000);
  const deliveries = numberArg(args, 'deliveries', 20_000);
  const cleanup = new Cleanup();
  let sim: ShopifySim | undefined;
  try {
    const database = await startBenchDatabase(cleanup, { poolMax: 5, applicationName: 'bench-setup' });
    sim = await startShopifySim({ seed: 11, webhookRetryDelaysMs: [200, 1000, 3000], webhookTimeoutMs: 30_000 });
    cleanup.add('stop the Shopify simulator', () => sim!.close());
    const port = await freePort();
    const apiUrl = `http://127.0.0.1:${port}`;
    const env = {
      ...benchEnv(database.tmp, 10, {
        SHOPIFY_API_ORIGIN: sim.origin,
        SHOPIFY_WEBHOOK_BASE_URL: apiUrl,
        API_PORT: String(port),
        API_HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
      }),
      DATABASE_URL: database.url,
    };
    const api = await startProcess(cleanup, 'API', [MAIN, 'api'], env, async () => {
      return (await fetch(`${apiUrl}/api/health/`)).ok;
    });
    const owner = await registerOwner(apiUrl);
    const db = database.db;
    // The worker says when it is ready (its info line; the API's warnings only).
    const worker = await startProcess(
      cleanup,
      'worker',
      [...WORKER_NODE_FLAGS, MAIN, 'worker'],
      { ...env, LOG_LEVEL: 'info' },
      async (output) => output.includes('worker ready'),
    );
    signal.throwIfAborted();

    // 1. The burst: a store synced by the worker (its first sync is queued on connect), then edits.
    const shop = sim.addShop({ domain: 'burst-bench.myshopify.com', products: 200, locations: 3, plan: 'plus' });
    const connectionId = await connect(apiUrl, owner, shop);
    const scope = { orgId: owner.user.organization.id, connectionId };
    await waitFor(
      'the first sync',
      async () => {
        const { rows } = await db.$client.query(
          "select state from sync_runs where connection_id = $1 and state in ('succeeded', 'failed')",
          [connectionId],
        );
        if (rows[0]?.state === 'failed') throw new Error('The first sync failed.');
        return rows[0] ? true : undefined;
      },
      120_000,
    );
    await sim.idle();
    shop.resetStats();
    const before = shop.deliveries().length;
    const started = performance.now();
    makeEdits(shop, edits);
    const made = edits;
    const editsMade = performance.now();
    await sim.idle();
    const delivered = performance.now();
    const sent = shop.deliveries().slice(before);
    const failed = sent.filter((d) => !d.ok).length;
    if (failed) throw new Error(`${failed} deliveries failed.`);
    await waitFor(
      'the copy to equal the store',
      async () => ((await copyDifferences(db, scope, shop, 1)).length === 0 ? true : undefined),
      120_000,
      50,
    );
    const applied = performance.now();
    const stats = shop.stats();
    const calls = stats.requests;
    console.log(`\nBurst: ${made} edits in the simulator → ${sent.length} webhook deliveries`);
    console.log(
      table(
        ['', 'value'],
        [
          ['edits made', `${((editsMade - started) / 1000).toFixed(2)} s after the start`],
          ['last delivery accepted by the API', `${((delivered - started) / 1000).toFixed(2)} s`],
          ['copy equals the store, field by field', `${((applied - started) / 1000).toFixed(2)} s`],
          ['Shopify calls the worker made', `${calls} (${fmt.int(stats.pointsUsed)} points)`],
        ],
      ),
    );
    console.log(
      `ratio applied ÷ last delivery = ${((applied - started) / (delivered - started)).toFixed(2)}; ` +
        `calls ÷ edits = ${(calls / made).toFixed(3)} (one read per edit would be 1.0)`,
    );
    await worker.stop();

    // 2. Acceptance: many shops' worth of deliveries, as fast as the API takes them. The worker is
    // stopped, so only intake is measured (verify, record, queue); the queued jobs are never run.
    signal.throwIfAborted();
    const intake = sim.addShop({ domain: 'intake-bench.myshopify.com', products: 100, locations: 2, plan: 'plus' });
    await connect(apiUrl, owner, intake);
    for (const p of intake.catalog()) intake.updateProduct(p.id, { title: `${p.title} (edited)` });
    await sim.idle();
    const bodies = intake
      .deliveries()
      .filter((d) => d.topic === 'products/update')
      .map((d) => d.body);
    if (bodies.length < 50) throw new Error(`Only ${bodies.length} products/update bodies to send.`);

    // The baseline: a bare Fastify + pg server in a process of its own, same HMAC check, one insert.
    const basePort = await freePort();
    const baseline = await startProcess(
      cleanup,
      'baseline server',
      [path.join(here, 'lib/webhook-baseline.ts')],
      { DATABASE_URL: database.url, PORT: String(basePort), SECRET: intake.apiSecret },
      async () => (await fetch(`http://127.0.0.1:${basePort}/health`)).ok,
    );
    const baseUrl = `http://127.0.0.1:${basePort}/webhook`;
    const oursUrl = `${apiUrl}/api/shopify/webhook/`;
    const warm = Math.min(2_000, deliveries / 5);
    checkLoad(await acceptLoad(baseUrl, intake, bodies, warm, signal), 'baseline warm-up');
    checkLoad(await acceptLoad(oursUrl, intake, bodies, warm, signal), 'warm-up');
    const database_ = { database: database.databaseCpuMs };
    const base = await measured(() => acceptLoad(baseUrl, intake, bodies, deliveries, signal), 'baseline', {
      ...database_,
      server: () => processCpuMs(baseline.child.pid!),
    });
    const ours = await measured(() => acceptLoad(oursUrl, intake, bodies, deliveries, signal), 'ours', {
      ...database_,
      server: () => processCpuMs(api.child.pid!),
    });
    const { rows } = await db.$client.query(
      "select count(*)::int as n from webhook_events e join shopify_connections c on c.id = e.connection_id where c.shop_domain = 'intake-bench.myshopify.com'",
    );
    const recorded = rows[0].n as number;
    console.log(`\n${machineLine()}`);
    console.log(`Intake: ${fmt.int(deliveries)} signed products/update deliveries each, ${CONNECTIONS} connections`);
    console.log(
      table(
        ['', 'deliveries/s', 'p99 ms', 'server CPU µs', 'pg CPU µs', 'load gen CPU µs'],
        (
          [
            ['baseline: bare Fastify + pg, HMAC + one insert', base],
            ['ours: POST /api/shopify/webhook/ (verify, record, queue the job)', ours],
          ] as const
        ).map(([label, x]) => {
          const us = (v: number | undefined) => (v === undefined ? 'n/a' : fmt.us(v));
          return [label, fmt.int(x.perSecond), fmt.ms(x.p99), us(x.serverUs), us(x.databaseUs), us(x.loadUs)];
        }),
      ),
    );
    console.log(
      `events recorded for the intake store: ${fmt.int(recorded)} (deliveries sent: ${fmt.int(warm + deliveries + bodies.length)})`,
    );
    console.log(`\nratio ours/baseline = ${(ours.perSecond / base.perSecond).toFixed(2)}`);
    console.log(
      `deliveries accepted per second = ${fmt.int(ours.perSecond)}  (target ≥ ${fmt.int(TARGET_PER_SECOND)})  ${ours.perSecond >= TARGET_PER_SECOND ? 'PASS' : 'BELOW'}`,
    );
  } finally {
    await cleanup.run();
  }
}
