import type { Transaction } from '../../db/client.ts';
import { withTenant } from '../../db/tenant.ts';
import { BulkLineParser, type BulkRecord, jsonlLines } from './bulk-jsonl.ts';
import {
  copyIsEmpty,
  levelKey,
  reconcileChildrenOfSeen,
  recordSeen,
  refreshProductAggregates,
  refreshStatistics,
  upsertImages,
  upsertLevels,
  upsertProducts,
  upsertVariants,
} from './catalog.queries.ts';
import {
  BULK_CATALOG_QUERY,
  BULK_OPERATION_CANCEL,
  BULK_OPERATION_STATUS,
  BULK_RUN_QUERY,
  RECENT_BULK_OPERATIONS,
} from './operations.ts';
import type { ImageRecord, LevelRecord, ProductRecord, VariantRecord } from './records.ts';
import type { RunContext } from './sync.service.ts';
import { reconcileRun, runPaginated, syncLevels, syncLocations } from './sync-paginated.ts';

// The bulk path (docs/shopify.md §5): one export of products, media, variants and levels, free of
// points. The operation's id is checkpointed the moment it exists, so a restarted worker finds it
// again; the file is streamed and written batch by batch, each batch committed with the number of
// lines it reaches. An operation that fails, expires or stalls falls back to paging.

interface BulkCheckpoint {
  productsFilter?: string | null;
  bulk?: { operationId: string; linesDone: number };
  bulkWritten?: boolean;
  maxProductUpdatedAt?: string;
  levelsStartedAt?: string;
  /**
   * A full run into a copy that held nothing of this store: nothing in it can be gone from Shopify,
   * so the run keeps no record of what it saw (a third of a first import's writes) and reconciles
   * nothing. Decided before the export starts; a fallback to paging drops it.
   */
  firstImport?: boolean;
}

/** Tunable by tests; Shopify recommends polling every few seconds. */
export const bulkTiming = {
  firstPollMs: 250,
  maxPollMs: 5_000,
  /** An operation whose object count has not moved for this long is stalled. */
  stallMs: 5 * 60_000,
  /** How long to wait for a place when the store already runs its maximum of bulk operations. */
  busyWaitMs: 10 * 60_000,
  /** Lines written (and checkpointed) per transaction. */
  linesPerBatch: 2_000,
};

type BulkStatus = {
  id: string;
  status: 'CREATED' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELING' | 'CANCELED' | 'EXPIRED';
  errorCode: string | null;
  objectCount: string;
  url: string | null;
  partialDataUrl: string | null;
};

class BulkUnavailable extends Error {}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

export async function runBulk(rc: RunContext): Promise<void> {
  const cp = rc.progress.checkpoint as BulkCheckpoint;
  const locations = await syncLocations(rc);
  if (cp.firstImport === undefined) {
    const empty =
      rc.run.scope === 'full' && (await withTenant(rc.ctx.db, rc.scope.orgId, (tx) => copyIsEmpty(tx, rc.scope)));
    await rc.commit(async () => {
      cp.firstImport = empty;
    });
  }
  if (!cp.bulkWritten) {
    let status: BulkStatus;
    try {
      status = await finishedOperation(rc);
    } catch (err) {
      if (!(err instanceof BulkUnavailable)) throw err;
      return fallBack(rc, err.message);
    }
    if (status.status !== 'COMPLETED') {
      return fallBack(
        rc,
        `the bulk operation ${status.id} ended ${status.status}${status.errorCode ? ` (${status.errorCode})` : ''}`,
      );
    }
    if (!cp.levelsStartedAt) cp.levelsStartedAt = new Date().toISOString();
    if (status.url) await writeFile(rc, status.url);
    // The derived fields join every product with its variants, images and levels: planned on
    // statistics of tables that were empty a moment ago, that join ran for minutes at 500 products.
    await refreshStatistics(rc.ctx.db, { all: true });
    await rc.commit(async (tx) => {
      rc.phase('finishing');
      // Every product read whole: its children the export did not list are gone; then the derived fields.
      if (!cp.firstImport) {
        const gone = await reconcileChildrenOfSeen(tx, rc.scope, rc.run.id);
        rc.count('variants', { deleted: gone.variants });
        rc.count('levels', { deleted: gone.levels });
      }
      await refreshProductAggregates(tx, rc.scope, null);
      cp.bulkWritten = true;
    });
  }
  // An incremental export names changed products only; stock changes without a product change.
  if (rc.run.scope === 'incremental') await syncLevels(rc, locations);
  if (rc.run.scope === 'full' && !cp.firstImport) await reconcileRun(rc);
}

