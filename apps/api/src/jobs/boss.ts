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
} as const satisfies Record<string, Queue>;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES]['name'];

export async function startBoss(databaseUrl: string, opts: { onError?: (err: Error) => void } = {}): Promise<PgBoss> {
  const boss = new PgBoss({
    connectionString: databaseUrl,
    schema: 'pgboss',
    max: 4,
    application_name: 'invpro360-jobs',
  });
  boss.on('error', opts.onError ?? (() => {}));
  await boss.start();
  for (const queue of Object.values(QUEUES)) {
    await boss.createQueue(queue.name, queue);
  }
  return boss;
}
