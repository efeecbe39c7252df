import type { PgBoss } from 'pg-boss';
import { z } from 'zod';
import { QUEUES } from '../../jobs/boss.ts';
import type { ShopifyContext } from './context.ts';
import { type ProcessOutcome, processWebhookEvent, recordProcessingError } from './webhooks.service.ts';

const jobData = z.object({ org_id: z.uuid(), event_id: z.uuid() });

/** The job's body: parse the payload, process, and on failure note why (the last attempt marks it failed). */
export async function runWebhookJob(
  ctx: ShopifyContext,
  data: unknown,
  attempt: { retryCount: number; retryLimit: number } = { retryCount: 0, retryLimit: 0 },
): Promise<ProcessOutcome> {
  const { org_id, event_id } = jobData.parse(data);
  try {
    return await processWebhookEvent(ctx, org_id, event_id);
  } catch (err) {
    await recordProcessingError(ctx, org_id, event_id, err, attempt.retryCount >= attempt.retryLimit);
    throw err;
  }
}

/** Each event's job is queued by the API in the transaction that recorded it: nothing to sweep for. */
export async function registerShopifyWebhookJobs(boss: PgBoss, ctx: ShopifyContext) {
  await boss.work(QUEUES.shopifyWebhook.name, { includeMetadata: true, localConcurrency: 4 }, async (jobs) => {
    const outcomes: ProcessOutcome[] = [];
    for (const job of jobs) outcomes.push(await runWebhookJob(ctx, job.data, job));
    return outcomes;
  });
}
