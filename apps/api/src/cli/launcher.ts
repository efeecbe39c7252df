import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { loadConfig } from '../config.ts';
import { closeDatabase, createDatabase } from '../db/client.ts';
import { type EmbeddedServer, startEmbeddedPostgres } from '../db/embedded.ts';
import { runMigrations } from '../db/migrate.ts';
import { WORKER_NODE_FLAGS } from '../worker-flags.ts';
import { startWebBuild, type WebBuild, webBuildIsCurrent } from './web-build.ts';

// The launcher behind `npm start` (`invpro start`) and `npm run demo` (`invpro demo`).

const here = path.dirname(fileURLToPath(import.meta.url));
const MAIN = path.resolve(here, '..', 'main.ts');
const WEB_DIR = path.resolve(here, '..', '..', '..', 'web');
/** Bundled into the web app (transpilePackages): its changes need a web build too. */
const CONTRACT_DIR = path.resolve(here, '..', '..', '..', '..', 'packages', 'contract');
const EMBEDDED_DB = 'invpro';

export const say = (message: string) => console.log(`[invpro] ${message}`);

/**
 * How long the launcher waits for a child to stop after SIGTERM before it kills it: longer than the
 * worker's graceful pg-boss stop (a running job or token renewal is allowed to finish).
 */
const CHILD_STOP_TIMEOUT_MS = 30_000;

/** The database to use: DATABASE_URL / POSTGRES_*, or the embedded server under DATA_DIR. */
export async function resolveDatabase(): Promise<{ url: string; embedded?: EmbeddedServer }> {
  const config = loadConfig();
  if (config.databaseUrl) return { url: config.databaseUrl };
  mkdirSync(config.dataDir, { recursive: true });
  const logFile = path.join(config.dataDir, 'postgres.log');
  say(`starting embedded PostgreSQL under ${config.dataDir} (log: ${logFile})`);
  const embedded = await startEmbeddedPostgres(config.dataDir, { logFile, notice: (m) => say(`note: ${m}`) });
  try {
    const admin = new pg.Client(embedded.url);
    await admin.connect();
    const exists = await admin.query('select 1 from pg_database where datname = $1', [EMBEDDED_DB]);
    if (exists.rowCount === 0) await admin.query(`create database ${EMBEDDED_DB}`);
    await admin.end();
  } catch (err) {
    await embedded.stop();
    throw err;
  }
  return { url: embedded.url.replace(/\/postgres$/, `/${EMBEDDED_DB}`), embedded };
}

/**
 * Migrations hold a session advisory lock, which a transaction pooler cannot keep on one server
 * connection: when DATABASE_URL is PgBouncer, DATABASE_MIGRATION_URL gives a direct URL for them.
 */
export async function migrate(url: string) {
  const db = createDatabase(process.env.DATABASE_MIGRATION_URL || url, { max: 1 });
  try {
    await runMigrations(db);
  } finally {
    await closeDatabase(db);
  }
}

async function waitForHttp(url: string, givenUp: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!givenUp() && Date.now() < deadline) {
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(2000) })).ok) return;
    } catch {
      // Not up yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  if (!givenUp()) say(`${url} did not answer within ${timeoutMs / 1000} s; see the output above`);
}

export interface RunningSystem {
  apiUrl: string;
  /** Unset with --no-web. */
  webUrl: string | undefined;
  stopping(): boolean;
}

/** What a command built on the launcher (the demo) runs around the system, in the launcher's order. */
export interface SystemHooks {
  /** Once the API (and the web app) answer; a failure stops everything with status 1. */
  ready?: (system: RunningSystem) => Promise<void>;
  /** First when stopping, before the children are asked to stop (so nothing it does meets a stopped API). */
  beforeStop?: () => Promise<void>;
  /** After the database stopped, just before the process exits. */
  afterStop?: () => Promise<void>;
}

const quietly = async (step: (() => Promise<void>) | undefined) => {
  try {
    await step?.();
  } catch (err) {
    console.error(err instanceof Error ? `[invpro] ${err.message}` : err);
  }
};

