import type pg from 'pg';
import type { Queue, SendOptions } from 'pg-boss';
import { PgBoss } from 'pg-boss';
import type { Transaction } from '../db/client.ts';
import { APP_ROLE } from '../db/roles.ts';

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
  /**
   * One connection's OAuth token renewal, due shortly before its token expires. At most one queued
   * job per connection (`short` policy, singletonKey = connection id).
   */
  shopifyTokenRenewal: {
    name: 'shopify.token-renewal',
    policy: 'short',
    retryLimit: 5,
    retryDelay: 60,
    retryBackoff: true,
    retryDelayMax: 600,
    expireInSeconds: 120,
  },
  /**
   * One sync run (`{org_id, run_id}`). Heartbeats find a dead worker within half a minute; the
   * retry resumes from the run's checkpoint. One active run per store is the run table's rule.
   */
  catalogSync: {
    name: 'catalog.sync',
    policy: 'standard',
    retryLimit: 20,
    retryDelay: 5,
    retryBackoff: true,
    retryDelayMax: 300,
    heartbeatSeconds: 30,
    expireInSeconds: 6 * 3600,
  },
  /**
   * Catalog webhooks of one connection, applied in a batch (`{org_id, connection_id}`): one queued
   * job per connection, so a burst of deliveries is one job and a few Shopify reads.
   */
  catalogWebhooks: {
    name: 'catalog.webhooks',
    policy: 'short',
    retryLimit: 10,
    retryDelay: 5,
    retryBackoff: true,
    retryDelayMax: 300,
    expireInSeconds: 600,
  },
  /** A store's next scheduled sync (`{org_id, connection_id}`), one queued per store. */
  catalogSchedule: {
    name: 'catalog.schedule',
    policy: 'short',
    retryLimit: 10,
    retryDelay: 60,
    retryBackoff: true,
    expireInSeconds: 300,
  },
  /**
   * A scheduled `invpro backup` (BACKUP_SCHEDULE), in the worker. One at a time (`singleton`); no
   * retry storm: a dump that failed is retried twice, then waits for the next schedule.
   */
  backupsRun: {
    name: 'backups.run',
    policy: 'singleton',
    retryLimit: 2,
    retryDelay: 300,
    expireInSeconds: 6 * 3600,
  },
} as const satisfies Record<string, Queue>;

/**
 * Queues an earlier version created and no longer uses: the per-minute webhook sweep and the
 * five-minute token renewal loop over every tenant, replaced by jobs enqueued in the transaction
 * that makes them due. Deleted at the worker's boot (with their schedules) so nothing runs them.
 */
const RETIRED_QUEUES = ['shopify.webhook-sweep', 'shopify.token-refresh'];

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
  if (!opts.sendOnly) {
    for (const name of RETIRED_QUEUES) {
      if (await boss.getQueue(name)) {
        await boss.unschedule(name);
        await boss.deleteQueue(name);
      }
    }
  }
  return boss;
}

/** What a process needs of pg-boss to hand work on: sending only. */
export type JobSender = Pick<PgBoss, 'send'>;

/**
 * Like sendInTransaction, for a queue that keeps one queued job per key (`short`): the queued job
 * of that key, if any, is replaced, so a new time takes effect at once (a schedule moved earlier).
 */
export async function replaceQueuedInTransaction(
  tx: Transaction,
  jobs: JobSender,
  queue: string,
  data: object,
  options: Omit<SendOptions, 'db'> & { singletonKey: string },
): Promise<string | null> {
  const client = (tx as unknown as { $client: pg.PoolClient }).$client;
  await client.query(`select set_config('role', 'none', true)`);
  try {
    await client.query(`delete from pgboss.job where name = $1 and singleton_key = $2 and state = 'created'`, [
      queue,
      options.singletonKey,
    ]);
  } finally {
    await client.query(`select set_config('role', '${APP_ROLE}', true)`);
  }
  return sendInTransaction(tx, jobs, queue, data, options);
}

/**
 * Send a job inside the caller's transaction, so the job exists if and only if what made it due was
 * committed (an event recorded, a token saved): nothing can be left behind or run for nothing.
 * Requests run as the non-owner `invpro_app`, which has no rights on pg-boss's schema; the job's
 * statements alone run as the session's own role, then the transaction is back to `invpro_app`.
 * pg-boss's tables hold no tenant rows, so this bypasses no row-level security. `thenCommit`: the
 * caller commits right after, so the role is left as it is (one round trip less while the job's
 * singleton key is locked, which concurrent senders of that key wait on).
 */
export async function sendInTransaction(
  tx: Transaction,
  jobs: JobSender,
  queue: string,
  data: object,
  options: Omit<SendOptions, 'db'> & { thenCommit?: boolean } = {},
): Promise<string | null> {
  const { thenCommit, ...sendOptions } = options;
  const client = (tx as unknown as { $client: pg.PoolClient }).$client;
  await client.query(`select set_config('role', 'none', true)`);
  try {
    return await jobs.send(queue, data, {
      ...sendOptions,
      db: { executeSql: (text: string, values?: unknown[]) => client.query(text, values) },
    });
  } finally {
    if (!thenCommit) await client.query(`select set_config('role', '${APP_ROLE}', true)`);
  }
}
