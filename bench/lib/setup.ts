import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { type Config, loadConfig } from '../../apps/api/src/config.ts';
import { closeDatabase, createDatabase, type Database } from '../../apps/api/src/db/client.ts';
import { startEmbeddedPostgres } from '../../apps/api/src/db/embedded.ts';
import { runMigrations } from '../../apps/api/src/db/migrate.ts';
import { type Cleanup, numberArg } from './context.ts';
import { type LoadResult, postgresCpuMs, runLoad } from './load.ts';
import { fmt, median, table } from './table.ts';

export interface BenchDatabase {
  tmp: string;
  url: string;
  /** Our app's pool (drizzle), migrated. */
  db: Database;
  /** CPU milliseconds used so far by the PostgreSQL server. */
  databaseCpuMs: () => number | undefined;
}

/**
 * A migrated database of its own on an embedded PostgreSQL in a temporary folder, each step
 * registered with `cleanup` as soon as it exists.
 */
export async function startBenchDatabase(
  cleanup: Cleanup,
  opts: { poolMax: number; applicationName: string },
): Promise<BenchDatabase> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'invpro-bench-'));
  // Our own folder: as root, the postgres user must be able to enter it. Also removed on exit, in
  // case a second Ctrl-C forces the exit before `finally` has finished.
  chmodSync(tmp, 0o755);
  const removeTmp = () => rmSync(tmp, { recursive: true, force: true });
  process.once('exit', removeTmp);
  cleanup.add('remove temp dir', () => {
    process.off('exit', removeTmp);
    removeTmp();
  });
  const server = await startEmbeddedPostgres(tmp, { ephemeral: true });
  cleanup.add('stop PostgreSQL', () => server.stop());
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  try {
    await admin.query('create database bench');
  } finally {
    await admin.end();
  }
  const url = new URL(server.url);
  url.pathname = '/bench';
  const db = createDatabase(url.toString(), { max: opts.poolMax, applicationName: opts.applicationName });
  cleanup.add('close our pool', () => closeDatabase(db));
  await runMigrations(db);
  return {
    tmp,
    url: url.toString(),
    db,
    databaseCpuMs: postgresCpuMs(path.join(server.clusterDir, 'postmaster.pid')),
  };
}

/**
 * The environment our processes read, with fresh keys and a silent logger: the same record builds
 * the benchmark's app and configures any worker process it starts, so both read each other's
 * encrypted credentials.
 */
export function benchEnv(tmp: string, poolMax: number, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    DEBUG: 'true',
    SECRET_KEY: randomBytes(45).toString('base64url'),
    ENCRYPTION_KEY: `b1:${randomBytes(32).toString('base64')}`,
    DATA_DIR: tmp,
    LOG_LEVEL: 'silent',
    DATABASE_POOL_MAX: String(poolMax),
    ...overrides,
  };
}

/** Our configuration as production builds it, with fresh keys and a silent logger. */
export function benchConfig(tmp: string, poolMax: number): Config {
  return loadConfig(benchEnv(tmp, poolMax));
}

/** The medians over a target's load runs, for the table. */
export function summarize(runs: LoadResult[]) {
  const pick = (f: (x: LoadResult) => number | undefined) => {
    const values = runs.map(f).filter((v): v is number => v !== undefined);
    return values.length ? median(values) : undefined;
  };
  return {
    rps: pick((x) => x.rps)!,
    p50: pick((x) => x.p50)!,
    p99: pick((x) => x.p99)!,
    busy: pick((x) => x.eventLoopBusy)!,
    nodeUs: pick((x) => x.nodeUsPerRequest)!,
    dbUs: pick((x) => x.databaseUsPerRequest),
    runs: runs.map((x) => Math.round(x.rps).toLocaleString('en-US')).join(' / '),
  };
}

export async function expectOk(response: Response, what: string): Promise<unknown> {
  const body = await response.text();
  if (!response.ok) throw new Error(`${what} answered ${response.status}: ${body.slice(0, 300)}`);
  return JSON.parse(body);
}

