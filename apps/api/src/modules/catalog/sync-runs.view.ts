import { z } from 'zod';
import { SYNC_MODES, SYNC_SCOPES, SYNC_STATES, SYNC_TRIGGERS, SYNC_TYPES } from './schema.ts';
import type { SyncRunRow } from './sync-runs.queries.ts';

// What an answer shows of a sync run.

const counts = z.object({ created: z.number(), updated: z.number(), unchanged: z.number(), deleted: z.number() });

export const syncRunSchema = z
  .object({
    id: z.string(),
    store: z.string().describe('The store connection id'),
    trigger: z.enum(SYNC_TRIGGERS),
    type: z.enum(SYNC_TYPES),
    scope: z.enum(SYNC_SCOPES),
    mode: z.enum(SYNC_MODES).describe('What was asked'),
    path: z.enum(['bulk', 'paginated']).nullable().describe('The path taken, once planned'),
    path_reason: z.string().nullable().describe('Why that path: the estimate behind `auto`, or a fallback'),
    state: z.enum(SYNC_STATES),
    phase: z.string().nullable(),
    queued_at: z.string(),
    started_at: z.string().nullable(),
    finished_at: z.string().nullable(),
    cancel_requested_at: z.string().nullable(),
    progress: z.object({ done: z.number(), total: z.number().nullable() }),
    pages: z.number(),
    products_processed: z.number(),
    variants_processed: z.number(),
    levels_processed: z.number(),
    counts: z.object({ products: counts, variants: counts, levels: counts }),
    points_used: z.number(),
    throttle_wait_ms: z.number(),
    requests: z.number(),
    retries: z.number(),
    attempts: z.number(),
    errors: z.array(z.object({ at: z.string(), message: z.string() })),
  })
  .meta({ id: 'SyncRun' });

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function runView(run: SyncRunRow) {
  return {
    id: run.id,
    store: run.connectionId,
    trigger: run.trigger,
    type: run.type,
    scope: run.scope,
    mode: run.mode,
    path: run.path,
    path_reason: run.pathReason,
    state: run.state,
    phase: run.phase,
    queued_at: run.queuedAt.toISOString(),
    started_at: iso(run.startedAt),
    finished_at: iso(run.finishedAt),
    cancel_requested_at: iso(run.cancelRequestedAt),
    progress: { done: run.done, total: run.total },
    pages: run.pages,
    products_processed: run.productsProcessed,
    variants_processed: run.variantsProcessed,
    levels_processed: run.levelsProcessed,
    counts: { products: run.products, variants: run.variants, levels: run.levels },
    points_used: run.pointsUsed,
    throttle_wait_ms: run.throttleWaitMs,
    requests: run.requests,
    retries: run.retries,
    attempts: run.attempts,
    errors: run.errors,
  };
}
