import { hostname } from 'node:os';
import { sql } from 'drizzle-orm';
import type { Queryable, Transaction } from '../../db/client.ts';
import { newId } from '../../db/ids.ts';
import { withScope, withTenant } from '../../db/tenant.ts';
import { AppError } from '../../http/errors.ts';
import { QUEUES, sendInTransaction } from '../../jobs/boss.ts';
import { assertCanManageTeam, assertMember } from '../accounts/team.service.ts';
import { ShopifyError } from '../shopify/client.ts';
import { type ConnectionRow, findConnection, listConnections } from '../shopify/connections.queries.ts';
import type { ShopifyContext } from '../shopify/context.ts';
import { addCounts, type CatalogScope, noCounts, refreshStatistics } from './catalog.queries.ts';
import type { SyncCounts } from './schema.ts';
import { CatalogReader } from './shopify-reads.ts';
import { runBulk } from './sync-bulk.ts';
import { runPaginated } from './sync-paginated.ts';
import { planSync } from './sync-planner.ts';
import {
  cancelQueued,
  claimRun,
  findActiveRun,
  findRun,
  finishRun,
  insertRun,
  noteRunError,
  type RunProgress,
  releaseRun,
  requestCancel,
  type SyncRunRow,
  saveProgress,
  saveSyncState,
  syncStateOf,
} from './sync-runs.queries.ts';
import { scheduleNextSync } from './sync-schedule.ts';

// A sync run: requested by the API (one active run per store, found again by every later request),
// executed by a worker's job, resumable from its last committed checkpoint. Shopify is never called
// inside a transaction; each page's rows, the run's counters and its checkpoint commit together, so
// a worker killed at any moment leaves a run that resumes to the same result.

export interface SyncRequest {
  type?: 'products' | 'inventory' | undefined;
  store?: string | undefined;
  scope?: 'full' | 'incremental' | undefined;
  mode?: 'auto' | 'bulk' | 'paginated' | undefined;
}

export interface Actor {
  userId: string;
  orgId: string;
}

/** Stores a sync may run for: they hold credentials that work (or worked until a passing error). */
const SYNCABLE = ['connected', 'error'];

/**
 * Queue a run for each store asked for (by default every connected store of the organization),
 * and its job in the same transaction. A store with an active run answers that run instead
 * (`created: false`), whatever process created it: the partial unique index decides.
 */
export async function requestSync(
  ctx: ShopifyContext,
  actor: { orgId: string; userId: string | null },
  input: SyncRequest,
  trigger: 'manual' | 'schedule' | 'webhook' = 'manual',
): Promise<{ run: SyncRunRow; created: boolean }[]> {
  return withTenant(
    ctx.db,
    actor.orgId,
    async (tx) => {
      if (actor.userId) await assertMember(tx, { userId: actor.userId, orgId: actor.orgId });
      let stores: ConnectionRow[];
      if (input.store) {
        const one = await findConnection(tx, actor.orgId, input.store);
        if (!one) throw new AppError('not_found', 'No store connection with that id in this organization.');
        if (!SYNCABLE.includes(one.state)) {
          throw new AppError('conflict', `${one.shopDomain} is ${one.state}: connect it again before syncing.`);
        }
        stores = [one];
      } else {
        stores = (await listConnections(tx, actor.orgId)).filter((c) => SYNCABLE.includes(c.state));
        if (stores.length === 0) {
          throw new AppError('conflict', 'No connected store to sync. Connect a Shopify store first.');
        }
      }
      const out: { run: SyncRunRow; created: boolean }[] = [];
      for (const store of stores) {
        const state = await syncStateOf(tx, actor.orgId, store.id);
        const scope = input.scope ?? (state?.lastFullSyncAt ? 'incremental' : 'full');
        const run = await insertRun(tx, {
          orgId: actor.orgId,
          id: newId(),
          connectionId: store.id,
          trigger,
          type: input.type ?? 'products',
          scope,
          mode: input.mode ?? 'auto',
          state: 'queued',
          requestedBy: actor.userId,
          phase: 'queued',
        });
        if (!run) {
          out.push({ run: (await findActiveRun(tx, actor.orgId, store.id))!, created: false });
          continue;
        }
        if (ctx.jobs) {
          await sendInTransaction(tx, ctx.jobs, QUEUES.catalogSync.name, { org_id: actor.orgId, run_id: run.id });
        }
        out.push({ run, created: true });
      }
      return out;
    },
    actor.userId ?? undefined,
  );
}

