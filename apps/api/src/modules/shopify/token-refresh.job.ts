import type { PgBoss } from 'pg-boss';
import { z } from 'zod';
import { QUEUES } from '../../jobs/boss.ts';
import type { ShopifyContext } from './context.ts';
import { renewConnectionToken } from './token-refresh.ts';

const jobData = z.object({ org_id: z.uuid(), connection_id: z.uuid() });

/**
 * Expiring offline tokens (OAuth installs) last about an hour: each connection's renewal is its own
 * job, scheduled when its token is saved (`scheduleTokenRenewal`).
 */
export async function registerTokenRefreshJob(boss: PgBoss, ctx: ShopifyContext) {
  await boss.work(QUEUES.shopifyTokenRenewal.name, async (jobs) => {
    const outcomes: string[] = [];
    for (const job of jobs) outcomes.push(await renewConnectionToken(ctx, jobData.parse(job.data)));
    return outcomes;
  });
}
