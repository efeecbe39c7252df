import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { closeDatabase, createDatabase } from '../db/client.ts';
import { MIGRATIONS_FOLDER, runMigrations } from '../db/migrate.ts';

// Backups and restores of the whole database with PostgreSQL's own pg_dump / pg_restore.
// An operations folder, not a module: it owns no tables and serves no routes; the CLI
// (`invpro backup|restore`, cli/backup.ts) and the worker's scheduled job (backup.job.ts) share it.

/** An expected failure, with the exit status the CLI gives it (2: refused, fix the command). */
export class BackupError extends Error {
  override name = 'BackupError';
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

/**
 * Only names we wrote ourselves take part in retention: a file someone copied in or renamed
 * (`invpro-before-upgrade.dump`) is never deleted. The timestamp sorts as text.
 */
const BACKUP_NAME = /^invpro-\d{8}T\d{6}\.\d{3}Z\.dump$/;

/** `invpro-20261202T081500.123Z.dump`: UTC, milliseconds so two quick backups never collide. */
export function backupFileName(at: Date): string {
  const stamp = at.toISOString().replace(/[-:]/g, '');
  return `invpro-${stamp}.dump`;
}

/**
 * The URL for the tools' argv without its password, and the password for PGPASSWORD: argv is
 * visible to every user of the machine (`ps`), the child's environment is not.
 */
export function connectionForTools(url: string): { dbname: string; env: Record<string, string> } {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password) || parsed.searchParams.get('password') || '';
  parsed.password = '';
  parsed.searchParams.delete('password');
  return { dbname: parsed.toString(), env: password ? { PGPASSWORD: password } : {} };
}

/** What may be printed of a database URL: no password. */
export function describeDatabase(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || 5432}${parsed.pathname}`;
}

export interface PgTools {
  pgDump: string;
  pgRestore: string;
  /** The tools' major version. */
  major: number;
  version: string;
}

async function run(
  file: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string; error?: Error }> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', (error) => resolve({ code: null, stdout, stderr, error }));
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export async function serverMajorVersion(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const res = await client.query<{ server_version_num: string }>('show server_version_num');
    return Math.floor(Number(res.rows[0]!.server_version_num) / 10000);
  } finally {
    await client.end();
  }
}

/**
 * Every tenant table forces row-level security, which binds its owner too: pg_dump (which reads
 * with row_security off) stops at the first such table unless its user bypasses RLS. Said up front,
 * with the fix, rather than as pg_dump's error halfway through.
 */
async function assertReadsEveryRow(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const res = await client.query<{ name: string; bypass: boolean }>(
      'select rolname as name, rolsuper or rolbypassrls as bypass from pg_roles where rolname = current_user',
    );
    const role = res.rows[0]!;
    if (!role.bypass) {
      throw new BackupError(
        `the database user "${role.name}" is bound by row-level security, so pg_dump cannot read every tenant's rows: back up as a superuser or a role with BYPASSRLS (ALTER ROLE ${pg.escapeIdentifier(role.name)} BYPASSRLS, or a backup user of its own in DATABASE_URL).`,
      );
    }
  } finally {
    await client.end();
  }
}

/**
 * pg_dump and pg_restore able to handle a server of `serverMajor`: from PG_BIN_DIR when set (only
 * there: it was asked for), else Debian's `/usr/lib/postgresql/<major>/bin`, else PATH. pg_dump
 * refuses a server newer than itself, so that is checked first with a message naming what to install.
 */
