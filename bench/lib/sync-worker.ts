// A worker process for one sync run, as production's worker executes it (the production Shopify
// client and its retry delays): prints {outcome, runMs, peakRssMb} as its last line.
// Env: the app's (bench/lib/sync.ts workerEnv), ORG_ID, RUN_ID.
import { loadConfig } from '../../apps/api/src/config.ts';
import { closeDatabase, createDatabase } from '../../apps/api/src/db/client.ts';
import { executeRun } from '../../apps/api/src/modules/catalog/sync.service.ts';
import { createShopifyContext } from '../../apps/api/src/modules/shopify/context.ts';

const config = loadConfig();
const db = createDatabase(config.databaseUrl!, { max: 4, applicationName: 'bench-worker' });
const started = performance.now();
const outcome = await executeRun(createShopifyContext({ db, config }), {
  orgId: process.env.ORG_ID!,
  runId: process.env.RUN_ID!,
});
const runMs = performance.now() - started;
await closeDatabase(db);
const cpu = process.cpuUsage();
console.log(
  JSON.stringify({
    outcome,
    runMs,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    cpuMs: (cpu.user + cpu.system) / 1000,
  }),
);
