import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ShopifySim, startShopifySim } from '@invpro/shopify-sim';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { QUEUES, startBoss } from '../jobs/boss.ts';
import { executeRun } from '../modules/catalog/sync.service.ts';
import { createTestApp, json, registerUser, type TestApp, testConfig } from '../test/app.ts';
import { createTestDatabase, type TestDatabase } from '../test/database.ts';
import { registerBackupJob } from './backup.job.ts';
import { connectionForTools, findPgTools, serverMajorVersion } from './backup.ts';

// `invpro backup` and `invpro restore` through the real CLI against the suite's server. pg_dump
// cannot dump a server newer than itself: on the embedded PostgreSQL 18 with only older client
// tools installed this file skips, saying why; CI runs it against PostgreSQL 15 (TEST_PG_SERVER_URL)
// with INVPRO_REQUIRE_BACKUP_TOOLS=1, where a missing tool fails instead.

const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'cli', 'invpro.ts');
const serverUrl = inject('pgServerUrl');
const serverMajor = await serverMajorVersion(serverUrl);
const tools = await findPgTools(serverMajor, process.env.PG_BIN_DIR).catch((err: Error) => err);
const missingTools =
  tools instanceof Error
    ? `pg_dump for PostgreSQL ${serverMajor} not found; CI runs this against PostgreSQL 15 (${tools.message})`
    : undefined;

describe.runIf(missingTools)('backup tools', () => {
  it('pg_dump and pg_restore match the test server', (ctx) => {
    if (process.env.INVPRO_REQUIRE_BACKUP_TOOLS === '1') throw new Error(missingTools);
    console.warn(`[backup.test] skipped: ${missingTools}`);
    ctx.skip(missingTools);
  });
});

interface CliRun {
  code: number | null;
  output: string;
}

function invpro(args: string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('close', (code) => resolve({ code, output }));
  });
}

