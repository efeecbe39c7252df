import { and, count, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { ACTIVE_SYNC_STATES, type SyncCounts, syncRuns, syncStates } from './schema.ts';

// sync_runs and sync_states: every write of them is here.

export type SyncRunRow = typeof syncRuns.$inferSelect;
export type SyncStateRow = typeof syncStates.$inferSelect;
type RunInsert = typeof syncRuns.$inferInsert;

/** A new run, unless the store already has an active one (the partial unique index decides, across processes). */
export async function insertRun(tx: Queryable, run: RunInsert): Promise<SyncRunRow | undefined> {
  const [row] = await tx
    .insert(syncRuns)
    .values(run)
    .onConflictDoNothing({
      target: [syncRuns.orgId, syncRuns.connectionId],
      where: sql`state in ('queued', 'running')`,
    })
    .returning();
  return row;
}

export async function findRun(tx: Queryable, orgId: string, id: string): Promise<SyncRunRow | undefined> {
  const [row] = await tx
    .select()
    .from(syncRuns)
    .where(and(eq(syncRuns.orgId, orgId), eq(syncRuns.id, id)));
  return row;
}

export async function findActiveRun(tx: Queryable, orgId: string, connectionId: string) {
  const [row] = await tx
    .select()
    .from(syncRuns)
    .where(
      and(
        eq(syncRuns.orgId, orgId),
        eq(syncRuns.connectionId, connectionId),
        inArray(syncRuns.state, [...ACTIVE_SYNC_STATES]),
      ),
    );
  return row;
}

export async function listRuns(
  tx: Queryable,
  p: { orgId: string; connectionId?: string | undefined; states?: string[] | undefined; limit: number; offset: number },
): Promise<{ rows: SyncRunRow[]; count: number }> {
  const where = and(
    eq(syncRuns.orgId, p.orgId),
    p.connectionId ? eq(syncRuns.connectionId, p.connectionId) : undefined,
    p.states?.length ? inArray(syncRuns.state, p.states as SyncRunRow['state'][]) : undefined,
  );
  const [total] = await tx.select({ n: count() }).from(syncRuns).where(where);
  const rows = await tx
    .select()
    .from(syncRuns)
    .where(where)
    .orderBy(desc(syncRuns.queuedAt), desc(syncRuns.id))
    .limit(p.limit)
    .offset(p.offset);
  return { rows, count: total?.n ?? 0 };
}

/** The latest run of each store (for the status page). */
export async function latestRuns(tx: Queryable, orgId: string): Promise<SyncRunRow[]> {
  return tx
    .selectDistinctOn([syncRuns.connectionId])
    .from(syncRuns)
    .where(eq(syncRuns.orgId, orgId))
    .orderBy(syncRuns.connectionId, desc(syncRuns.queuedAt), desc(syncRuns.id));
}

/**
 * Take the run for this worker: when it is queued, or running with a lapsed lease (its worker
 * died). Returns the row, or undefined when another worker holds it or it has ended.
 */
export async function claimRun(
  tx: Queryable,
  p: { orgId: string; id: string; owner: string; leaseSeconds: number },
): Promise<SyncRunRow | undefined> {
  const [row] = await tx
    .update(syncRuns)
    .set({
      state: 'running',
      startedAt: sql`coalesce(${syncRuns.startedAt}, now())`,
      leaseOwner: p.owner,
      leaseUntil: sql`now() + make_interval(secs => ${p.leaseSeconds})`,
      attempts: sql`${syncRuns.attempts} + 1`,
    })
    .where(
      and(
        eq(syncRuns.orgId, p.orgId),
        eq(syncRuns.id, p.id),
        sql`(${syncRuns.state} = 'queued' or (${syncRuns.state} = 'running' and (${syncRuns.leaseUntil} is null or ${syncRuns.leaseUntil} < now() or ${syncRuns.leaseOwner} = ${p.owner})))`,
      ),
    )
    .returning();
  return row;
}

export interface RunProgress {
  phase: string;
  total: number | null;
  done: number;
  pages: number;
  productsProcessed: number;
  variantsProcessed: number;
  levelsProcessed: number;
  products: SyncCounts;
  variants: SyncCounts;
  levels: SyncCounts;
  pointsUsed: number;
  throttleWaitMs: number;
  requests: number;
  retries: number;
  checkpoint: Record<string, unknown>;
  path?: 'bulk' | 'paginated' | null;
  pathReason?: string | null;
}

/**
 * Save progress and checkpoint (in the transaction that wrote the data they describe) and renew
 * the lease. False when this worker no longer holds the run: it must stop.
 */
export async function saveProgress(
  tx: Queryable,
  p: { orgId: string; id: string; owner: string; leaseSeconds: number; progress: RunProgress },
): Promise<{ held: boolean; cancelRequested: boolean }> {
  const [row] = await tx
    .update(syncRuns)
    .set({ ...p.progress, leaseUntil: sql`now() + make_interval(secs => ${p.leaseSeconds})` })
    .where(
      and(
        eq(syncRuns.orgId, p.orgId),
        eq(syncRuns.id, p.id),
        eq(syncRuns.leaseOwner, p.owner),
        eq(syncRuns.state, 'running'),
      ),
    )
    .returning({ cancelRequestedAt: syncRuns.cancelRequestedAt });
  return { held: row !== undefined, cancelRequested: Boolean(row?.cancelRequestedAt) };
}

export async function finishRun(
  tx: Queryable,
  p: {
    orgId: string;
    id: string;
    owner?: string;
    state: 'succeeded' | 'failed' | 'cancelled';
    error?: string | undefined;
    progress?: RunProgress;
  },
): Promise<SyncRunRow | undefined> {
  const [row] = await tx
    .update(syncRuns)
    .set({
      ...(p.progress ?? {}),
      state: p.state,
      finishedAt: sql`now()`,
      leaseOwner: null,
      leaseUntil: null,
      ...(p.error
        ? {
            errors: sql`${syncRuns.errors} || ${JSON.stringify([{ at: new Date().toISOString(), message: p.error.slice(0, 2000) }])}::jsonb`,
          }
        : {}),
    })
    .where(
      and(
        eq(syncRuns.orgId, p.orgId),
        eq(syncRuns.id, p.id),
        inArray(syncRuns.state, [...ACTIVE_SYNC_STATES]),
        p.owner ? eq(syncRuns.leaseOwner, p.owner) : undefined,
      ),
    )
    .returning();
  return row;
}

/** An error the run survived (it retries), for the run's history. */
export async function noteRunError(tx: Queryable, orgId: string, id: string, message: string) {
  await tx
    .update(syncRuns)
    .set({
      errors: sql`(${syncRuns.errors} || ${JSON.stringify([{ at: new Date().toISOString(), message: message.slice(0, 2000) }])}::jsonb)`,
      leaseUntil: null,
    })
    .where(and(eq(syncRuns.orgId, orgId), eq(syncRuns.id, id)));
}

/** The worker lets go of a run it could not finish (it is stopping): the next one need not wait for the lease. */
export async function releaseRun(tx: Queryable, orgId: string, id: string, owner: string) {
  await tx
    .update(syncRuns)
    .set({ leaseUntil: null })
    .where(and(eq(syncRuns.orgId, orgId), eq(syncRuns.id, id), eq(syncRuns.leaseOwner, owner)));
}

export async function requestCancel(tx: Queryable, orgId: string, id: string): Promise<SyncRunRow | undefined> {
  const [row] = await tx
    .update(syncRuns)
    .set({ cancelRequestedAt: sql`coalesce(${syncRuns.cancelRequestedAt}, now())` })
    .where(and(eq(syncRuns.orgId, orgId), eq(syncRuns.id, id), inArray(syncRuns.state, [...ACTIVE_SYNC_STATES])))
    .returning();
  return row;
}

/** A queued run nobody has started can end at once. */
export async function cancelQueued(tx: Queryable, orgId: string, id: string): Promise<SyncRunRow | undefined> {
  const [row] = await tx
    .update(syncRuns)
    .set({ state: 'cancelled', finishedAt: sql`now()` })
    .where(and(eq(syncRuns.orgId, orgId), eq(syncRuns.id, id), eq(syncRuns.state, 'queued')))
    .returning();
  return row;
}

export async function syncStateOf(tx: Queryable, orgId: string, connectionId: string) {
  const [row] = await tx
    .select()
    .from(syncStates)
    .where(and(eq(syncStates.orgId, orgId), eq(syncStates.connectionId, connectionId)));
  return row;
}

export async function syncStatesOf(tx: Queryable, orgId: string): Promise<SyncStateRow[]> {
  return tx.select().from(syncStates).where(eq(syncStates.orgId, orgId));
}

export async function saveSyncState(
  tx: Queryable,
  orgId: string,
  connectionId: string,
  values: Partial<Omit<typeof syncStates.$inferInsert, 'orgId' | 'connectionId'>>,
) {
  await tx
    .insert(syncStates)
    .values({ orgId, connectionId, ...values })
    .onConflictDoUpdate({
      target: [syncStates.orgId, syncStates.connectionId],
      set: { ...values, updatedAt: sql`now()` },
    });
}
