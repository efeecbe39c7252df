import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../../db/client.ts';
import { withTenant } from '../../db/tenant.ts';
import { latestRuns, syncStatesOf } from './sync-runs.queries.ts';
import { runView, syncRunSchema } from './sync-runs.view.ts';

// What each store's sync looks like from outside: the last run, the next scheduled one, the
// watermarks, the copy's size and its freshness (when it was last known to equal Shopify).

export const storeSyncSchema = z
  .object({
    last_run: syncRunSchema.nullable(),
    next_sync_at: z.string().nullable(),
    fresh_at: z.string().nullable().describe('When the copy was last known to equal Shopify'),
    last_full_sync_at: z.string().nullable(),
    products_watermark: z.string().nullable(),
    levels_watermark: z.string().nullable(),
    interval_seconds: z.number(),
    full_every_hours: z.number(),
    product_count: z.number(),
    variant_count: z.number(),
  })
  .meta({ id: 'StoreSync' });

export type StoreSync = z.infer<typeof storeSyncSchema>;

const iso = (d: Date | null | undefined) => d?.toISOString() ?? null;

/** Every store's sync summary, keyed by connection id (stores never synced have the defaults). */
export async function storeSyncSummaries(
  db: Database,
  actor: { orgId: string; userId: string },
  defaultIntervalSeconds: number,
): Promise<Map<string, StoreSync>> {
  const { orgId } = actor;
  const { runs, states, sizes } = await withTenant(
    db,
    orgId,
    async (tx) => ({
      runs: await latestRuns(tx, orgId),
      states: await syncStatesOf(tx, orgId),
      sizes: (
        await tx.execute(sql`
          select connection_id, sum(products)::int as products, sum(variants)::int as variants from (
            select connection_id, count(*) as products, 0 as variants from catalog_products
            where org_id = ${orgId} and deleted_at is null group by connection_id
            union all
            select connection_id, 0, count(*) from catalog_variants
            where org_id = ${orgId} and deleted_at is null group by connection_id
          ) s group by connection_id`)
      ).rows as { connection_id: string; products: number; variants: number }[],
    }),
    actor.userId,
  );
  const ids = new Set([
    ...runs.map((r) => r.connectionId),
    ...states.map((s) => s.connectionId),
    ...sizes.map((s) => s.connection_id),
  ]);
  const out = new Map<string, StoreSync>();
  for (const id of ids) {
    const state = states.find((s) => s.connectionId === id);
    const run = runs.find((r) => r.connectionId === id);
    const size = sizes.find((s) => s.connection_id === id);
    out.set(id, {
      ...neverSynced(defaultIntervalSeconds),
      last_run: run ? runView(run) : null,
      next_sync_at: iso(state?.nextSyncAt),
      fresh_at: iso(state?.freshAt),
      last_full_sync_at: iso(state?.lastFullSyncAt),
      products_watermark: iso(state?.productsWatermark),
      levels_watermark: iso(state?.levelsWatermark),
      interval_seconds: state?.intervalSeconds ?? defaultIntervalSeconds,
      full_every_hours: state?.fullEveryHours ?? 24,
      product_count: size?.products ?? 0,
      variant_count: size?.variants ?? 0,
    });
  }
  return out;
}

/** The summary of a store the catalog knows nothing of yet. */
export function neverSynced(defaultIntervalSeconds: number): StoreSync {
  return {
    last_run: null,
    next_sync_at: null,
    fresh_at: null,
    last_full_sync_at: null,
    products_watermark: null,
    levels_watermark: null,
    interval_seconds: defaultIntervalSeconds,
    full_every_hours: 24,
    product_count: 0,
    variant_count: 0,
  };
}