async function query<T>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    return (await client.query(text, values)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Row count and digest of every table of ours, pg-boss's and the migrator's, read as the owner. */
async function tableDigests(url: string): Promise<Record<string, string>> {
  const tables = await query<{ name: string }>(
    url,
    `select format('%I.%I', schemaname, tablename) as name from pg_tables
     where schemaname in ('public', 'pgboss', 'drizzle') order by 1`,
  );
  const sums: Record<string, string> = {};
  for (const { name } of tables) {
    const [row] = await query<{ n: string; digest: string }>(
      url,
      `select count(*) as n, coalesce(md5(string_agg(t::text, '|' order by t::text)), '') as digest from ${name} t`,
    );
    sums[name] = `${row!.n}:${row!.digest}`;
  }
  return sums;
}

/** What pg_dump must carry besides rows: RLS (enabled, forced), policies, grants, definer functions. */
async function securityOf(url: string) {
  const tables = await query<{ name: string; rls: boolean; forced: boolean }>(
    url,
    `select c.relname as name, c.relrowsecurity as rls, c.relforcerowsecurity as forced from pg_class c
     join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and c.relkind = 'r' order by 1`,
  );
  const policies = await query(
    url,
    `select tablename, policyname, roles::text, cmd, qual, with_check from pg_policies
     where schemaname = 'public' order by 1, 2`,
  );
  const grants = await query(
    url,
    `select table_schema, table_name, privilege_type from information_schema.role_table_grants
     where grantee = 'invpro_app' order by 1, 2, 3`,
  );
  const definers = await query(
    url,
    `select proname from pg_proc where prosecdef and pronamespace = 'public'::regnamespace order by 1`,
  );
  return { tables, policies, grants, definers };
}

/** Rows of each RLS table the app role sees with no tenant set. */
async function readableWithoutTenant(url: string, tables: { name: string }[]): Promise<Record<string, number>> {
  const client = new pg.Client(url);
  await client.connect();
  const seen: Record<string, number> = {};
  try {
    await client.query('begin');
    await client.query('set local role invpro_app');
    for (const { name } of tables) {
      seen[name] = (await client.query(`select count(*)::int as n from public."${name}"`)).rows[0].n;
    }
  } finally {
    await client.query('rollback').catch(() => {});
    await client.end();
  }
  return seen;
}

const databaseUrl = (name: string) => serverUrl.replace(/\/postgres$/, `/${name}`);

describe('finding the tools and handing them the connection', () => {
  const fakeBin = (version: string | undefined) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'invpro-fake-bin-'));
    if (version !== undefined) {
      for (const name of ['pg_dump', 'pg_restore'])
        writeFileSync(path.join(dir, name), `#!/bin/sh\necho "${name} (PostgreSQL) ${version}"\n`, { mode: 0o755 });
    }
    return dir;
  };

  it('refuses tools older than the server, naming what to install', async () => {
    const dir = fakeBin('15.18 (Debian 15.18-0+deb12u1)');
    try {
      await expect(findPgTools(18, dir)).rejects.toThrow(
        /pg_dump 15 .* cannot dump a PostgreSQL 18 server: .*apt-get install postgresql-client-18/,
      );
      await expect(findPgTools(15, dir)).resolves.toMatchObject({ major: 15, pgDump: path.join(dir, 'pg_dump') });
      await expect(findPgTools(14, dir)).resolves.toMatchObject({ major: 15 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says where it looked when PG_BIN_DIR has no pg_dump', async () => {
    const dir = fakeBin(undefined);
    try {
      await expect(findPgTools(17, dir)).rejects.toThrow(
        new RegExp(`pg_dump for PostgreSQL 17 not found in PG_BIN_DIR \\(${dir}\\): install`),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes the password out of the URL the tools see', () => {
    expect(connectionForTools('postgres://app:s%3Acret%40x@db.internal:5433/invpro?sslmode=require')).toEqual({
      dbname: 'postgres://app@db.internal:5433/invpro?sslmode=require',
      env: { PGPASSWORD: 's:cret@x' },
    });
    expect(connectionForTools('postgres://app@db/invpro?password=hunter2&sslmode=disable')).toEqual({
      dbname: 'postgres://app@db/invpro?sslmode=disable',
      env: { PGPASSWORD: 'hunter2' },
    });
    expect(connectionForTools('postgres://app@db/invpro').env).toEqual({});
  });
});

describe.skipIf(missingTools)('invpro backup and restore', () => {
  let sim: ShopifySim;
  let t: TestApp;
  let older: TestDatabase | undefined;
  const restoredNames: string[] = [];
  // Made in beforeAll: a skipped describe's body still runs, its hooks do not.
  let workDir = '';
  let backupDir = '';
  let argvLog = '';
  let orgs: Awaited<ReturnType<typeof registerUser>>[];

  beforeAll(async () => {
    workDir = mkdtempSync(path.join(tmpdir(), 'invpro-backup-test-'));
    backupDir = path.join(workDir, 'backups');
    argvLog = path.join(workDir, 'argv.log');
    chmodSync(workDir, 0o755);
    // PG_BIN_DIR pointing at wrappers that record how they were called, then run the real tools.
    const wrappers = path.join(workDir, 'bin');
    const real = tools as Exclude<typeof tools, Error>;
    mkdirSync(wrappers);
    for (const [name, target] of [
      ['pg_dump', real.pgDump],
      ['pg_restore', real.pgRestore],
    ] as const) {
      const file = path.join(wrappers, name);
      writeFileSync(
        file,
        `#!/bin/sh\necho "${name} password-env=\${PGPASSWORD:+set} $*" >> '${argvLog}'\nexec '${target}' "$@"\n`,
        { flag: 'w', mode: 0o755 },
      );
    }
    sim = await startShopifySim({ seed: 10 });
    t = await createTestApp({ SHOPIFY_API_ORIGIN: sim.origin });
    // Two organizations, each with a store synced through the API as the worker would.
    orgs = [await registerUser(t.app), await registerUser(t.app)];
    for (const [n, org] of orgs.entries()) {
      const domain = `backup-${n}-${process.pid}.myshopify.com`;
      const shop = sim.addShop({ domain, products: 25 + 10 * n, locations: 2, plan: 'plus' });
      const connected = await t.app.inject({
        method: 'POST',
        url: '/api/shopify/connect/',
        headers: org.auth,
        payload: {
          store_url: domain,
          api_key: shop.apiKey,
          api_secret: shop.apiSecret,
          access_token: shop.accessToken,
        },
      });
      expect(connected.statusCode, connected.body).toBe(201);
      const sync = await t.app.inject({
        method: 'POST',
        url: '/api/shopify/sync/',
        headers: org.auth,
        payload: { type: 'products', store: json(connected).id, mode: n === 0 ? 'paginated' : 'bulk' },
      });
      expect(sync.statusCode, sync.body).toBe(202);
      expect(await executeRun(t.app.shopify, { orgId: org.user.organization.id, runId: json(sync).id })).toBe(
        'succeeded',
      );
    }
    // pg-boss's schema with queued jobs, stopped before the backup so nothing changes under it.
    const boss = await startBoss(t.database.url, { sendOnly: true });
    await boss.send(QUEUES.catalogSchedule.name, { org_id: orgs[0]!.user.organization.id, connection_id: 'x' });
    await boss.stop({ graceful: false });
  }, 120_000);

  afterAll(async () => {
    for (const name of restoredNames) {
      await query(serverUrl, `drop database if exists ${name} with (force)`).catch(() => {});
    }
    await older?.drop();
    await t?.close();
    await sim?.close();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  const password = () => decodeURIComponent(new URL(serverUrl).password);
  const env = (url: string) => ({ DATABASE_URL: url, DATA_DIR: workDir, PG_BIN_DIR: path.join(workDir, 'bin') });
  const ours = () =>
    readdirSync(backupDir)
      .filter((f) => f.startsWith('invpro-'))
      .sort();

  it('backs up, keeps the newest N, and restores every row, RLS, policy and grant into a new database', async () => {
    // Backups of earlier days, and files retention must never touch.
    mkdirSync(backupDir, { recursive: true });
    const earlier = [1, 2, 3, 4].map((d) => `invpro-2020010${d}T030000.000Z.dump`);
    for (const f of [...earlier, 'invpro-before-upgrade.dump', 'notes.txt', 'other-20200101.dump']) {
      writeFileSync(path.join(backupDir, f), 'not a real dump');
    }

    const backup = await invpro(['backup', '--dir', backupDir, '--keep', '3'], env(t.database.url));
    expect(backup.code, backup.output).toBe(0);
    const written = /backup written: (\S+) \(([\d.]+) MB\) in ([\d.]+) s/.exec(backup.output);
    expect(written, backup.output).not.toBeNull();
    const file = written![1]!;
    expect(path.basename(file)).toMatch(/^invpro-\d{8}T\d{6}\.\d{3}Z\.dump$/);
    expect(statSync(file).size).toBeGreaterThan(10_000);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // Only the two oldest of ours went; nothing half-written is left.
    expect(readdirSync(backupDir).sort()).toEqual(
      [
        earlier[2],
        earlier[3],
        path.basename(file),
        'invpro-before-upgrade.dump',
        'notes.txt',
        'other-20200101.dump',
      ].sort(),
    );
    expect(backup.output).toContain(`deleted ${path.join(backupDir, earlier[0]!)}`);

    // The password reached the tools through their environment only.
    const calls = readFileSync(argvLog, 'utf8');
    expect(calls).toMatch(/^pg_dump .*--format=custom --no-owner/m);
    if (password()) {
      expect(calls).toContain('password-env=set');
      expect(calls).not.toContain(password());
      expect(backup.output).not.toContain(password());
    }

    const restored = `restored_${randomBytes(4).toString('hex')}`;
    restoredNames.push(restored);
    const restore = await invpro(['restore', file, '--into', databaseUrl(restored)], env(t.database.url));
    expect(restore.code, restore.output).toBe(0);
    expect(restore.output).toContain('restored and migrated');
    expect(readFileSync(argvLog, 'utf8')).toMatch(/^pg_restore .*--no-owner --exit-on-error/m);
    if (password()) expect(restore.output).not.toContain(password());

    const before = await tableDigests(t.database.url);
    expect(Object.keys(before)).toEqual(expect.arrayContaining(['public.catalog_products', 'pgboss.job']));
    expect(before['public.catalog_products']).not.toMatch(/^0:/);
    expect(await tableDigests(databaseUrl(restored))).toEqual(before);
    const security = await securityOf(databaseUrl(restored));
    expect(security).toEqual(await securityOf(t.database.url));
    const tenantTables = security.tables.filter((table) => table.rls);
    expect(tenantTables.length).toBeGreaterThan(10);
    expect(tenantTables.filter((table) => !table.forced)).toEqual([]);

    // RLS still applies: the app role with no tenant reads what it read before the backup (nothing
    // but the shop index, which routes webhooks before any tenant is known), with a tenant only its rows.
    const blind = await readableWithoutTenant(databaseUrl(restored), tenantTables);
    expect(blind).toEqual(await readableWithoutTenant(t.database.url, tenantTables));
    expect(Object.entries(blind).filter(([table, rows]) => rows > 0 && table !== 'shopify_shop_index')).toEqual([]);
    expect(blind.catalog_products).toBe(0);
    const client = new pg.Client(databaseUrl(restored));
    await client.connect();
    try {
      await client.query('begin');
      await client.query('set local role invpro_app');
      await client.query(`select set_config('app.org_id', $1, true)`, [orgs[0]!.user.organization.id]);
      const own = await client.query(
        `select count(*)::int as n, count(distinct org_id)::int as orgs from catalog_products`,
      );
      expect(own.rows[0]).toEqual({ n: 25, orgs: 1 });
    } finally {
      await client.query('rollback').catch(() => {});
      await client.end();
    }

    // A second restore into the now populated database is refused and changes nothing.
    const again = await invpro(['restore', file, '--into', databaseUrl(restored)], env(t.database.url));
    expect(again.code, again.output).toBe(2);
    expect(again.output).toMatch(/is not empty .*--force/);
    expect(await tableDigests(databaseUrl(restored))).toEqual(before);

    // --force replaces what the backup holds, rows included.
    await query(databaseUrl(restored), 'delete from catalog_images');
    const forced = await invpro(['restore', file, '--into', databaseUrl(restored), '--force'], env(t.database.url));
    expect(forced.code, forced.output).toBe(0);
    expect(await tableDigests(databaseUrl(restored))).toEqual(before);

    // The next backup keeps the newest three again: itself, the first, the newest of the earlier.
    const next = await invpro(['backup', '--dir', backupDir, '--keep', '3'], env(t.database.url));
    expect(next.code, next.output).toBe(0);
    expect(ours().filter((f) => f.endsWith('Z.dump'))).toHaveLength(3);
    expect(ours()).toContain(earlier[3]);
    expect(ours()).toContain(path.basename(file));
  }, 120_000);

  it('brings a backup of an older version up to date: the missing migration runs on restore', async () => {
    older = await createTestDatabase({ max: 1 });
    // What the previous version's database looked like: its newest migration not yet applied.
    await query(
      older.url,
      `delete from drizzle.__drizzle_migrations where id = (select max(id) from drizzle.__drizzle_migrations)`,
    );
    await query(older.url, 'alter table mail_outbox no force row level security');
    const backup = await invpro(['backup', '--dir', path.join(workDir, 'older')], env(older.url));
    expect(backup.code, backup.output).toBe(0);
    const file = /backup written: (\S+)/.exec(backup.output)![1]!;

    const restored = `restored_${randomBytes(4).toString('hex')}`;
    restoredNames.push(restored);
    const restore = await invpro(['restore', file, '--into', databaseUrl(restored)], env(older.url));
    expect(restore.code, restore.output).toBe(0);
    const journal = JSON.parse(
      readFileSync(path.join(path.dirname(CLI), '..', 'db', 'migrations', 'meta', '_journal.json'), 'utf8'),
    ) as { entries: unknown[] };
    const [applied] = await query<{ n: number }>(
      databaseUrl(restored),
      'select count(*)::int as n from drizzle.__drizzle_migrations',
    );
    expect(applied!.n).toBe(journal.entries.length);
    const [outbox] = await query<{ forced: boolean }>(
      databaseUrl(restored),
      `select relforcerowsecurity as forced from pg_class where oid = 'public.mail_outbox'::regclass`,
    );
    expect(outbox!.forced).toBe(true);
  }, 60_000);

  it('runs the same backup as a pg-boss job on BACKUP_SCHEDULE, and unschedules it when unset', async () => {
    const dir = path.join(workDir, 'scheduled');
    const config = testConfig({
      DATABASE_URL: t.database.url,
      BACKUP_DIR: dir,
      BACKUP_KEEP: '2',
      BACKUP_SCHEDULE: '0 3 * * *',
      PG_BIN_DIR: path.join(workDir, 'bin'),
    });
    const boss = await startBoss(t.database.url);
    try {
      await registerBackupJob(boss, config);
      expect((await boss.getSchedules(QUEUES.backupsRun.name)).map((s) => s.cron)).toEqual(['0 3 * * *']);
      const id = await boss.send(QUEUES.backupsRun.name, {});
      const deadline = Date.now() + 30_000;
      let job = await boss.getJobById<object>(QUEUES.backupsRun.name, id!);
      while (job?.state !== 'completed' && job?.state !== 'failed' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        job = await boss.getJobById<object>(QUEUES.backupsRun.name, id!);
      }
      expect(job?.state, JSON.stringify(job?.output)).toBe('completed');
      const files = readdirSync(dir);
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(/^invpro-\d{8}T\d{6}\.\d{3}Z\.dump$/);
      expect(job?.output).toMatchObject({ file: path.join(dir, files[0]!), deleted: 0 });

      await boss.offWork(QUEUES.backupsRun.name);
      await registerBackupJob(boss, { ...config, backup: { ...config.backup, schedule: undefined } });
      expect(await boss.getSchedules(QUEUES.backupsRun.name)).toEqual([]);
    } finally {
      await boss.stop({ graceful: false });
    }
  }, 60_000);

  it('refuses a missing or unreadable file and bad arguments (status 2), and a user bound by RLS', async () => {
    const missing = await invpro(['restore', path.join(workDir, 'nope.dump')], env(t.database.url));
    expect(missing.code).toBe(2);
    expect(missing.output).toContain('no such backup file');
    const garbage = path.join(workDir, 'garbage.dump');
    writeFileSync(garbage, 'not a dump at all');
    const unreadable = await invpro(['restore', garbage, '--force'], env(t.database.url));
    expect(unreadable.code).toBe(2);
    expect(unreadable.output).toContain('is not a backup pg_restore can read');
    // Refused before anything was dropped.
    const [{ n } = { n: 0 }] = await query<{ n: number }>(t.database.url, 'select count(*)::int as n from users');
    expect(n).toBe(2);
    // A user bound by RLS would dump nothing of the tenants': refused, naming the fix.
    const role = `invpro_backup_test_${randomBytes(4).toString('hex')}`;
    const secret = `pw-${randomBytes(8).toString('hex')}`;
    await query(serverUrl, `create role ${role} login password '${secret}'`);
    try {
      // Straight to the server: a pooler in between knows only its own users (test:pgbouncer).
      const bound = new URL(t.database.url);
      bound.host = new URL(serverUrl).host;
      bound.username = role;
      bound.password = secret;
      const refused = await invpro(['backup', '--dir', path.join(workDir, 'bound')], env(bound.toString()));
      expect(refused.code, refused.output).toBe(1);
      expect(refused.output).toContain(`"${role}" is bound by row-level security`);
      expect(refused.output).toContain('BYPASSRLS');
      expect(refused.output).not.toContain(secret);
    } finally {
      await query(serverUrl, `drop role if exists ${role}`);
    }
    const keep = await invpro(['backup', '--keep', '0'], env(t.database.url));
    expect(keep.code).toBe(2);
    expect(keep.output).toContain('--keep must be');
  });
});
