import type { Config } from '../../config.ts';
import type { Database } from '../../db/client.ts';
import type { JobSender } from '../../jobs/boss.ts';
import { createShopifyClient, type ShopifyClient } from './client.ts';

/**
 * What every Shopify service needs, built once per process (in `buildApp` for the API, in
 * `main.ts` for the worker) and passed down: one client, so every call of the process shares one
 * view of each shop's throttle bucket.
 */
export interface ShopifyContext {
  db: Database;
  config: Config;
  client: ShopifyClient;
  /** pg-boss, to schedule per-connection work in the transaction that makes it due; absent in some tests. */
  jobs: JobSender | undefined;
}

export function createShopifyContext(opts: {
  db: Database;
  config: Config;
  client?: ShopifyClient | undefined;
  jobs?: JobSender | undefined;
}): ShopifyContext {
  return {
    db: opts.db,
    config: opts.config,
    client: opts.client ?? createShopifyClient({ apiOrigin: opts.config.shopify.apiOrigin }),
    jobs: opts.jobs,
  };
}
