import type { Transaction } from '../../db/client.ts';
import {
  levelKey,
  productsOfItems,
  reconcile,
  recordSeen,
  refreshProductAggregates,
  refreshStatistics,
  upsertLevels,
  upsertLocations,
  writeProductBundles,
} from './catalog.queries.ts';
import type { LevelRecord, LocationRecord } from './records.ts';
import { type PageInfo, type PageSizes, type ProductBundle, pageSizesFor } from './shopify-reads.ts';
import type { RunContext } from './sync.service.ts';

// The paginated path (docs/shopify.md §2–4): products without inventory, each completed to all its
// variants and images, then every active location's levels, 250 a page. The next page is fetched
// while the current one is written, so the store's bucket, not our database, sets the pace.

export interface PaginatedCheckpoint {
  productsFilter?: string | null;
  levelsFilter?: string | null;
  productsCursor?: string | null;
  productsDone?: boolean;
  maxProductUpdatedAt?: string;
  locations?: string[];
  locationIndex?: number;
  levelsCursor?: string | null;
  levelsStartedAt?: string;
  levelsDone?: boolean;
  reconciled?: boolean;
  expectedProducts?: number;
}

/** Nested page sizes: most products fit whole in one page; the rest take a call or two more. */
export const DEFAULT_PAGE_SIZES: PageSizes = pageSizesFor(16, 5);

const checkpointOf = (rc: RunContext) => rc.progress.checkpoint as PaginatedCheckpoint;

export async function runPaginated(rc: RunContext): Promise<void> {
  const locations = await syncLocations(rc);
  if (rc.run.type === 'products') await syncProducts(rc);
  await syncLevels(rc, locations);
  if (rc.run.scope === 'full') await reconcileRun(rc);
}

/** Locations first: levels are read per active location, and totals count active ones only. */
export async function syncLocations(rc: RunContext): Promise<LocationRecord[]> {
  const cp = checkpointOf(rc);
  const locations = await rc.reader.locations();
  await rc.commit(async (tx) => {
    await upsertLocations(tx, rc.scope, locations);
    if (!cp.locations) cp.locations = locations.filter((l) => l.isActive).map((l) => l.gid);
  });
  return locations;
}

/** Runs `fetch` for the next page while `handle` works on the current one. */
async function pipelined<P extends { pageInfo: PageInfo }>(
  first: () => Promise<P>,
  next: (cursor: string) => Promise<P>,
  handle: (page: P) => Promise<void>,
): Promise<void> {
  let pending: Promise<P> | null = first();
  while (pending) {
    const page: P = await pending;
    pending = page.pageInfo.hasNextPage && page.pageInfo.endCursor ? next(page.pageInfo.endCursor) : null;
    // A failed write must not leave the prefetch's rejection unhandled.
    pending?.catch(() => {});
    await handle(page);
  }
}

/** Write a page of products read whole, count it, and (full runs) note what was seen. */
export async function writeBundles(tx: Transaction, rc: RunContext, bundles: ProductBundle[], runSeen: boolean) {
  const counts = await writeProductBundles(tx, rc.scope, bundles);
  rc.count('products', counts.products);
  rc.count('variants', counts.variants);
  rc.count('levels', { deleted: counts.levelsDeleted });
  if (runSeen) {
    await recordSeen(
      tx,
      rc.scope.orgId,
      rc.run.id,
      'product',
      bundles.map((b) => b.product.gid),
    );
    await recordSeen(
      tx,
      rc.scope.orgId,
      rc.run.id,
      'variant',
      bundles.flatMap((b) => b.variants.map((v) => v.gid)),
    );
  }
  rc.progress.productsProcessed += bundles.length;
  rc.progress.variantsProcessed += bundles.reduce((n, b) => n + b.variants.length, 0);
}

