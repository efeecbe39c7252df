import { timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { sql } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import client from 'prom-client';
import { addressMatcher, type Config } from '../config.ts';
import type { Database } from '../db/client.ts';
import { sendProblem } from '../http/errors.ts';
import { QUEUES } from '../jobs/boss.ts';

/*
 * Prometheus metrics. Each process has its own registry: the API's (requests, queues, pool) and
 * the worker's (syncs, Shopify cost, webhook lag, pool), served by a small listener of its own
 * (decision 0016). Every label takes a bounded set of values: a route pattern, never a raw URL.
 */

const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const SYNC_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200];
const LAG_BUCKETS = [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900];

/** Total, idle and waiting clients of a process's pg pool, read at scrape time. */
function poolGauges(registry: client.Registry, db: Database) {
  const pool = db.$client;
  new client.Gauge({
    name: 'invpro_db_pool_connections',
    help: 'Clients of the PostgreSQL pool by state (total, idle, waiting requests)',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      this.set({ state: 'total' }, pool.totalCount);
      this.set({ state: 'idle' }, pool.idleCount);
      this.set({ state: 'waiting' }, pool.waitingCount);
    },
  });
  new client.Gauge({
    name: 'invpro_db_pool_max',
    help: 'The pool size limit (DATABASE_POOL_MAX)',
    registers: [registry],
    collect() {
      this.set(pool.options.max ?? 10);
    },
  });
}

/**
 * Queue depth and the age of the oldest waiting job, per queue: one grouped query on pg-boss's
 * job table at scrape time (only jobs not yet started are read, and the answer has a row per queue).
 */
function queueGauges(registry: client.Registry, db: Database) {
  const names = Object.values(QUEUES).map((q) => q.name);
  let last: Promise<Map<string, { depth: number; age: number }>> | undefined;
  // Both gauges are collected in the same scrape (in parallel): they share the read in flight.
  const read = () => {
    last ??= db
      .execute(
        sql`select name, count(*)::int as depth,
                   coalesce(extract(epoch from now() - min(created_on)), 0)::float8 as age
              from pgboss.job
             where state in ('created', 'retry') and start_after <= now()
             group by name`,
      )
      .then((res) => {
        const byName = new Map<string, { depth: number; age: number }>();
        for (const row of res.rows as { name: string; depth: number; age: number }[])
          byName.set(row.name, { depth: row.depth, age: row.age });
        return byName;
      })
      .finally(() => {
        last = undefined;
      });
    return last;
  };
  new client.Gauge({
    name: 'invpro_queue_depth',
    help: 'Jobs due and waiting for a worker, per pg-boss queue',
    labelNames: ['queue'],
    registers: [registry],
    async collect() {
      const byName = await read().catch(() => new Map());
      for (const name of names) this.set({ queue: name }, byName.get(name)?.depth ?? 0);
    },
  });
  new client.Gauge({
    name: 'invpro_queue_oldest_job_age_seconds',
    help: 'How long the oldest due job has waited, per pg-boss queue (0 when none waits)',
    labelNames: ['queue'],
    registers: [registry],
    async collect() {
      const byName = await read().catch(() => new Map());
      for (const name of names) this.set({ queue: name }, byName.get(name)?.age ?? 0);
    },
  });
}

export interface ApiMetrics {
  registry: client.Registry;
  httpDuration: client.Histogram<'method' | 'route' | 'status_class'>;
}

export function createApiMetrics(db: Database): ApiMetrics {
  const registry = new client.Registry();
  registry.setDefaultLabels({ role: 'api' });
  client.collectDefaultMetrics({ register: registry });
  poolGauges(registry, db);
  queueGauges(registry, db);
  const httpDuration = new client.Histogram({
    name: 'invpro_http_request_duration_seconds',
    help: 'API request durations by method, route pattern and status class',
    labelNames: ['method', 'route', 'status_class'],
    buckets: SECONDS_BUCKETS,
    registers: [registry],
  });
  return { registry, httpDuration };
}

/**
 * The worker's job metrics: one set per process, recorded by the job handlers where the numbers
 * are (a sync run's own meter, a webhook job's creation time).
 */