/** Paging instead, from where the copy stands (the paginated path is idempotent over it). */
async function fallBack(rc: RunContext, why: string) {
  const cp = rc.progress.checkpoint as BulkCheckpoint;
  rc.progress.path = 'paginated';
  rc.progress.pathReason = `${rc.progress.pathReason ?? 'bulk'}; then ${why}, so paging instead`;
  delete cp.bulk;
  // Paging reconciles what it saw: rows the export wrote that Shopify no longer has go too.
  cp.firstImport = false;
  await rc.commit();
  await runPaginated(rc);
}

/** Start the export (or find the one this run, or an earlier attempt of it, started) and wait for its end. */
async function finishedOperation(rc: RunContext): Promise<BulkStatus> {
  const cp = rc.progress.checkpoint as BulkCheckpoint;
  const query = BULK_CATALOG_QUERY(cp.productsFilter ?? null);
  rc.phase('exporting');
  if (!cp.bulk) {
    const id = (await runningExport(rc, query)) ?? (await startExport(rc, query));
    cp.bulk = { operationId: id, linesDone: 0 };
    await rc.commit();
  }
  const signal = rc.signal;
  let pollMs = bulkTiming.firstPollMs;
  let lastCount = -1;
  let lastMoved = Date.now();
  for (;;) {
    const { bulkOperation: op } = await rc.reader.raw<{ bulkOperation: BulkStatus | null }>(
      BULK_OPERATION_STATUS,
      { id: cp.bulk.operationId },
      1,
    );
    if (!op) throw new BulkUnavailable(`the bulk operation ${cp.bulk.operationId} is gone`);
    if (['COMPLETED', 'FAILED', 'CANCELED', 'EXPIRED'].includes(op.status)) return op;
    const objects = Number(op.objectCount);
    rc.progress.done = objects;
    if (objects !== lastCount) {
      lastCount = objects;
      lastMoved = Date.now();
    } else if (Date.now() - lastMoved > bulkTiming.stallMs) {
      await rc.reader.raw(BULK_OPERATION_CANCEL, { id: op.id }, 12).catch(() => {});
      throw new BulkUnavailable(`the bulk operation ${op.id} stalled at ${objects} objects`);
    }
    // Renews the lease and notices a cancel; a cancelled run cancels its export too.
    try {
      await rc.commit();
    } catch (err) {
      await rc.reader.raw(BULK_OPERATION_CANCEL, { id: op.id }, 12).catch(() => {});
      throw err;
    }
    await sleep(pollMs, signal);
    pollMs = Math.min(bulkTiming.maxPollMs, pollMs * 2);
  }
}

/** An export of ours already running for this store, for this very query (after a restart). */
async function runningExport(rc: RunContext, query: string): Promise<string | undefined> {
  const data = await rc.reader.raw<{ bulkOperations: { nodes: { id: string; status: string; query?: string }[] } }>(
    RECENT_BULK_OPERATIONS,
    {},
    12,
  );
  const normal = (q: string | undefined) => (q ?? '').replace(/\s+/g, ' ').trim();
  return data.bulkOperations.nodes.find(
    (op) => ['CREATED', 'RUNNING'].includes(op.status) && normal(op.query) === normal(query),
  )?.id;
}