/**
 * A store was just connected, or connected again: its sync starts now, in the transaction that saved
 * the connection (so the run and its job exist if and only if the connection does), and its schedule
 * resumes one interval later, replacing a scheduled sync queued before. Started here rather than by
 * the schedule's job so that the settings page finds the run as soon as the connect answer arrives.
 * `reconcile`: the store was not connected until now, so webhooks may have been missed and the run
 * reads the whole catalog. Without a job sender (tests without a worker) nothing would ever run it:
 * then no run is created. Answers the run started (or already active), if any.
 */
export async function startSyncOnConnect(
  ctx: ShopifyContext,
  tx: Transaction,
  p: { orgId: string; connectionId: string; userId: string; reconcile: boolean },
): Promise<SyncRunRow | undefined> {
  if (!ctx.jobs) return undefined;
  const state = await syncStateOf(tx, p.orgId, p.connectionId);
  const run = await insertRun(tx, {
    orgId: p.orgId,
    id: newId(),
    connectionId: p.connectionId,
    trigger: 'manual',
    type: 'products',
    scope: p.reconcile || !state?.lastFullSyncAt ? 'full' : 'incremental',
    mode: 'auto',
    state: 'queued',
    requestedBy: p.userId,
    phase: 'queued',
  });
  if (run) await sendInTransaction(tx, ctx.jobs, QUEUES.catalogSync.name, { org_id: p.orgId, run_id: run.id });
  const interval = (state?.intervalSeconds ?? ctx.config.shopify.syncIntervalProducts) * 1000;
  await scheduleNextSync(ctx, tx, {
    orgId: p.orgId,
    connectionId: p.connectionId,
    at: new Date(Date.now() + interval),
  });
  return run ?? (await findActiveRun(tx, p.orgId, p.connectionId));
}

export async function cancelSync(ctx: ShopifyContext, actor: Actor, runId: string): Promise<SyncRunRow> {
  return withTenant(
    ctx.db,
    actor.orgId,
    async (tx) => {
      await assertMember(tx, actor);
      const run = await findRun(tx, actor.orgId, runId);
      if (!run) throw new AppError('not_found', 'No sync run with that id in this organization.');
      if (run.state !== 'queued' && run.state !== 'running') {
        throw new AppError(
          'conflict',
          `This run has already ${run.state === 'cancelled' ? 'been cancelled' : run.state}.`,
        );
      }
      // A queued run ends now; a running one stops at its next checkpoint.
      return (await cancelQueued(tx, actor.orgId, runId)) ?? (await requestCancel(tx, actor.orgId, runId)) ?? run;
    },
    actor.userId,
  );
}

/** How often (in commits) a run checks the catalog tables' planner statistics. */
const STATISTICS_EVERY_COMMITS = 8;

/**
 * Change a store's schedule (owners and admins); the next sync is due one new interval from now.
 */
export async function setSchedule(
  ctx: ShopifyContext,
  actor: Actor,
  connectionId: string,
  input: { interval_seconds?: number | undefined; full_every_hours?: number | undefined },
): Promise<void> {
  await withTenant(
    ctx.db,
    actor.orgId,
    async (tx) => {
      await assertCanManageTeam(tx, actor).catch((err) => {
        if (err instanceof AppError && err.code === 'forbidden') {
          throw new AppError('forbidden', 'Only owners and admins can change a store’s sync schedule.');
        }
        throw err;
      });
      const store = await findConnection(tx, actor.orgId, connectionId);
      if (!store) throw new AppError('not_found', 'No store connection with that id in this organization.');
      const values: { intervalSeconds?: number; fullEveryHours?: number } = {};
      if (input.interval_seconds !== undefined) values.intervalSeconds = input.interval_seconds;
      if (input.full_every_hours !== undefined) values.fullEveryHours = input.full_every_hours;
      await saveSyncState(tx, actor.orgId, connectionId, values);
      const interval = (input.interval_seconds ?? ctx.config.shopify.syncIntervalProducts) * 1000;
      if (input.interval_seconds !== undefined && SYNCABLE.includes(store.state)) {
        await scheduleNextSync(ctx, tx, { orgId: actor.orgId, connectionId, at: new Date(Date.now() + interval) });
      }
    },
    actor.userId,
  );
}

