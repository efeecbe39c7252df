import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.ts';
import { closeDatabase, createDatabase } from '../db/client.ts';
import { createTestApp, type TestApp, testConfig } from '../test/app.ts';
import { drainThenClose, notReadyBecause, type Readiness } from './health.ts';

describe('liveness and readiness', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('live answers without the database; ready checks it, and /api/health/ is unchanged', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/health/live/' })).json()).toEqual({ status: 'ok' });
    const ready = await t.app.inject({ method: 'GET', url: '/api/health/ready/' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ok' });
    expect((await t.app.inject({ method: 'GET', url: '/api/health/' })).json()).toEqual({ status: 'ok' });
  });

  it('is not ready while a migration this build ships is missing from the database', async () => {
    const newest = await t.database.db.execute(
      sql`select id, hash, created_at from drizzle.__drizzle_migrations order by created_at desc limit 1`,
    );
    const row = newest.rows[0] as { id: number; hash: string; created_at: string };
    await t.database.db.execute(sql`delete from drizzle.__drizzle_migrations where id = ${row.id}`);
    try {
      const res = await t.app.inject({ method: 'GET', url: '/api/health/ready/' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({ status: 'unavailable', detail: expect.stringContaining('missing migrations') });
      // Liveness does not depend on the database: a restart would not fix a missing migration.
      expect((await t.app.inject({ method: 'GET', url: '/api/health/live/' })).statusCode).toBe(200);
    } finally {
      await t.database.db.execute(
        sql`insert into drizzle.__drizzle_migrations (id, hash, created_at) values (${row.id}, ${row.hash}, ${row.created_at})`,
      );
    }
    expect((await t.app.inject({ method: 'GET', url: '/api/health/ready/' })).statusCode).toBe(200);
  });

  it('is not ready when the database does not answer, and says so within about a second', async () => {
    // Nothing listens on port 9 (discard) here: the connection is refused at once.
    const db = createDatabase('postgres://invpro:x@127.0.0.1:9/none');
    try {
      const started = Date.now();
      const why = await notReadyBecause(db, { shuttingDown: false }, 0);
      expect(why).toBe('The database did not answer within a second.');
      expect(Date.now() - started).toBeLessThan(1500);
    } finally {
      await closeDatabase(db);
    }
  });

  it('turns ready to 503 when shutdown starts, while the listener still answers, then closes', async () => {
    const readiness: Readiness = { shuttingDown: false };
    const app = await buildApp({ config: testConfig({ LOG_LEVEL: 'silent' }), db: t.database.db, readiness });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    expect((await fetch(`${base}/api/health/ready/`)).status).toBe(200);
    const stopping = drainThenClose(app, readiness, 400);
    const during = await fetch(`${base}/api/health/ready/`);
    expect(during.status).toBe(503);
    expect(((await during.json()) as { detail: string }).detail).toBe('The server is shutting down.');
    expect((await fetch(`${base}/api/health/live/`)).status).toBe(200);
    await stopping;
    await expect(fetch(`${base}/api/health/live/`)).rejects.toThrow();
  });
});