export const jobRegistry = new client.Registry();
export const jobMetrics = {
  syncDuration: new client.Histogram({
    name: 'invpro_sync_run_duration_seconds',
    help: 'Catalog sync runs from start to finish, by mode and outcome',
    labelNames: ['mode', 'outcome'],
    buckets: SYNC_BUCKETS,
    registers: [jobRegistry],
  }),
  shopifyPoints: new client.Counter({
    name: 'invpro_shopify_points_used_total',
    help: 'Shopify GraphQL cost points spent by catalog syncs',
    registers: [jobRegistry],
  }),
  shopifyThrottleWait: new client.Counter({
    name: 'invpro_shopify_throttle_wait_seconds_total',
    help: "Time catalog syncs waited for Shopify's rate-limit bucket to refill",
    registers: [jobRegistry],
  }),
  webhookLag: new client.Histogram({
    name: 'invpro_webhook_lag_seconds',
    help: 'From a webhook delivery being recorded to its processing, by outcome',
    labelNames: ['outcome'],
    buckets: LAG_BUCKETS,
    registers: [jobRegistry],
  }),
  jobFailures: new client.Counter({
    name: 'invpro_job_failures_total',
    help: 'Job handlers that threw, per queue',
    labelNames: ['queue'],
    registers: [jobRegistry],
  }),
};

export function createWorkerRegistry(db: Database): client.Registry {
  const own = new client.Registry();
  client.collectDefaultMetrics({ register: own });
  poolGauges(own, db);
  const merged = client.Registry.merge([own, jobRegistry]);
  merged.setDefaultLabels({ role: 'worker' });
  return merged;
}

const sameSecret = (given: string, expected: string) => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

/**
 * Who may read metrics: anyone in DEBUG; otherwise an address METRICS_ALLOW lists or, when
 * METRICS_TOKEN is set, a bearer of it. Metrics name queues and routes: not for the internet.
 */
export function metricsAccess(config: Config): (address: string, authorization: string | undefined) => boolean {
  if (config.debug) return () => true;
  const allowed = addressMatcher(config.metrics.allow);
  const token = config.metrics.token;
  return (address, authorization) => {
    if (token && authorization?.startsWith('Bearer ') && sameSecret(authorization.slice(7), token)) return true;
    return allowed(address);
  };
}

/** Request timing for every routed request and `GET /metrics` on the API. */
export async function registerApiMetrics(app: FastifyInstance, db: Database) {
  const metrics = createApiMetrics(db);
  const mayRead = metricsAccess(app.config);
  app.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    // Unmatched URLs (404s of scanners) share one label, so they cannot grow the series.
    const route = request.routeOptions.url ?? 'unmatched';
    if (route === '/metrics') return;
    metrics.httpDuration.observe(
      { method: request.method, route, status_class: `${Math.floor(reply.statusCode / 100)}xx` },
      reply.elapsedTime / 1000,
    );
  });
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    if (!mayRead(request.ip, request.headers.authorization)) {
      return sendProblem(reply, 403, 'Metrics are served to the addresses in METRICS_ALLOW or with METRICS_TOKEN.');
    }
    reply.header('content-type', metrics.registry.contentType);
    reply.header('cache-control', 'no-store');
    return metrics.registry.metrics();
  });
  return metrics;
}

/**
 * The worker's metrics listener (it has no HTTP otherwise): `GET /metrics` on WORKER_METRICS_PORT,
 * loopback in DEBUG; 0 disables it. Guarded like the API's.
 */
export async function startWorkerMetricsServer(
  config: Config,
  registry: client.Registry,
  port = config.metrics.workerPort,
): Promise<Server | undefined> {
  if (port === 0) return undefined;
  const mayRead = metricsAccess(config);
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    const problem = (status: number, detail: string) => {
      res.writeHead(status, { 'content-type': 'application/problem+json' });
      res.end(JSON.stringify({ type: 'about:blank', title: String(status), status, detail }));
    };
    if (req.method !== 'GET' || path !== '/metrics') return problem(404, 'Only GET /metrics is served here.');
    if (!mayRead(req.socket.remoteAddress ?? '', req.headers.authorization))
      return problem(403, 'Metrics are served to the addresses in METRICS_ALLOW or with METRICS_TOKEN.');
    registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
        res.end(text);
      },
      () => problem(500, 'Metrics could not be collected.'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, config.debug ? '127.0.0.1' : '0.0.0.0', resolve);
  });
  return server;
}