/** Seconds a worker's hold on a run lasts without a checkpoint; renewed at every one. */
export const LEASE_SECONDS = 60;

const PROCESS_OWNER = `${hostname()}:${process.pid}`;

export class RunStopped extends Error {
  readonly why: 'cancelled' | 'lost';
  constructor(why: 'cancelled' | 'lost') {
    super(why === 'cancelled' ? 'The run was cancelled.' : 'Another worker took this run over.');
    this.why = why;
  }
}

/** Everything a path needs to read, write and checkpoint one run. */
export interface RunContext {
  ctx: ShopifyContext;
  scope: CatalogScope;
  run: SyncRunRow;
  connection: ConnectionRow;
  reader: CatalogReader;
  progress: RunProgress;
  /** Aborted when the worker stops: waits end early, the checkpoint holds. */
  signal: AbortSignal | undefined;
  /**
   * Commit `write` (the data) with the run's progress and checkpoint in one transaction, and renew
   * the lease. Throws RunStopped when the run was cancelled or taken over.
   */
  commit(write?: (tx: Parameters<Parameters<typeof withTenant>[2]>[0]) => Promise<void>): Promise<void>;
  /** Add to one kind's counts. */
  count(kind: 'products' | 'variants' | 'levels', counts: Partial<SyncCounts>): void;
  phase(name: string, total?: number | null): void;
  /** Copy the reader's meter (requests, retries, points, throttle waits) into the progress. */
  meterInto(): void;
}

function progressOf(run: SyncRunRow): RunProgress {
  return {
    phase: run.phase ?? 'queued',
    total: run.total,
    done: run.done,
    pages: run.pages,
    productsProcessed: run.productsProcessed,
    variantsProcessed: run.variantsProcessed,
    levelsProcessed: run.levelsProcessed,
    products: { ...noCounts(), ...run.products },
    variants: { ...noCounts(), ...run.variants },
    levels: { ...noCounts(), ...run.levels },
    pointsUsed: run.pointsUsed,
    throttleWaitMs: run.throttleWaitMs,
    requests: run.requests,
    retries: run.retries,
    checkpoint: { ...run.checkpoint },
    path: run.path,
    pathReason: run.pathReason,
  };
}

/** Transient: Shopify or the network will likely answer later; pg-boss retries the job. */
export function isTransient(err: unknown): boolean {
  if (err instanceof ShopifyError) return err.kind === 'unreachable' || err.kind === 'rate_limited';
  if (err instanceof AppError) return err.code === 'upstream';
  const code = (err as { code?: string })?.code;
  // Connection-level failures of PostgreSQL or the network.
  return typeof code === 'string' && /^(08|57P0|53)|^E(CONNRESET|CONNREFUSED|PIPE|TIMEDOUT)$/.test(code);
}

export type ExecuteOutcome = 'succeeded' | 'failed' | 'cancelled' | 'not_mine' | 'lost';

/**
 * Execute (or resume) one run. Returns how it ended; throws a transient error for pg-boss to retry
 * unless `finalAttempt`, when the run is marked failed instead.
 */
