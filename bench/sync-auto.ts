// The first full sync of 1,000 products on a Standard store (100 points/s, 3 locations) in the
// default mode, as a merchant who just connected gets it: wall time from the request to the
// finished run, against tap-shopify's 561 s on the same catalog rules; which path `auto` chose, why,
// and the points per product it spent.
import { type BenchContext, Cleanup, numberArg } from './lib/context.ts';
import { machineLine } from './lib/setup.ts';
import {
  catalogShape,
  connectStore,
  describeRun,
  getRun,
  proveEqual,
  requestRun,
  runInWorker,
  runSeconds,
  startSyncBench,
} from './lib/sync.ts';
import { fmt, table } from './lib/table.ts';

/** Singer's tap-shopify on this catalog, without images (measured on the same rules; the figure). */
const TAP_SHOPIFY_SECONDS = 561;
const TARGET_SECONDS = 28;

export default async function syncAuto({ args, signal }: BenchContext): Promise<void> {
  const products = numberArg(args, 'products', 1_000);
  // Shopify takes a while to prepare a bulk file; the simulator models it as a start delay.
  const bulkStartMs = numberArg(args, 'bulk-start-ms', 5_000);
  const cleanup = new Cleanup();
  try {
    const bench = await startSyncBench(cleanup);
    const { shop, scope, connectionId } = await connectStore(bench, {
      domain: 'auto-bench.myshopify.com',
      products,
      locations: 3,
      plan: 'standard',
    });
    shop.setBulkBehaviour({ startDelayMs: bulkStartMs });
    const shape = catalogShape(shop);
    // Connecting spent a few points (shop identity, webhooks); the sync starts on a full bucket.
    shop.setThrottle({ currentlyAvailable: 2_000 });
    shop.resetStats();
    console.log(
      `Catalog: ${fmt.int(shape.products)} products, ${fmt.int(shape.variants)} variants, ${fmt.int(shape.media)} images, ` +
        `${fmt.int(shape.levels)} levels on ${shape.locations} locations; a bulk export starts after ${bulkStartMs / 1000} s`,
    );
    signal.throwIfAborted();

    const requested = performance.now();
    const queued = await requestRun(bench, { store: connectionId });
    const worker = await runInWorker(bench, queued.id, signal);
    const wall = (performance.now() - requested) / 1000;
    const run = await getRun(bench, queued.id);
    const stats = shop.stats();
    console.log(describeRun(run));
    if (run.state !== 'succeeded') throw new Error(`The run ${run.state}.`);
    await proveEqual(bench, scope, shop);

    console.log(`\n${machineLine()}`);
    console.log(
      table(
        ['', 'value'],
        [
          ['wall time, request → run finished (worker start included)', `${wall.toFixed(1)} s`],
          ['  the run itself (started → finished)', `${runSeconds(run).toFixed(1)} s`],
          ['  executeRun in the worker', `${(worker.runMs / 1000).toFixed(1)} s`],
          ['path auto chose', run.path ?? 'none'],
          ['points charged by Shopify', fmt.int(stats.pointsUsed)],
          ['points per product', (stats.pointsUsed / shape.products).toFixed(2)],
          ['requests', fmt.int(stats.requests)],
          ['worker peak RSS', `${fmt.int(worker.peakRssMb)} MB`],
        ],
      ),
    );
    console.log(`\nwhy: ${run.path_reason}`);
    const ratio = wall / TAP_SHOPIFY_SECONDS;
    console.log(
      `\nwall ÷ tap-shopify's ${TAP_SHOPIFY_SECONDS} s = ${ratio.toFixed(3)}  (target ≤ ${(TARGET_SECONDS / TAP_SHOPIFY_SECONDS).toFixed(2)}, ` +
        `i.e. ${TARGET_SECONDS} s)  ${wall <= TARGET_SECONDS ? 'PASS' : 'ABOVE'}`,
    );
  } finally {
    await cleanup.run();
  }
}
