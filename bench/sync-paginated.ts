// A full sync of 5,000 products forced onto the paginated path, on a bucket sized so the run takes
// about a minute: wall time ÷ the throttle bound ((points charged − bucket at start) ÷ restore
// rate), and points per product against the floor of Shopify's cost rule for this very catalog.
import type { ShopHandle } from '@invpro/shopify-sim';
import { type BenchContext, Cleanup, numberArg } from './lib/context.ts';
import { machineLine } from './lib/setup.ts';
import {
  activeLocationIds,
  catalogShape,
  connectStore,
  describeRun,
  getRun,
  proveEqual,
  requestRun,
  runInWorker,
  startSyncBench,
} from './lib/sync.ts';
import { fmt, table } from './lib/table.ts';

const TARGET_RATIO = 1.05;
/** Singer's tap-shopify on the same catalog rules, every level of every location (the figure). */
const TAP_SHOPIFY_POINTS = 64;

/**
 * Points a product costs under Shopify's rule (object 1, connection 2 + its nodes, scalars free) in
 * three query shapes. Ours: `products { nodes { options, media { nodes { image } },
 * variants { nodes { selectedOptions, inventoryItem { id tracked } } } } }` is 1 + 1 + (2 + 2m) +
 * (2 + 3v); the levels by location, `location { inventoryLevels(first: 250) { nodes { id
 * quantities } } }`, are 2 a level (the item's id is read from the level's GID, so no `item`
 * object). Levels nested in each variant's item instead cost 2 a variant for the connection and 3 a
 * level (`location { id }` to tell them apart); media through `image` objects cost 2 each either way.
 */
function ruleFloor(shop: ShopHandle) {
  const active = activeLocationIds(shop);
  let product = 0;
  let levels = 0;
  let nested = 0;
  for (const p of shop.catalog()) {
    const v = p.variants.length;
    const m = p.media.length;
    const l = p.variants.reduce(
      (n, x) => n + x.inventoryItem.inventoryLevels.filter((lv) => active.has(lv.location.id)).length,
      0,
    );
    product += 6 + 2 * m + 3 * v;
    levels += 2 * l;
    nested += 2 * v + 3 * l;
  }
  return { product, levels, nested };
}

export default async function syncPaginated({ args, signal }: BenchContext): Promise<void> {
  const products = numberArg(args, 'products', 5_000);
  const targetSeconds = numberArg(args, 'target-seconds', 60);
  const cleanup = new Cleanup();
  try {
    const bench = await startSyncBench(cleanup);
    const { shop, scope, connectionId } = await connectStore(bench, {
      domain: 'paged-bench.myshopify.com',
      products,
      locations: 3,
      plan: 'enterprise',
    });
    const shape = catalogShape(shop);
    const floor = ruleFloor(shop);
    const floorPoints = floor.product + floor.levels;
    // A bucket of 20 s of restore, as Shopify's plans have, sized so the bound is about targetSeconds.
    const restoreRate = Math.ceil(floorPoints / (targetSeconds + 20));
    const bucket = restoreRate * 20;
    shop.setThrottle({ restoreRate, maximumAvailable: bucket, currentlyAvailable: bucket });
    shop.resetStats();
    console.log(
      `Catalog: ${fmt.int(shape.products)} products, ${fmt.int(shape.variants)} variants, ${fmt.int(shape.media)} images, ` +
        `${fmt.int(shape.levels)} levels on ${shape.locations} locations`,
    );
    console.log(
      `Bucket: ${fmt.int(bucket)} points, restoring ${fmt.int(restoreRate)}/s (a plan sized for ~${targetSeconds} s)`,
    );
    signal.throwIfAborted();

    const queued = await requestRun(bench, { store: connectionId, mode: 'paginated', scope: 'full' });
    const worker = await runInWorker(bench, queued.id, signal);
    const run = await getRun(bench, queued.id);
    const stats = shop.stats();
    console.log(describeRun(run));
    if (run.state !== 'succeeded') throw new Error(`The run ${run.state}.`);
    await proveEqual(bench, scope, shop);

    const wall = worker.runMs / 1000;
    const charged = stats.pointsUsed;
    const bound = Math.max(0, charged - bucket) / restoreRate;
    const ratio = wall / bound;
    const perProduct = charged / shape.products;
    const floorPerProduct = floorPoints / shape.products;
    console.log(`\n${machineLine()}`);
    console.log(
      table(
        ['', 'value'],
        [
          ['wall time of the run (worker)', `${wall.toFixed(1)} s`],
          ['points charged by Shopify', fmt.int(charged)],
          ['throttle bound (charged − bucket) ÷ restore', `${bound.toFixed(1)} s`],
          ['requests / throttled answers', `${fmt.int(stats.requests)} / ${stats.throttled}`],
          ['time the worker waited for the bucket', `${(run.throttle_wait_ms / 1000).toFixed(1)} s`],
          ['worker peak RSS', `${fmt.int(worker.peakRssMb)} MB`],
        ],
      ),
    );
    console.log(
      `\nratio wall ÷ throttle bound = ${ratio.toFixed(3)}  (target ≤ ${TARGET_RATIO})  ${ratio <= TARGET_RATIO ? 'PASS' : 'ABOVE'}`,
    );
    console.log('\nPoints per product, every level of every location included:');
    console.log(
      table(
        ['', 'points/product', '× tap-shopify (64)'],
        [
          ['ours, measured', perProduct.toFixed(1), (perProduct / TAP_SHOPIFY_POINTS).toFixed(2)],
          [
            "the rule's floor for this catalog (our shapes, no page overhead)",
            floorPerProduct.toFixed(1),
            (floorPerProduct / TAP_SHOPIFY_POINTS).toFixed(2),
          ],
          ['  of which product, options, media, variants', (floor.product / shape.products).toFixed(1), ''],
          ['  of which levels, by location (2 a level)', (floor.levels / shape.products).toFixed(1), ''],
          [
            'levels nested in variants instead (2 a variant + 3 a level)',
            ((floor.product + floor.nested) / shape.products).toFixed(1),
            ((floor.product + floor.nested) / shape.products / TAP_SHOPIFY_POINTS).toFixed(2),
          ],
        ],
      ),
    );
    console.log(
      `ratio measured ÷ floor = ${(perProduct / floorPerProduct).toFixed(3)} (page overhead, locations, counts). ` +
        `This catalog averages ${(shape.variants / shape.products).toFixed(1)} variants, ${(shape.media / shape.products).toFixed(1)} images and ` +
        `${(shape.levels / shape.products).toFixed(1)} levels a product; the levels alone cost ${(floor.levels / shape.products).toFixed(1)} points.` +
        (floorPerProduct > TAP_SHOPIFY_POINTS / 2
          ? ` Half of tap-shopify's 64 (32) is below the rule's floor for this catalog: paging products and levels by connections cannot get there.`
          : ''),
    );
  } finally {
    await cleanup.run();
  }
}