async function syncProducts(rc: RunContext) {
  const cp = checkpointOf(rc);
  if (cp.productsDone) return;
  rc.phase('products', cp.expectedProducts ?? null);
  rc.progress.done = rc.progress.productsProcessed;
  const filter = cp.productsFilter ?? null;
  const read = (cursor: string | null) => rc.reader.productsPage(cursor, filter, DEFAULT_PAGE_SIZES);
  await pipelined(
    () => read(cp.productsCursor ?? null),
    (cursor) => read(cursor),
    async (page) => {
      await rc.commit(async (tx) => {
        await writeBundles(tx, rc, page.bundles, rc.run.scope === 'full');
        rc.progress.pages++;
        rc.progress.done = rc.progress.productsProcessed;
        // Pages come in updated_at order: what is committed is complete up to its last product.
        if (page.maxUpdatedAt && (!cp.maxProductUpdatedAt || page.maxUpdatedAt > cp.maxProductUpdatedAt)) {
          cp.maxProductUpdatedAt = page.maxUpdatedAt;
        }
        cp.productsCursor = page.pageInfo.endCursor;
        if (!page.pageInfo.hasNextPage) cp.productsDone = true;
      });
    },
  );
  if (!cp.productsDone) {
    cp.productsDone = true;
    await rc.commit();
  }
}

/** Levels may change without the product changing, so they have their own watermark (the phase's start). */
export async function syncLevels(rc: RunContext, locations: LocationRecord[]) {
  const cp = checkpointOf(rc);
  if (cp.levelsDone) return;
  const active = cp.locations ?? locations.filter((l) => l.isActive).map((l) => l.gid);
  if (!cp.levelsStartedAt) cp.levelsStartedAt = new Date().toISOString();
  rc.phase('inventory', null);
  rc.progress.done = rc.progress.levelsProcessed;
  const filter = cp.levelsFilter ?? null;
  for (let i = cp.locationIndex ?? 0; i < active.length; i++) {
    const location = active[i]!;
    const startCursor = i === (cp.locationIndex ?? 0) ? (cp.levelsCursor ?? null) : null;
    const read = (cursor: string | null) => rc.reader.locationLevels(location, cursor, filter);
    await pipelined(
      () => read(startCursor),
      (cursor) => read(cursor),
      async (page) => {
        await rc.commit(async (tx) => {
          await writeLevels(tx, rc, page.levels, rc.run.scope === 'full');
          rc.progress.pages++;
          rc.progress.done = rc.progress.levelsProcessed;
          cp.locationIndex = i;
          cp.levelsCursor = page.pageInfo.endCursor;
          if (!page.pageInfo.hasNextPage) {
            cp.locationIndex = i + 1;
            cp.levelsCursor = null;
          }
        });
      },
    );
  }
  cp.levelsDone = true;
  await rc.commit();
}

export async function writeLevels(tx: Transaction, rc: RunContext, levels: LevelRecord[], runSeen: boolean) {
  const counts = await upsertLevels(tx, rc.scope, levels);
  rc.count('levels', counts);
  if (runSeen) await recordSeen(tx, rc.scope.orgId, rc.run.id, 'level', levels.map(levelKey));
  // Stock changed: those products' totals follow.
  const changedItems = counts.changed.map((key) => key.split('|')[0]!);
  if (changedItems.length > 0) {
    await refreshProductAggregates(tx, rc.scope, await productsOfItems(tx, rc.scope, [...new Set(changedItems)]));
  }
  rc.progress.levelsProcessed += levels.length;
}

/** A full run's end: what the copy holds that the run did not see is gone from Shopify. */
export async function reconcileRun(rc: RunContext) {
  const cp = checkpointOf(rc);
  if (cp.reconciled) return;
  rc.phase('reconciling');
  // The anti-joins below are planned on what the run just wrote and saw.
  await refreshStatistics(rc.ctx.db, { all: true });
  await rc.commit(async (tx) => {
    const gone = await reconcile(tx, rc.scope, rc.run.id, { products: rc.run.type === 'products', levels: true });
    rc.count('products', { deleted: gone.products });
    rc.count('variants', { deleted: gone.variants });
    rc.count('levels', { deleted: gone.levels });
    // Deleted variants and levels change their products' totals.
    if (gone.products + gone.variants + gone.levels > 0) await refreshProductAggregates(tx, rc.scope, null);
    cp.reconciled = true;
  });
}
