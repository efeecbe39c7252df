// A full sync of 100,000 products (about 250,000 variants, 3 locations) through the bulk path, in
// a worker process of its own: variant rows written per second against a bare COPY of the same
// rows into the same database in the same run, and the worker's peak RSS.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
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

const TARGET_RATIO = 0.5;
const TARGET_RSS_MB = 300;
const TABLES = ['products', 'images', 'variants', 'inventory_levels'] as const;

/** Copies the run's rows out, then times a bare COPY of them into a table like ours (its indexes too). */
async function bareCopy(url: string, table: string): Promise<{ rows: number; ms: number; bytes: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const chunks: Buffer[] = [];
    const out = client.query(copyTo(`copy catalog_${table} to stdout`));
    for await (const chunk of out) chunks.push(chunk as Buffer);
    await client.query(`drop table if exists bare_${table}`);
    await client.query(`create table bare_${table} (like catalog_${table} including all)`);
    await client.query('checkpoint');
    const started = performance.now();
    await pipeline(Readable.from(chunks), client.query(copyFrom(`copy bare_${table} from stdin`)));
    const ms = performance.now() - started;
    const { rows } = await client.query(`select count(*)::int as n from bare_${table}`);
    await client.query(`drop table bare_${table}`);
    return { rows: rows[0].n as number, ms, bytes: chunks.reduce((n, c) => n + c.length, 0) };
  } finally {
    await client.end();
  }
}

export default async function syncBulk({ args, signal }: BenchContext): Promise<void> {
  const products = numberArg(args, 'products', 100_000);
  const variantsPerProduct = numberArg(args, 'variants-per-product', 2.5);
  const cleanup = new Cleanup();
  try {
    const bench = await startSyncBench(cleanup);
    const { shop, scope, connectionId } = await connectStore(bench, {
      domain: 'bulk-bench.myshopify.com',
      products,
      variantsPerProduct,
      locations: 3,
      plan: 'plus',
    });
    signal.throwIfAborted();

    // The run's phases as the API shows them, seen by polling its row: exporting is Shopify's time
    // (here the simulator writing the file in this process), writing onwards is ours.
    const queued = await requestRun(bench, { store: connectionId, mode: 'bulk', scope: 'full' });
    const phases = new Map<string, number>();
    const databaseCpuBefore = bench.database.databaseCpuMs();
    const poll = setInterval(async () => {
      const { rows } = await bench.database.db.$client.query('select phase from sync_runs where id = $1', [queued.id]);
      const phase = rows[0]?.phase as string | undefined;
      if (phase && !phases.has(phase)) phases.set(phase, performance.now());
    }, 100);
    let worker: Awaited<ReturnType<typeof runInWorker>>;
    try {
      worker = await runInWorker(bench, queued.id, signal);
    } finally {
      clearInterval(poll);
    }
    const ended = performance.now();
    const databaseCpuAfter = bench.database.databaseCpuMs();
    const run = await getRun(bench, queued.id);
    console.log(describeRun(run));
    if (run.state !== 'succeeded' || run.path !== 'bulk')
      throw new Error(`The run ${run.state} on the ${run.path} path.`);
    const writingFrom = phases.get('writing');
    if (writingFrom === undefined) throw new Error(`The writing phase was never seen (${[...phases.keys()]}).`);
    const writingSeconds = (ended - writingFrom) / 1000;

    const shape = catalogShape(shop);
    await proveEqual(bench, scope, shop);

    console.log('\nBare COPY of the same rows into tables like ours (same indexes), same database:');
    const copies: Record<string, { rows: number; ms: number; bytes: number }> = {};
    for (const t of TABLES) copies[t] = await bareCopy(bench.database.url, t);
    console.log(
      table(
        ['table', 'rows', 'MB', 'COPY s', 'rows/s'],
        TABLES.map((t) => {
          const c = copies[t]!;
          return [
            t,
            fmt.int(c.rows),
            (c.bytes / 1e6).toFixed(1),
            (c.ms / 1000).toFixed(2),
            fmt.int(c.rows / (c.ms / 1000)),
          ];
        }),
      ),
    );
    const variants = shape.variants;
    const copyVariantsPerSecond = variants / (copies.variants!.ms / 1000);
    const copyAllSeconds = TABLES.reduce((s, t) => s + copies[t]!.ms, 0) / 1000;
    const oursPerSecond = variants / writingSeconds;
    const strict = oursPerSecond / copyVariantsPerSecond;
    const likeForLike = oursPerSecond / (variants / copyAllSeconds);

    console.log(`\n${machineLine()}`);
    console.log(
      table(
        ['', 'value'],
        [
          [
            'catalog',
            `${fmt.int(shape.products)} products, ${fmt.int(variants)} variants, ${fmt.int(shape.media)} images, ${fmt.int(shape.levels)} levels`,
          ],
          ['run, started → finished', `${runSeconds(run).toFixed(1)} s`],
          [
            '  exporting (Shopify preparing the file)',
            `${(((phases.get('writing') ?? ended) - (phases.get('exporting') ?? ended)) / 1000).toFixed(1)} s`,
          ],
          ['  writing → finished (download, parse, upserts, aggregates, reconcile)', `${writingSeconds.toFixed(1)} s`],
          ['variant rows/s, ours (while writing every other row too)', fmt.int(oursPerSecond)],
          ['variant rows/s, bare COPY of the variants', fmt.int(copyVariantsPerSecond)],
          ['variant rows/s, bare COPY of every row the run wrote', fmt.int(variants / copyAllSeconds)],
          ['worker peak RSS', `${fmt.int(worker.peakRssMb)} MB`],
          [
            'CPU during the run: worker / PostgreSQL',
            `${(worker.cpuMs / 1000).toFixed(1)} s / ${
              databaseCpuBefore === undefined || databaseCpuAfter === undefined
                ? 'n/a'
                : `${((databaseCpuAfter - databaseCpuBefore) / 1000).toFixed(1)} s`
            }`,
          ],
        ],
      ),
    );
    console.log(
      `\nratio ours ÷ bare COPY of the variants = ${strict.toFixed(2)}  (target ≥ ${TARGET_RATIO})  ${strict >= TARGET_RATIO ? 'PASS' : 'BELOW'}`,
    );
    console.log(
      `ratio ours ÷ bare COPY of every row the run wrote (products, images, variants, levels) = ${likeForLike.toFixed(2)}`,
    );
    console.log(
      `worker peak RSS = ${fmt.int(worker.peakRssMb)} MB  (target < ${TARGET_RSS_MB} MB)  ${worker.peakRssMb < TARGET_RSS_MB ? 'PASS' : 'ABOVE'}`,
    );
  } finally {
    await cleanup.run();
  }
}
