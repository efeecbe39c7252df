import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { acceptsConnections, freePort } from '../db/embedded.ts';

/**
 * A throwaway Debian PostgreSQL 15 cluster with a PgBouncer in transaction mode in front of it, for
 * proving the app works behind a transaction pooler on the oldest PostgreSQL we support. Admin work
 * (CREATE/DROP DATABASE, migrations) goes to `serverUrl`; the code under test goes to `poolerUrl`.
 */

export const SYSTEM_PG_BIN = process.env.SYSTEM_PG_BIN ?? '/usr/lib/postgresql/15/bin';
export const PGBOUNCER_BIN = process.env.PGBOUNCER_BIN ?? '/usr/sbin/pgbouncer';
const SUPERUSER = 'postgres';
// Not the user's name: a test that checks a password never shows must not match the user name.
const PASSWORD = `pw-${randomBytes(12).toString('hex')}`;

export interface SystemPostgres {
  /** Superuser URL of PostgreSQL itself (database `postgres`). */
  serverUrl: string;
  /** The same superuser and database through PgBouncer. */
  poolerUrl: string;
  stop(): Promise<void>;
}

interface RunAs {
  uid: number;
  gid: number;
}

/** PostgreSQL and PgBouncer both refuse to run as root: as root they run as the postgres user. */
function runAs(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
}

async function waitFor(url: string, child: ChildProcess, what: string, log: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await acceptsConnections(url))) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      throw new Error(`${what} did not start. Its log (${log}) ends:\n${tail(log)}`);
    }
    await sleep(50);
  }
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const forced = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(forced);
      resolve();
    });
    child.kill(signal);
  });
}

export function systemPostgresAvailable(): boolean {
  return existsSync(path.join(SYSTEM_PG_BIN, 'postgres')) && existsSync(PGBOUNCER_BIN);
}

