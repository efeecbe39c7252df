import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../db/client.ts';
import { MIGRATIONS_FOLDER } from '../db/migrate.ts';

const READY_TIMEOUT_MS = 1000;

/** The newest migration this build ships: drizzle records each applied one with its `when`. */
function newestShippedMigration(): number {
  const journal = JSON.parse(readFileSync(path.join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as {
    entries: { when: number }[];
  };
  return Math.max(...journal.entries.map((e) => e.when));
}

/**
 * The process's readiness: false from the moment shutdown starts, so a load balancer stops
 * sending before the listener closes (main.ts waits a moment between the two).
 */
export interface Readiness {
  shuttingDown: boolean;
}

async function withinDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Why the process is not ready, or undefined when it is. */
export async function notReadyBecause(
  db: Database,
  readiness: Readiness,
  expected: number,
): Promise<string | undefined> {
  if (readiness.shuttingDown) return 'The server is shutting down.';
  try {
    const res = await withinDeadline(
      db.execute(sql`select coalesce(max(created_at), 0)::float8 as newest from drizzle.__drizzle_migrations`),
      READY_TIMEOUT_MS,
    );
    const newest = Number((res.rows[0] as { newest: number }).newest);
    if (newest < expected) return 'The database is missing migrations: run `invpro migrate`.';
    return undefined;
  } catch (err) {
    // Drizzle wraps the driver's error; undefined_table / invalid_schema: never migrated.
    const code = (err as { cause?: { code?: string } }).cause?.code ?? (err as { code?: string }).code;
    if (code === '42P01' || code === '3F000') return 'The database has no migrations: run `invpro migrate`.';
    return 'The database did not answer within a second.';
  }
}

const healthy = z.object({ status: z.literal('ok') });
const unhealthy = z.object({ status: z.literal('unavailable'), detail: z.string() });

/** Probes: live (the process answers, no database) and ready (database, migrations, not stopping). */
export async function registerProbes(app: FastifyInstance, db: Database, readiness: Readiness) {
  const expected = newestShippedMigration();
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get(
    '/api/health/live/',
    {
      schema: {
        tags: ['system'],
        summary: 'Liveness: the process answers (no database check)',
        response: { 200: healthy },
      },
    },
    async () => ({ status: 'ok' as const }),
  );
  typed.get(
    '/api/health/ready/',
    {
      schema: {
        tags: ['system'],
        summary: 'Readiness: the database answers within 1 s, its migrations are applied, and no shutdown is under way',
        response: { 200: healthy, 503: unhealthy },
      },
    },
    async (_request, reply) => {
      const why = await notReadyBecause(db, readiness, expected);
      if (why) return reply.code(503).header('retry-after', '5').send({ status: 'unavailable', detail: why });
      return { status: 'ok' as const };
    },
  );
}

/**
 * Graceful stop of the API: readiness turns 503 first, the listener keeps answering for `drainMs`
 * (long enough for a load balancer's probe to notice), then closes and lets requests in flight finish.
 */
export async function drainThenClose(app: FastifyInstance, readiness: Readiness, drainMs: number) {
  readiness.shuttingDown = true;
  if (drainMs > 0) await new Promise((resolve) => setTimeout(resolve, drainMs));
  await app.close();
}
