import pino from 'pino';
import { buildApp } from './app.ts';
import { registerBackupJob } from './backups/backup.job.ts';
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
import { drainThenClose, type Readiness } from './observability/health.ts';
import { observeJobs } from './observability/jobs.ts';
import { createWorkerRegistry, startWorkerMetricsServer } from './observability/metrics.ts';
import { initSentry } from './observability/sentry.ts';

/** How long a stopping API keeps answering with readiness 503 before it closes (probes notice). */
const DRAIN_MS = 5_000;

/**
 * One process of the system: `api` (HTTP) or `worker` (pg-boss jobs and schedules). Both are
 * stateless; the launcher (`invpro start`) or a container runtime starts as many as needed.
 */
async function main(role: string) {
  const config = loadConfig();
  // First, so that what fails from here on is reported; without SENTRY_DSN the SDK is never loaded.
  const errors = await initSentry(config, role);
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
    const readiness: Readiness = { shuttingDown: false };
    const app = await buildApp({ config, db, logger, boss, readiness });
    await app.listen({ port: config.apiPort, host: config.apiHost });
    // In DEBUG nothing balances load in front of us: stop at once.
    stops.push(() => drainThenClose(app, readiness, config.debug ? 0 : DRAIN_MS));
    stops.push(() => boss.stop({ graceful: true, timeout: 10_000 }));
  } else if (role === 'worker') {
    const boss = observeJobs(
      await startBoss(config.databaseUrl, { onError: (err) => logger.error({ err }, 'pg-boss error') }),
    );
    await registerHousekeeping(boss, db, config);
    await registerBackupJob(boss, config);
    // The worker's one Shopify context: one client, one view of each shop's throttle.
    const shopify = createShopifyContext({ db, config, jobs: boss });
    await registerShopifyWebhookJobs(boss, shopify);
    await registerTokenRefreshJob(boss, shopify);
    await registerCatalogJobs(boss, shopify);
    // A second worker on the same machine (or a busy port) runs without its listener rather than not at all.
    const metricsServer = await startWorkerMetricsServer(config, createWorkerRegistry(db)).catch((err) => {
      logger.warn({ err, port: config.metrics.workerPort }, 'worker metrics listener not started');
      return undefined;
    });
    logger.info({ metricsPort: metricsServer ? config.metrics.workerPort : null }, 'worker ready');
    stops.push(() => boss.stop({ graceful: true, timeout: 10_000 }));
    if (metricsServer)
      stops.push(() => {
        // A scraper's keep-alive connection would hold close() open.
        metricsServer.closeAllConnections();
        return new Promise((resolve) => metricsServer.close(resolve));
      });
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
    await errors.flush();
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
