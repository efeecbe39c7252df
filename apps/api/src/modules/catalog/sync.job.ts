import type { PgBoss } from 'pg-boss';
import { z } from 'zod';
import { withTenant } from '../../db/tenant.ts';
import { QUEUES } from '../../jobs/boss.ts';
import { jobMetrics } from '../../observability/metrics.ts';
import type { ShopifyContext } from '../shopify/context.ts';
import { executeRun, requestSync } from './sync.service.ts';
import { findRun, syncStateOf } from './sync-runs.queries.ts';
import { scheduleNextSync } from './sync-schedule.ts';
import { applyCatalogWebhooks } from './webhook-apply.ts';

const runJob = z.object({ org_id: z.uuid(), run_id: z.uuid() });
const storeJob = z.object({ org_id: z.uuid(), connection_id: z.uuid() });

/**
 * A store's scheduled sync: incremental every SHOPIFY_SYNC_INTERVAL_PRODUCTS seconds (or the
 * store's own interval), a full reconciliation when the last one is older than its period
 * (daily by default). Then the next one is queued: found by pg-boss, never by a loop over tenants.
 */
export async function runScheduledSync(ctx: ShopifyContext, job: { orgId: string; connectionId: string }) {
  const { orgId, connectionId } = job;
  const state = await withTenant(ctx.db, orgId, (tx) => syncStateOf(tx, orgId, connectionId));
  const fullDue =
    !state?.lastFullSyncAt || Date.now() - state.lastFullSyncAt.getTime() >= (state.fullEveryHours ?? 24) * 3600_000;
  let started: string | undefined;
  try {
    const [result] = await requestSync(
      ctx,
      { orgId, userId: null },
      { store: connectionId, scope: fullDue ? 'full' : 'incremental' },
      'schedule',
    );
    started = result?.run.id;
  } catch (err) {
    // A store that is no longer connected has no next sync; connecting it again schedules one.
    if ((err as { code?: string }).code === 'not_found' || (err as { code?: string }).code === 'conflict') {
      return { started: null, next: null };
    }
    throw err;
  }
  const interval = (state?.intervalSeconds ?? ctx.config.shopify.syncIntervalProducts) * 1000;
  const at = new Date(Date.now() + interval);
  await withTenant(ctx.db, orgId, (tx) => scheduleNextSync(ctx, tx, { orgId, connectionId, at }));
  return { started, next: at.toISOString() };
}

/**
 * A run executed with its metrics: the Shopify points and throttle waits this execution added to
 * the run's own meter (a resumed run's earlier part was counted by the worker that did it), and
 * the run's duration once it has finished. Two reads of the run's row, per run not per page.
 */
export async function executeRunObserved(
  ctx: ShopifyContext,
  job: { orgId: string; runId: string },
  opts: Parameters<typeof executeRun>[2],
) {
  const { orgId, runId } = job;
  const read = () => withTenant(ctx.db, orgId, (tx) => findRun(tx, orgId, runId));
  const before = await read();
  try {
    return await executeRun(ctx, job, opts);
  } finally {
    const after = await read().catch(() => undefined);
    if (before && after) {
      jobMetrics.shopifyPoints.inc(Math.max(0, after.pointsUsed - before.pointsUsed));
      jobMetrics.shopifyThrottleWait.inc(Math.max(0, after.throttleWaitMs - before.throttleWaitMs) / 1000);
      const finished = ['succeeded', 'failed', 'cancelled'].includes(after.state);
      if (finished && after.finishedAt && before.state !== after.state) {
        const started = after.startedAt ?? after.queuedAt;
        jobMetrics.syncDuration.observe(
          { mode: after.mode, outcome: after.state },
          Math.max(0, (after.finishedAt.getTime() - started.getTime()) / 1000),
        );
      }
    }
  }
}

export async function registerCatalogJobs(boss: PgBoss, ctx: ShopifyContext) {
  await boss.work(QUEUES.catalogSync.name, { includeMetadata: true, localConcurrency: 2 }, async ([job]) => {
    const { org_id, run_id } = runJob.parse(job!.data);
    return executeRunObserved(
      ctx,
      { orgId: org_id, runId: run_id },
      { finalAttempt: job!.retryCount >= job!.retryLimit, signal: job!.signal },
    );
  });
  await boss.work(QUEUES.catalogSchedule.name, async ([job]) => {
    const { org_id, connection_id } = storeJob.parse(job!.data);
    return runScheduledSync(ctx, { orgId: org_id, connectionId: connection_id });
  });
  // Polled every half second (pg-boss's least; its default is 2 s): the batch is due a second after
  // its first delivery, and an edit in Shopify should be in the copy within a few seconds.
  await boss.work(QUEUES.catalogWebhooks.name, { pollingIntervalSeconds: 0.5 }, async ([job]) => {
    const { org_id, connection_id } = storeJob.parse(job!.data);
    return applyCatalogWebhooks(ctx, { orgId: org_id, connectionId: connection_id });
  });
}