export async function startSystemPostgres(): Promise<SystemPostgres> {
  if (!systemPostgresAvailable()) {
    throw new Error(
      `PostgreSQL 15 (${SYSTEM_PG_BIN}) or PgBouncer (${PGBOUNCER_BIN}) is missing: apt-get install postgresql-15 pgbouncer`,
    );
  }
  const who = runAs();
  const root = mkdtempSync('/tmp/invpro-pg15-');
  // The postgres user must be able to enter the folder (mkdtemp makes it 0700).
  chmodSync(root, 0o755);
  const dataDir = path.join(root, 'data');
  const bouncerDir = path.join(root, 'pgbouncer');
  for (const dir of [dataDir, bouncerDir]) {
    mkdirSync(dir, { mode: 0o700 });
    if (who) chownSync(dir, who.uid, who.gid);
  }
  const children: ChildProcess[] = [];
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      // PgBouncer first (SIGINT: safe shutdown), then PostgreSQL (SIGINT: fast shutdown).
      for (const child of [...children].reverse()) await stopChild(child, 'SIGINT');
      rmSync(root, { recursive: true, force: true });
    })();
    return stopping;
  };
  // A synchronous last resort: a signal is all an 'exit' listener can send.
  const onExit = () => {
    for (const child of children) child.kill('SIGINT');
    rmSync(root, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  try {
    const passwordFile = path.join(bouncerDir, 'pwfile');
    writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
    if (who) chownSync(passwordFile, who.uid, who.gid);
    const initdb = spawnSync(
      path.join(SYSTEM_PG_BIN, 'initdb'),
      [
        `--pgdata=${dataDir}`,
        '--auth=scram-sha-256',
        `--username=${SUPERUSER}`,
        `--pwfile=${passwordFile}`,
        '--encoding=UTF8',
        '--locale=C.UTF-8',
        '--lc-messages=C',
      ],
      { ...who, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C.UTF-8' } },
    );
    rmSync(passwordFile, { force: true });
    if (initdb.status !== 0) throw new Error(`initdb (PostgreSQL 15) failed:\n${initdb.stdout}\n${initdb.stderr}`);

    const pgPort = await freePort();
    const pgLog = path.join(root, 'postgres.log');
    const logFd = openSync(pgLog, 'a', 0o644);
    const postgres = spawn(
      path.join(SYSTEM_PG_BIN, 'postgres'),
      [
        '-D',
        dataDir,
        '-p',
        String(pgPort),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'unix_socket_directories=',
        '-c',
        'max_connections=400',
        '-c',
        'fsync=off',
        '-c',
        'synchronous_commit=off',
        '-c',
        'full_page_writes=off',
      ],
      { ...who, detached: true, stdio: ['ignore', logFd, logFd], env: { ...process.env, LC_MESSAGES: 'C' } },
    );
    children.push(postgres);
    const serverUrl = `postgres://${SUPERUSER}:${PASSWORD}@127.0.0.1:${pgPort}/postgres`;
    await waitFor(serverUrl, postgres, 'PostgreSQL 15', pgLog);

    const bouncerPort = await freePort();
    const ini = path.join(bouncerDir, 'pgbouncer.ini');
    const userlist = path.join(bouncerDir, 'userlist.txt');
    writeFileSync(userlist, `"${SUPERUSER}" "${PASSWORD}"\n`, { mode: 0o600 });
    writeFileSync(
      ini,
      [
        '[databases]',
        // Every database, so each test file's clone is reachable without editing the ini.
        `* = host=127.0.0.1 port=${pgPort}`,
        '[pgbouncer]',
        'listen_addr = 127.0.0.1',
        `listen_port = ${bouncerPort}`,
        'unix_socket_dir =',
        'pool_mode = transaction',
        'auth_type = scram-sha-256',
        `auth_file = ${userlist}`,
        // Two vitest workers, each with a few pools and child processes: far below this.
        'max_client_conn = 2000',
        'default_pool_size = 20',
        'max_db_connections = 0',
        // Databases are dropped after every test file: do not keep their idle connections long.
        'server_idle_timeout = 10',
        'server_login_retry = 1',
        // A client waiting for a server connection that cannot come (its database was dropped) fails
        // after this, rather than after the default two minutes.
        'query_wait_timeout = 15',
        // Sent by some clients at startup; PgBouncer would refuse the connection otherwise.
        'ignore_startup_parameters = extra_float_digits,options,statement_timeout',
        `logfile = ${path.join(bouncerDir, 'pgbouncer.log')}`,
        'log_connections = 0',
        'log_disconnections = 0',
        '',
      ].join('\n'),
    );
    for (const file of [ini, userlist]) if (who) chownSync(file, who.uid, who.gid);
    const bouncer = spawn(PGBOUNCER_BIN, [ini], { ...who, detached: true, stdio: ['ignore', logFd, logFd] });
    children.push(bouncer);
    const poolerUrl = `postgres://${SUPERUSER}:${PASSWORD}@127.0.0.1:${bouncerPort}/postgres`;
    await waitFor(poolerUrl, bouncer, 'PgBouncer', path.join(bouncerDir, 'pgbouncer.log'));
    for (const child of children) child.unref();
    closeSync(logFd);
    return {
      serverUrl,
      poolerUrl,
      stop: async () => {
        process.off('exit', onExit);
        await stop();
      },
    };
  } catch (err) {
    await stop();
    process.off('exit', onExit);
    throw err;
  }
}

/**
 * `node apps/api/src/test/system-postgres.ts <command…>`: run a command with PostgreSQL 15 and
 * PgBouncer up (TEST_PG_SERVER_URL direct, TEST_PG_POOLER_URL through PgBouncer); exits with the
 * command's status; stops both on exit and on SIGINT/SIGTERM.
 */
async function main(command: string[]) {
  if (command.length === 0) throw new Error('usage: system-postgres.ts <command> [args…]');
  const servers = await startSystemPostgres();
  console.log(
    `PostgreSQL 15 at ${new URL(servers.serverUrl).host}, PgBouncer (transaction mode) at ${new URL(servers.poolerUrl).host}`,
  );
  const child = spawn(command[0]!, command.slice(1), {
    stdio: 'inherit',
    env: { ...process.env, TEST_PG_SERVER_URL: servers.serverUrl, TEST_PG_POOLER_URL: servers.poolerUrl },
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  const status = await new Promise<number>((resolve) => {
    child.once('error', () => resolve(127));
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 + 15 : 1)));
  });
  await servers.stop();
  process.exit(status);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