export async function findPgTools(serverMajor: number, pgBinDir?: string): Promise<PgTools> {
  const debianDir = `/usr/lib/postgresql/${serverMajor}/bin`;
  const dir = pgBinDir ?? (existsSync(path.join(debianDir, 'pg_dump')) ? debianDir : undefined);
  const pgDump = dir ? path.join(dir, 'pg_dump') : 'pg_dump';
  const pgRestore = dir ? path.join(dir, 'pg_restore') : 'pg_restore';
  const install = `install PostgreSQL ${serverMajor}'s client tools (Debian/Ubuntu: apt-get install postgresql-client-${serverMajor}) or set PG_BIN_DIR to the folder that holds their pg_dump and pg_restore`;
  const probe = await run(pgDump, ['--version']);
  const version = probe.stdout.trim();
  const major = Number(/\(PostgreSQL\)\s+(\d+)/.exec(version)?.[1]);
  if (probe.code !== 0 || !major) {
    const where = pgBinDir ? `in PG_BIN_DIR (${pgBinDir})` : `in ${debianDir} or on PATH`;
    throw new BackupError(`pg_dump for PostgreSQL ${serverMajor} not found ${where}: ${install}.`);
  }
  if (major < serverMajor) {
    throw new BackupError(`pg_dump ${major} (${pgDump}) cannot dump a PostgreSQL ${serverMajor} server: ${install}.`);
  }
  if (!existsSync(pgRestore) && dir) throw new BackupError(`pg_restore not found beside ${pgDump}: ${install}.`);
  return { pgDump, pgRestore, major, version };
}

export interface BackupOptions {
  databaseUrl: string;
  dir: string;
  keep: number;
  pgBinDir?: string | undefined;
  /** Injected by tests; the backup's time otherwise. */
  now?: Date;
}

export interface BackupResult {
  file: string;
  bytes: number;
  ms: number;
  /** Older backups removed by retention. */
  deleted: string[];
}

/**
 * `pg_dump --format=custom --no-owner` into `dir`, under a temporary name renamed once complete and
 * on disk (a half-written file must never look like a backup), then retention.
 */
export async function runBackup(opts: BackupOptions): Promise<BackupResult> {
  const started = performance.now();
  const tools = await findPgTools(await serverMajorVersion(opts.databaseUrl), opts.pgBinDir);
  await assertReadsEveryRow(opts.databaseUrl);
  // A dump holds password hashes and sealed Shopify secrets: for the owner's eyes only.
  await mkdir(opts.dir, { recursive: true, mode: 0o700 });
  const name = backupFileName(opts.now ?? new Date());
  const file = path.join(opts.dir, name);
  const partial = path.join(opts.dir, `.${name}.partial`);
  const { dbname, env } = connectionForTools(opts.databaseUrl);
  const dump = await run(
    tools.pgDump,
    ['--format=custom', '--no-owner', `--file=${partial}`, `--dbname=${dbname}`],
    env,
  );
  try {
    if (dump.code !== 0) {
      throw new BackupError(`pg_dump failed (${dump.error?.message ?? `exit ${dump.code}`}): ${dump.stderr.trim()}`);
    }
    await chmod(partial, 0o600);
    const handle = await open(partial, 'r');
    await handle.sync();
    await handle.close();
    await rename(partial, file);
  } catch (err) {
    await unlink(partial).catch(() => {});
    throw err;
  }
  // The rename itself must survive a crash too.
  const folder = await open(opts.dir, 'r');
  await folder.sync().catch(() => {});
  await folder.close();
  const { size } = await stat(file);
  const deleted = await applyRetention(opts.dir, opts.keep);
  return { file, bytes: size, ms: Math.round(performance.now() - started), deleted };
}

/** Keeps the newest `keep` backups of ours in `dir`; deletes older ones, and nothing else. */
export async function applyRetention(dir: string, keep: number): Promise<string[]> {
  const ours = (await readdir(dir))
    .filter((f) => BACKUP_NAME.test(f))
    .sort()
    .reverse();
  const doomed = ours.slice(Math.max(keep, 1));
  for (const f of doomed) await unlink(path.join(dir, f));
  return doomed.map((f) => path.join(dir, f));
}

/** Schemas a restore would write into: ours, pg-boss's and the migrator's. */
const OUR_SCHEMAS = ['public', 'pgboss', 'drizzle'];

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** The database a URL names, and the URL of the server's `postgres` database to create or drop it from. */
function maintenanceOf(url: string): { name: string; maintenanceUrl: string } {
  const maintenance = new URL(url);
  const name = decodeURIComponent(maintenance.pathname.slice(1));
  maintenance.pathname = '/postgres';
  return { name, maintenanceUrl: maintenance.toString() };
}

