import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { closeDatabase, createDatabase } from '../db/client.ts';
import { startEmbeddedPostgres, stopOnSignals } from '../db/embedded.ts';
import { runMigrations } from '../db/migrate.ts';

export const TEMPLATE_DB = 'invpro_template';

declare module 'vitest' {
  export interface ProvidedContext {
    pgServerUrl: string;
    pgTemplate: string;
  }
}

/**
 * One real PostgreSQL for the whole run; a migrated template database that each test file clones
 * (CREATE DATABASE … TEMPLATE takes milliseconds, migrating takes much longer).
 */
export default async function setup(project: TestProject) {
  // A superuser URL of a server someone else runs (PostgreSQL 15 behind PgBouncer in test:pgbouncer):
  // used instead of starting the embedded one.
  const externalUrl = process.env.TEST_PG_SERVER_URL;
  if (externalUrl) {
    // A template of this run's own: a nested run (exit-status.test.ts) shares the server.
    const template = `${TEMPLATE_DB}_${process.pid}`;
    const admin = new pg.Client(externalUrl);
    await admin.connect();
    await admin.query(`drop database if exists ${template} with (force)`);
    await admin.query(`create database ${template}`);
    await admin.end();
    // Migrations go direct: they hold a session advisory lock, which a transaction pooler cannot keep.
    const db = createDatabase(externalUrl.replace(/\/postgres$/, `/${template}`), { max: 1 });
    await runMigrations(db).finally(() => closeDatabase(db));
    project.provide('pgServerUrl', externalUrl);
    project.provide('pgTemplate', template);
    return async () => {
      const c = new pg.Client(externalUrl);
      await c.connect();
      await c.query(`drop database if exists ${template} with (force)`);
      await c.end();
    };
  }
  const dataDir = mkdtempSync(path.join(tmpdir(), 'invpro-test-'));
  // Our own folder: as root, the postgres user must be able to enter it.
  chmodSync(dataDir, 0o755);
  const removeData = () => rmSync(dataDir, { recursive: true, force: true });
  const server = await startEmbeddedPostgres(dataDir, { ephemeral: true }).catch((err) => {
    removeData();
    throw err;
  });
  stopOnSignals(server);
  try {
    const admin = new pg.Client(server.url);
    await admin.connect();
    await admin.query(`create database ${TEMPLATE_DB}`);
    await admin.end();
    const templateUrl = server.url.replace(/\/postgres$/, `/${TEMPLATE_DB}`);
    const db = createDatabase(templateUrl, { max: 1 });
    await runMigrations(db);
    await closeDatabase(db);
  } catch (err) {
    await server.stop();
    removeData();
    throw err;
  }
  project.provide('pgServerUrl', server.url);
  project.provide('pgTemplate', TEMPLATE_DB);
  return async () => {
    await server.stop();
    removeData();
  };
}
