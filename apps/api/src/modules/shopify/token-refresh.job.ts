import type { PgBoss } from 'pg-boss';
import { QUEUES } from '../../jobs/boss.ts';
import type { ShopifyContext } from './connections.service.ts';
import { refreshExpiringTokens } from './token-refresh.ts';

/** Expiring offline tokens (OAuth installs) last about an hour: renew them ahead of use. */
export async function registerTokenRefreshJob(boss: PgBoss, ctx: ShopifyContext) {
  const queue = QUEUES.shopifyTokenRefresh.name;
  await boss.work(queue, async () => refreshExpiringTokens(ctx));
  await boss.schedule(queue, '*/5 * * * *');
}