async function startExport(rc: RunContext, query: string): Promise<string> {
  const deadline = Date.now() + bulkTiming.busyWaitMs;
  for (;;) {
    const data = await rc.reader.raw<{
      bulkOperationRunQuery: {
        bulkOperation: { id: string } | null;
        userErrors: { message: string; code: string | null }[];
      };
    }>(BULK_RUN_QUERY, { query }, 12);
    const result = data.bulkOperationRunQuery;
    if (result.bulkOperation) return result.bulkOperation.id;
    const busy = result.userErrors.some((e) => e.code === 'LIMIT_REACHED' || e.code === 'OPERATION_IN_PROGRESS');
    if (!busy || Date.now() > deadline) {
      throw new BulkUnavailable(
        `Shopify refused the bulk export (${result.userErrors.map((e) => e.message).join('; ')})`,
      );
    }
    await rc.commit();
    await sleep(5_000, rc.signal);
  }
}

/** Stream the file, writing each batch of lines with the count of lines it reaches; skip what a previous attempt wrote. */
async function writeFile(rc: RunContext, url: string) {
  const cp = rc.progress.checkpoint as BulkCheckpoint;
  const bulk = cp.bulk!;
  rc.phase('writing', null);
  const response = await fetch(url, { signal: rc.signal ?? null });
  if (!response.ok || !response.body) throw new Error(`The bulk export could not be downloaded (${response.status}).`);
  const parser = new BulkLineParser();
  let batch: BulkRecord[] = [];
  let line = 0;
  // One batch is written while the next is parsed (PostgreSQL and this process work at once); the
  // batches still commit one at a time, in order, each with the line count it reaches.
  let writing: Promise<void> = Promise.resolve();
  const flush = async () => {
    const records = batch;
    const upTo = line;
    batch = [];
    await writing;
    writing = rc.commit(async (tx) => {
      await writeRecords(tx, rc, records);
      bulk.linesDone = upTo;
      rc.progress.done = upTo;
    });
    // Awaited before the next batch or at the end; meanwhile a failure is not "unhandled".
    writing.catch(() => {});
  };
  try {
    for await (const value of jsonlLines(response.body)) {
      line++;
      // Parsed even when already written: image positions count every earlier line.
      const record = parser.parse(value);
      if (line <= bulk.linesDone || !record) continue;
      batch.push(record);
      if (batch.length >= bulkTiming.linesPerBatch) await flush();
    }
    if (batch.length > 0 || line > bulk.linesDone) await flush();
  } finally {
    // Never leave a write running behind a failed download.
    await writing.catch(() => {});
  }
  await writing;
}

async function writeRecords(tx: Transaction, rc: RunContext, records: BulkRecord[]) {
  const products: ProductRecord[] = [];
  const variants: VariantRecord[] = [];
  const images: ImageRecord[] = [];
  const levels: LevelRecord[] = [];
  for (const r of records) {
    if (r.kind === 'product') products.push(r.record);
    else if (r.kind === 'variant') variants.push(r.record);
    else if (r.kind === 'image') images.push(r.record);
    else levels.push(r.record);
  }
  const cp = rc.progress.checkpoint as BulkCheckpoint;
  const { orgId } = rc.scope;
  rc.count('products', await upsertProducts(tx, rc.scope, products));
  rc.count('variants', await upsertVariants(tx, rc.scope, variants));
  await upsertImages(tx, rc.scope, images);
  rc.count('levels', await upsertLevels(tx, rc.scope, levels));
  // What the export named, for reconciliation (full) and for the children of each product (always).
  if (!cp.firstImport) {
    const seen = [
      ['product', products.map((p) => p.gid)],
      ['variant', variants.map((v) => v.gid)],
      ['image', images.map((i) => i.gid)],
      ['level', levels.map(levelKey)],
    ] as const;
    for (const [kind, gids] of seen) await recordSeen(tx, orgId, rc.run.id, kind, gids);
  }
  for (const p of products)
    if (!cp.maxProductUpdatedAt || p.updatedAt > cp.maxProductUpdatedAt) cp.maxProductUpdatedAt = p.updatedAt;
  rc.progress.productsProcessed += products.length;
  rc.progress.variantsProcessed += variants.length;
  rc.progress.levelsProcessed += levels.length;
}