export async function executeRun(
  ctx: ShopifyContext,
  job: { orgId: string; runId: string },
  opts: { owner?: string; finalAttempt?: boolean; signal?: AbortSignal } = {},
): Promise<ExecuteOutcome> {
  const owner = opts.owner ?? `${PROCESS_OWNER}:${newId()}`;
  const { orgId, runId } = job;
  const claimed = await claimWhenFree(ctx, orgId, runId, owner, opts.signal);
  if (!claimed) return 'not_mine';
  if (claimed.cancelRequestedAt) {
    await withTenant(ctx.db, orgId, (tx) => finishRun(tx, { orgId, id: runId, owner, state: 'cancelled' }));
    return 'cancelled';
  }
  const connection = await withTenant(ctx.db, orgId, (tx) => findConnection(tx, orgId, claimed.connectionId));
  if (!connection || !SYNCABLE.includes(connection.state)) {
    await withTenant(ctx.db, orgId, (tx) =>
      finishRun(tx, {
        orgId,
        id: runId,
        owner,
        state: 'failed',
        error: connection
          ? `${connection.shopDomain} is ${connection.state}: connect it again.`
          : 'The store was removed.',
      }),
    );
    return 'failed';
  }
  const scope = { orgId, connectionId: connection.id };
  const reader = new CatalogReader({
    ctx,
    orgId,
    connectionId: connection.id,
    shop: connection.shopDomain,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  const progress = progressOf(claimed);
  const metered = {
    points: progress.pointsUsed,
    wait: progress.throttleWaitMs,
    requests: progress.requests,
    retries: progress.retries,
  };
  let commits = 0;
  const rc: RunContext = {
    ctx,
    scope,
    run: claimed,
    connection,
    reader,
    progress,
    signal: opts.signal,
    count(kind, counts) {
      addCounts(progress[kind], counts);
    },
    phase(name, total = null) {
      progress.phase = name;
      progress.total = total;
      progress.done = 0;
    },
    meterInto() {
      progress.pointsUsed = metered.points + reader.meter.pointsUsed;
      progress.throttleWaitMs = Math.round(metered.wait + reader.meter.throttledWaitMs);
      progress.requests = metered.requests + reader.meter.requests;
      progress.retries = metered.retries + reader.meter.retries;
    },
    async commit(write) {
      rc.meterInto();
      // The data first, then the progress that describes it; a lost lease rolls both back.
      // Not durable: a database crash may lose the last batches with their checkpoint, and the run redoes them.
      const outcome = await withScope(ctx.db, { orgId, durable: false }, async (tx) => {
        if (write) await write(tx);
        const saved = await saveProgress(tx, { orgId, id: runId, owner, leaseSeconds: LEASE_SECONDS, progress });
        if (!saved.held) throw new RunStopped('lost');
        return saved;
      });
      if (outcome.cancelRequested) throw new RunStopped('cancelled');
      // A first sync grows the tables from nothing: keep the planner's statistics up with them.
      if (++commits % STATISTICS_EVERY_COMMITS === 1) await refreshStatistics(ctx.db);
    },
  };

  try {
    if (!progress.path) await plan(rc);
    if (progress.path === 'bulk') await runBulk(rc);
    else await runPaginated(rc);
    await finalize(rc, owner);
    return 'succeeded';
  } catch (err) {
    if (err instanceof RunStopped) {
      if (err.why === 'lost') return 'lost';
      await withTenant(ctx.db, orgId, (tx) => finishRun(tx, { orgId, id: runId, owner, state: 'cancelled', progress }));
      return 'cancelled';
    }
    rc.meterInto();
    const message = err instanceof Error ? err.message : String(err);
    if (opts.signal?.aborted) {
      // The worker is stopping: the checkpoint holds, and the retried job resumes there at once.
      await withTenant(ctx.db, orgId, (tx) => releaseRun(tx, orgId, runId, owner));
      throw err;
    }
    if (isTransient(err) && !opts.finalAttempt) {
      await withTenant(ctx.db, orgId, (tx) => noteRunError(tx, orgId, runId, message));
      throw err;
    }
    await withTenant(ctx.db, orgId, (tx) =>
      finishRun(tx, { orgId, id: runId, owner, state: 'failed', error: message, progress }),
    );
    return 'failed';
  }
}

/** A run whose previous worker died is taken once its lease lapses (at most LEASE_SECONDS). */
async function claimWhenFree(
  ctx: ShopifyContext,
  orgId: string,
  runId: string,
  owner: string,
  signal?: AbortSignal,
): Promise<SyncRunRow | undefined> {
  const deadline = Date.now() + (LEASE_SECONDS + 5) * 1000;
  for (;;) {
    const claimed = await withTenant(ctx.db, orgId, (tx) =>
      claimRun(tx, { orgId, id: runId, owner, leaseSeconds: LEASE_SECONDS }),
    );
    if (claimed) return claimed;
    const run = await withTenant(ctx.db, orgId, (tx) => findRun(tx, orgId, runId));
    if (!run || (run.state !== 'queued' && run.state !== 'running')) return undefined;
    if (Date.now() > deadline || signal?.aborted) return undefined;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Choose the path (auto) from the catalog's size and the store's throttle, and say why. */
async function plan(rc: RunContext) {
  rc.phase('planning');
  const { run, reader } = rc;
  const state = await withTenant(rc.ctx.db, rc.scope.orgId, (tx) =>
    syncStateOf(tx, rc.scope.orgId, rc.scope.connectionId),
  );
  const filter = run.scope === 'incremental' ? updatedSince(state?.productsWatermark ?? null) : null;
  const counts = await reader.counts(filter);
  const locations = await reader.locations();
  const throttle = rc.ctx.client.throttle(rc.connection.shopDomain);
  const copy = filter ? await withTenant(rc.ctx.db, rc.scope.orgId, (tx) => copySize(tx, rc.scope)) : null;
  const decided = planSync(
    {
      scope: run.scope,
      type: run.type,
      products: counts.products,
      // Changed products since the watermark, with the copy's variants per product.
      variants: copy ? Math.round((counts.products * copy.variants) / Math.max(1, copy.products)) : counts.variants,
      activeLocations: locations.filter((l) => l.isActive).length,
      throttle,
    },
    run.mode,
  );
  rc.progress.path = decided.path;
  rc.progress.pathReason = decided.reason;
  rc.progress.checkpoint = {
    ...rc.progress.checkpoint,
    productsFilter: filter,
    levelsFilter: run.scope === 'incremental' ? updatedSince(state?.levelsWatermark ?? null) : null,
    // What the progress bar counts towards.
    expectedProducts: counts.products,
  };
  await rc.commit();
}

/** Shopify's search index lags its writes: an incremental read starts this long before the watermark. */
export const OVERLAP_MS = 5 * 60 * 1000;

export function updatedSince(watermark: Date | null): string | null {
  if (!watermark) return null;
  return `updated_at:>'${new Date(watermark.getTime() - OVERLAP_MS).toISOString().replace(/\.\d{3}Z$/, 'Z')}'`;
}

/** The run completed: watermarks and freshness move, in the transaction that ends the run. */
async function finalize(rc: RunContext, owner: string) {
  const { run, scope, progress } = rc;
  rc.phase('finished');
  rc.meterInto();
  const cp = progress.checkpoint as { maxProductUpdatedAt?: string; levelsStartedAt?: string };
  await withTenant(rc.ctx.db, scope.orgId, async (tx) => {
    const previous = await syncStateOf(tx, scope.orgId, scope.connectionId);
    const products = run.type === 'products';
    const later = (a: Date | null | undefined, b: string | undefined) =>
      b && (!a || new Date(b) > a) ? new Date(b) : (a ?? null);
    await saveSyncState(tx, scope.orgId, scope.connectionId, {
      productsWatermark: products
        ? later(previous?.productsWatermark, cp.maxProductUpdatedAt)
        : (previous?.productsWatermark ?? null),
      levelsWatermark: later(previous?.levelsWatermark, cp.levelsStartedAt),
      lastFullSyncAt: products && run.scope === 'full' ? run.startedAt : (previous?.lastFullSyncAt ?? null),
      // The copy equalled Shopify as of the run's start: later changes arrive by webhook or the next run.
      freshAt: products ? run.startedAt : (previous?.freshAt ?? null),
      lastRunId: run.id,
    });
    await finishRun(tx, { orgId: scope.orgId, id: run.id, owner, state: 'succeeded', progress });
  });
  // The API reads the copy next: its planner statistics follow what the run wrote (a first sync's
  // few commits could leave them describing empty tables, and the locations list took 6–7 s).
  await refreshStatistics(rc.ctx.db, { all: true });
}

/** Products and variants the copy holds now (live ones). */
export async function copySize(tx: Queryable, scope: CatalogScope): Promise<{ products: number; variants: number }> {
  const result = await tx.execute(sql`
    select (select count(*)::int from catalog_products where org_id = ${scope.orgId} and connection_id = ${scope.connectionId} and deleted_at is null) as products,
           (select count(*)::int from catalog_variants where org_id = ${scope.orgId} and connection_id = ${scope.connectionId} and deleted_at is null) as variants`);
  return result.rows[0] as { products: number; variants: number };
}
