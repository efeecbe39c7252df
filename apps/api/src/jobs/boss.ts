import type { Queue } from 'pg-boss';
import { PgBoss } from 'pg-boss';

/**
 * Every queue, with its policy, created at boot (pg-boss refuses send/work on a queue that does not
 * exist). Later modules add theirs here so the whole job topology reads in one place.
 */
export const QUEUES = {
  accountsHousekeeping: {
    name: 'accounts.housekeeping',
    policy: 'singleton',
    retryLimit: 3,
    retryDelay: 30,
    retryBackoff: true,
    expireInSeconds: 300,
  },
  /** One inbound Shopify webhook event; at most one queued job per event (`singletonKey`). */
  shopifyWebhook: {
    name: 'shopify.webhook',
    policy: 'short',
    retryLimit: 5,
    retryDelay: 10,
    retryBackoff: true,
    retryDelayMax: 600,
    expireInSeconds: 120,
  },
  /** Every minute: re-queue webhook events left `received` (a failed or missing send). */
  shopifyWebhookSweep: {
    name: 'shopify.webhook-sweep',
    policy: 'singleton',
    retryLimit: 1,
    retryDelay: 30,
    expireInSeconds: 60,
  },
  /** Every 5 minutes: renew expiring OAuth access tokens before any job needs them. */
  shopifyTokenRefresh: {
    name: 'shopify.token-refresh',
    policy: 'singleton',
    retryLimit: 2,
    retryDelay: 30,
    expireInSeconds: 240,
  },
} as const satisfies Record<string, Queue>;

export async function startBoss(
  databaseUrl: string,
  opts: {
    onError?: (err: Error) => void;
    /** The API only sends jobs: no maintenance or cron in that process. */
    sendOnly?: boolean;
  } = {},
): Promise<PgBoss> {
  const boss = new PgBoss({
    connectionString: databaseUrl,
    schema: 'pgboss',
    max: opts.sendOnly ? 2 : 4,
    application_name: 'invpro360-jobs',
    ...(opts.sendOnly ? { supervise: false, schedule: false } : {}),
  });
  boss.on('error', opts.onError ?? (() => {}));
  await boss.start();
  for (const queue of Object.values(QUEUES)) {
    await boss.createQueue(queue.name, queue);
  }
  return boss;
}
