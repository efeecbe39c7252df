import pino from 'pino';
import { buildApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { closeDatabase, createDatabase } from './db/client.ts';
import { startHealthBeats } from './health-file.ts';
import { loggerOptions } from './http/logging.ts';
import { startBoss } from './jobs/boss.ts';
import { registerHousekeeping } from './modules/accounts/housekeeping.job.ts';
import { registerCatalogJobs } from './modules/catalog/sync.job.ts';
import { createShopifyContext } from './modules/shopify/context.ts';
import { registerTokenRefreshJob } from './modules/shopify/token-refresh.job.ts';
import { registerShopifyWebhookJobs } from './modules/shopify/webhooks.job.ts';

/**
 * One process of the system: `api` (HTTP) or `worker` (pg-boss jobs and schedules). Both are
 * stateless; the launcher (`invpro start`) or a container runtime starts as many as needed.
 */
async function main(role: string) {
  const config = loadConfig();
  const logger = pino({ ...loggerOptions(config.logLevel), base: { role } });
  if (!config.databaseUrl)
    throw new ConfigError('DATABASE_URL is not set. Use `npm start`, which starts a local database.');
  const db = createDatabase(config.databaseUrl, { max: config.databasePoolMax, applicationName: `invpro360-${role}` });
  const stops: (() => Promise<unknown>)[] = [];

  if (role === 'api') {
    // Send-only pg-boss: work is queued for the worker (in the transaction that makes it due).
    const boss = await startBoss(config.databaseUrl, {
      sendOnly: true,
      onError: (err) => logger.error({ err }, 'pg-boss error'),
    });
    const app = await buildApp({ config, db, logger, boss });
    await app.listen({ port: config.apiPort, host: config.apiHost });
    stops.push(() => app.close());
    stops.push(() => boss.stop({ graceful: true, timeout: 10_000 }));
  } else if (role === 'worker') {
    const boss = await startBoss(config.databaseUrl, { onError: (err) => logger.error({ err }, 'pg-boss error') });
    await registerHousekeeping(boss, db, config);
    // The worker's one Shopify context: one client, one view of each shop's throttle.
    const shopify = createShopifyContext({ db, config, jobs: boss });
    await registerShopifyWebhookJobs(boss, shopify);
    await registerTokenRefreshJob(boss, shopify);
    await registerCatalogJobs(boss, shopify);
    logger.info('worker ready');
    stops.push(() => boss.stop({ graceful: true, timeout: 10_000 }));
  } else {
    throw new Error(`Unknown role "${role}": use api or worker.`);
  }
  // In a container: what its HEALTHCHECK (`invpro healthcheck`) reads.
  const healthFile = process.env.INVPRO_HEALTH_FILE;
  if (healthFile) {
    const stopBeats = startHealthBeats(healthFile, role, db);
    stops.unshift(async () => stopBeats());
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    for (const stop of stops) await stop().catch((err) => logger.error({ err }, 'error while stopping'));
    await closeDatabase(db);
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  // Started by `invpro start`: if the launcher is killed (-9) it cannot stop us, so notice and go.
  const launcher = Number(process.env.INVPRO_LAUNCHER_PID);
  if (launcher) setInterval(() => process.ppid !== launcher && void shutdown('launcher gone'), 1000).unref();
}

main(process.argv[2] ?? 'api').catch((err) => {
  console.error(err instanceof ConfigError ? `Configuration error: ${err.message}` : err);
  process.exit(1);
});