/**
 * Runs the whole system: database (embedded when unset), migrations, then api, worker and web.
 * Stops in the right order: the children first (a running job may finish), the database last; the
 * database runs in a process group of its own, so a terminal's Ctrl-C reaches only us and the children.
 */
export async function runSystem(args: string[], hooks: SystemHooks = {}) {
  const withWeb = !args.includes('--no-web');
  const config = loadConfig();
  const children: ChildProcess[] = [];
  let build: WebBuild | undefined;
  let embedded: EmbeddedServer | undefined;
  let stopping = false;

  const stopChild = (child: ChildProcess) =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), CHILD_STOP_TIMEOUT_MS).unref();
    });

  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping…');
    await quietly(hooks.beforeStop);
    await Promise.all([...children.map(stopChild), build?.cancel()]);
    if (embedded) {
      await embedded.stop().catch(() => {});
      say('database stopped');
    }
    await quietly(hooks.afterStop);
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  try {
    const database = await resolveDatabase();
    embedded = database.embedded;
    if (stopping) return; // a signal came while the database started: stopAll owns it now
    const url = database.url;
    void embedded?.exited.then(({ code, signal }) => {
      if (stopping) return;
      say(
        `PostgreSQL stopped unexpectedly (${signal ?? `exit ${code}`}); see ${path.join(config.dataDir, 'postgres.log')}`,
      );
      void stopAll(1);
    });
    await migrate(url);
    say('migrations applied');
    const env = {
      ...process.env,
      DATABASE_URL: url,
      DATA_DIR: config.dataDir,
      NEXT_TELEMETRY_DISABLED: '1',
      INVPRO_LAUNCHER_PID: String(process.pid),
    };
    const apiUrl = `http://127.0.0.1:${config.apiPort}`;
    const webEnv = { ...env, API_INTERNAL_URL: process.env.API_INTERNAL_URL ?? apiUrl, PORT: String(config.webPort) };
    const spawnChild = (name: string, args: string[], childEnv: NodeJS.ProcessEnv, cwd?: string) => {
      const child = spawn(process.execPath, args, { env: childEnv, cwd, stdio: 'inherit' });
      child.on('exit', (code, signal) => {
        if (!stopping) {
          say(`${name} exited (${signal ?? code}); stopping the rest`);
          void stopAll(code || 1);
        }
      });
      children.push(child);
    };
    // API and worker first: they start while the web app builds.
    spawnChild('api', [MAIN, 'api'], env);
    spawnChild('worker', [...WORKER_NODE_FLAGS, MAIN, 'worker'], env);
    if (withWeb && !webBuildIsCurrent(WEB_DIR, [CONTRACT_DIR])) {
      say('building the web app (first start or changed sources)…');
      build = startWebBuild(WEB_DIR, webEnv);
      const built = await build.done;
      build = undefined;
      if (!built.ok && built.interrupted && !stopping) await new Promise((r) => setTimeout(r, 1000));
      if (stopping) return; // stopped during the build: not a failure of the build
      if (!built.ok) throw new Error(built.reason);
    }
    if (stopping) return;
    if (withWeb) {
      // server.ts is `next start` plus the real client address in X-Forwarded-For.
      spawnChild('web', [path.join(WEB_DIR, 'server.ts')], { ...webEnv, HOSTNAME: config.webHost }, WEB_DIR);
    }
    const webUrl = withWeb ? `http://localhost:${config.webPort}/` : undefined;
    // Announce the addresses only once they answer.
    await waitForHttp(`${apiUrl}/api/health/`, () => stopping);
    say(`API     http://localhost:${config.apiPort}/api/  (docs: /api/docs)`);
    if (withWeb) {
      await waitForHttp(`http://127.0.0.1:${config.webPort}/login`, () => stopping);
      say(`Web app ${webUrl}`);
    }
    if (!stopping) await hooks.ready?.({ apiUrl, webUrl, stopping: () => stopping });
    if (!stopping) say('ready — Ctrl-C stops everything');
  } catch (err) {
    if (stopping) return;
    console.error(err instanceof Error ? `[invpro] ${err.message}` : err);
    await stopAll(1);
  }
}
