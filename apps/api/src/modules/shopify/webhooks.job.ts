import type { PgBoss } from 'pg-boss';
import { z } from 'zod';
import { QUEUES } from '../../jobs/boss.ts';
import {
  type ProcessOutcome,
  processWebhookEvent,
  recordProcessingError,
  sweepReceivedEvents,
  type WebhookContext,
} from './webhooks.service.ts';

const jobData = z.object({ org_id: z.uuid(), event_id: z.uuid() });

/** The job's body: parse the payload, process, and on failure note why (the last attempt marks it failed). */
export async function runWebhookJob(
  ctx: WebhookContext,
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

export async function registerShopifyWebhookJobs(boss: PgBoss, ctx: WebhookContext) {
  await boss.work(QUEUES.shopifyWebhook.name, { includeMetadata: true, localConcurrency: 4 }, async (jobs) => {
    const outcomes: ProcessOutcome[] = [];
    for (const job of jobs) outcomes.push(await runWebhookJob(ctx, job.data, job));
    return outcomes;
  });
  await boss.work(QUEUES.shopifyWebhookSweep.name, async () => ({ queued: await sweepReceivedEvents(ctx, boss) }));
  await boss.schedule(QUEUES.shopifyWebhookSweep.name, '* * * * *');
}