/** Creates the target database when it does not exist yet. */
async function ensureDatabase(url: string): Promise<void> {
  try {
    await withClient(url, async () => {});
  } catch (err) {
    if ((err as { code?: string }).code !== '3D000') throw err;
    const { name, maintenanceUrl } = maintenanceOf(url);
    await withClient(maintenanceUrl, (c) => c.query(`create database ${pg.escapeIdentifier(name)}`));
  }
}

/**
 * What --force does: drop the database (closing its connections) and create it empty. Not
 * `pg_restore --clean`: it cannot drop pg-boss's partitioned tables (an inherited constraint stops an
 * --exit-on-error restore), and it would leave behind whatever the backup does not hold.
 */
async function recreateDatabase(url: string): Promise<void> {
  const { name, maintenanceUrl } = maintenanceOf(url);
  if (name === 'postgres' || name.startsWith('template')) {
    throw new BackupError(`refusing to drop the server's own "${name}" database: restore into another one.`, 2);
  }
  await withClient(maintenanceUrl, async (c) => {
    await c.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`);
    await c.query(`create database ${pg.escapeIdentifier(name)}`);
  });
}

/**
 * pg_dump carries grants but not roles (they belong to the cluster): the grants to `invpro_app` would
 * stop an `--exit-on-error` restore on a server that never had it. Runs the role migration itself,
 * so there is one definition of the role.
 */
async function ensureAppRole(url: string): Promise<void> {
  const migration = await readFile(path.join(MIGRATIONS_FOLDER, '0000_app_role.sql'), 'utf8');
  await withClient(url, async (client) => {
    for (const statement of migration.split('--> statement-breakpoint')) await client.query(statement);
  });
}

export interface RestoreOptions {
  file: string;
  targetUrl: string;
  /** A target that is not empty is dropped and created again instead of refused. */
  force?: boolean;
  pgBinDir?: string | undefined;
}

/**
 * Restores a backup into an empty database (created when missing), then migrates it, so a backup
 * of an older version comes up to date; the migrator also re-applies FORCE RLS and the grants.
 */
export async function runRestore(opts: RestoreOptions): Promise<{ ms: number }> {
  const started = performance.now();
  if (!existsSync(opts.file)) throw new BackupError(`${opts.file}: no such backup file.`, 2);
  await ensureDatabase(opts.targetUrl);
  // Before anything is dropped: a --force restore must not end with no database and no way to fill it.
  const tools = await findPgTools(await serverMajorVersion(opts.targetUrl), opts.pgBinDir);
  const toc = await run(tools.pgRestore, ['--list', opts.file]);
  if (toc.code !== 0) {
    throw new BackupError(`${opts.file} is not a backup pg_restore can read: ${toc.stderr.trim()}`, 2);
  }
  const existing = await withClient(opts.targetUrl, (c) =>
    c.query<{ name: string }>(
      `select n.nspname || '.' || c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where c.relkind in ('r', 'p') and n.nspname = any($1) order by 1 limit 4`,
      [OUR_SCHEMAS],
    ),
  );
  if (existing.rowCount && opts.force) await recreateDatabase(opts.targetUrl);
  else if (existing.rowCount) {
    const names = existing.rows.map((r) => r.name).join(', ');
    throw new BackupError(
      `the database ${describeDatabase(opts.targetUrl)} is not empty (it has ${names}…): restore into a new database (--into URL), or pass --force to drop it and restore into it anew.`,
      2,
    );
  }
  await ensureAppRole(opts.targetUrl);
  const { dbname, env } = connectionForTools(opts.targetUrl);
  // One transaction: a restore that fails leaves the database as it was, ready for another try.
  const args = ['--no-owner', '--exit-on-error', '--single-transaction', `--dbname=${dbname}`];
  const restore = await run(tools.pgRestore, [...args, opts.file], env);
  if (restore.code !== 0) {
    throw new BackupError(
      `pg_restore failed (${restore.error?.message ?? `exit ${restore.code}`}): ${restore.stderr.trim()}`,
    );
  }
  const db = createDatabase(opts.targetUrl, { max: 1 });
  try {
    await runMigrations(db);
  } finally {
    await closeDatabase(db);
  }
  return { ms: Math.round(performance.now() - started) };
}
