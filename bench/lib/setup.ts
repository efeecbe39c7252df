import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { type Config, loadConfig } from '../../apps/api/src/config.ts';
import { closeDatabase, createDatabase, type Database } from '../../apps/api/src/db/client.ts';
import { startEmbeddedPostgres } from '../../apps/api/src/db/embedded.ts';
import { runMigrations } from '../../apps/api/src/db/migrate.ts';
import type { Cleanup } from './context.ts';
import { type LoadResult, postgresCpuMs } from './load.ts';
import { median } from './table.ts';

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

/** Our configuration as production builds it, with fresh keys and a silent logger. */
export function benchConfig(tmp: string, poolMax: number): Config {
  return loadConfig({
    DEBUG: 'true',
    SECRET_KEY: randomBytes(45).toString('base64url'),
    ENCRYPTION_KEY: `b1:${randomBytes(32).toString('base64')}`,
    DATA_DIR: tmp,
    LOG_LEVEL: 'silent',
    DATABASE_POOL_MAX: String(poolMax),
  });
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