export function machineLine(): string {
  return `Machine: ${os.availableParallelism()} cores, load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;
}

export interface Compared {
  baseline: ReturnType<typeof summarize>;
  ours: ReturnType<typeof summarize>;
  ratio: number;
}

/**
 * Loads both targets with `connections` connections: a warm-up each, then `rounds` × (baseline,
 * ours) so drift hits both alike; prints each run and the table of medians.
 */
export async function compareLoads(opts: {
  targets: Record<'baseline' | 'ours', { label: string; url: string; headers?: Record<string, string> | undefined }>;
  connections: number;
  poolMax: number;
  seconds: number;
  warmupSeconds: number;
  rounds: number;
  signal: AbortSignal;
  databaseCpuMs: () => number | undefined;
  log: (line: string) => void;
}): Promise<Compared> {
  const { targets, connections, seconds, rounds, log } = opts;
  const load = (which: 'baseline' | 'ours', secs: number) =>
    runLoad({
      url: targets[which].url,
      headers: targets[which].headers,
      connections,
      seconds: secs,
      signal: opts.signal,
      databaseCpuMs: opts.databaseCpuMs,
    });
  log(
    `Loading with ${connections} connections, pool ${opts.poolMax}: warm-up ${opts.warmupSeconds} s each, ` +
      `then ${rounds} × (baseline, ours) of ${seconds} s…`,
  );
  await load('baseline', opts.warmupSeconds);
  await load('ours', opts.warmupSeconds);
  const runs: Record<'baseline' | 'ours', LoadResult[]> = { baseline: [], ours: [] };
  for (let round = 0; round < rounds; round++) {
    for (const which of ['baseline', 'ours'] as const) {
      const result = await load(which, seconds);
      runs[which].push(result);
      log(`  ${which.padEnd(8)} round ${round + 1}: ${fmt.int(result.rps)} req/s, p99 ${fmt.ms(result.p99)} ms`);
    }
  }
  const baseline = summarize(runs.baseline);
  const ours = summarize(runs.ours);
  const row = (which: 'baseline' | 'ours', s: typeof baseline) => [
    `${which.padEnd(8)}  ${targets[which].label}`,
    fmt.int(s.rps),
    s.runs,
    fmt.ms(s.p50),
    fmt.ms(s.p99),
    `${Math.round(s.busy * 100)}%`,
    fmt.us(s.nodeUs),
    s.dbUs === undefined ? 'n/a' : fmt.us(s.dbUs),
  ];
  log('');
  log(machineLine());
  log(`Medians of ${rounds} runs of ${seconds} s, ${connections} connections (node ${process.versions.node}):`);
  log(
    table(
      ['', 'req/s', 'runs', 'p50 ms', 'p99 ms', 'node busy', 'node CPU µs/req', 'pg CPU µs/req'],
      [row('baseline', baseline), row('ours', ours)],
    ),
  );
  return { baseline, ours, ratio: ours.rps / baseline.rps };
}

export interface Registered {
  access: string;
  user: { id: string; organization: { id: string } };
  /** The bearer header of `access`. */
  headers: { authorization: string };
}

/** Signs up through the API: a user who owns a new organization. */
export async function registerOwner(apiUrl: string): Promise<Registered> {
  const registered = (await expectOk(
    await fetch(`${apiUrl}/api/auth/register/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'bench@example.com', username: 'bench', password: 'violet-harbour-tractor-91' }),
    }),
    'POST /api/auth/register/',
  )) as Omit<Registered, 'headers'>;
  return { ...registered, headers: { authorization: `Bearer ${registered.access}` } };
}

/** The load options every benchmark takes: `--seconds=10 --warmup=3 --rounds=2 --calls=N`. */
export function loadArgs(args: string[], calls: number) {
  return {
    seconds: numberArg(args, 'seconds', 10),
    warmupSeconds: numberArg(args, 'warmup', 3),
    rounds: numberArg(args, 'rounds', 2),
    calls: numberArg(args, 'calls', calls),
  };
}
