import type { Queryable, Transaction } from '../../db/client.ts';
import { QUEUES, replaceQueuedInTransaction } from '../../jobs/boss.ts';
import type { ShopifyContext } from '../shopify/context.ts';
import { saveSyncState } from './sync-runs.queries.ts';

/**
 * When a store's next scheduled sync is due: recorded on its sync state and queued as its job
 * (replacing the one queued before), in the caller's transaction.
 */
export async function scheduleNextSync(
  ctx: ShopifyContext,
  tx: Queryable,
  p: { orgId: string; connectionId: string; at: Date },
) {
  await saveSyncState(tx, p.orgId, p.connectionId, { nextSyncAt: p.at });
  if (!ctx.jobs) return;
  await replaceQueuedInTransaction(
    tx as Transaction,
    ctx.jobs,
    QUEUES.catalogSchedule.name,
    { org_id: p.orgId, connection_id: p.connectionId },
    { singletonKey: p.connectionId, startAfter: p.at },
  );
}
