// Requests/s and p99 of GET /api/shopify/products/?search=…&status=active on 100,000 products of one
// organization (our whole stack: plugins, JWT, membership check, tenant transaction, the trigram
// search through invpro_products_matching(), the count beside the page, zod serialization) against a
// bare Fastify + pg route doing one indexed select of the same page, same run, same database.
import os from 'node:os';
import { sql } from 'drizzle-orm';
import Fastify from 'fastify';
import pg from 'pg';
import pino from 'pino';
import { buildApp } from '../apps/api/src/app.ts';
import { newId } from '../apps/api/src/db/ids.ts';
import { withTenant } from '../apps/api/src/db/tenant.ts';
import { listProducts as listProductRows } from '../apps/api/src/modules/catalog/products.queries.ts';
import { listProducts } from '../apps/api/src/modules/catalog/products.service.ts';
import { ADJECTIVES, seedCatalog } from './lib/catalog-seed.ts';
import { type BenchContext, Cleanup, numberArg, textArg } from './lib/context.ts';
import { type Piece, piecesTable } from './lib/micro.ts';
import { benchConfig, compareLoads, expectOk, loadArgs, registerOwner, startBenchDatabase } from './lib/setup.ts';
import { fmt } from './lib/table.ts';

const TARGET_RATIO = 0.5;
const TARGET_P99_MS = 50;
const CONNECTIONS = 64;
const POOL_MAX = 20;
const PAGE_SIZE = 50;
const MICRO_BUDGET_MS = 3000;
/**
 * The baseline: the page our route answers, as the database owner (no row-level security, so the
 * trigram index applies directly), without its count, membership check or tenant transaction.
 */
const BASELINE_SQL = `
  select id, shopify_gid, connection_id, title, handle, description_html, status, product_type, vendor, tags,
         image, price_min, price_max, total_inventory, variants_count, shopify_created_at, shopify_updated_at,
         synced_at, deleted_at
  from catalog_products
  where org_id = $1 and deleted_at is null and status = 'ACTIVE' and search_text like $2
  order by lower(title), id
  limit ${PAGE_SIZE}`;

export default async function productsApi({ args, signal }: BenchContext): Promise<void> {
  const products = numberArg(args, 'products', 100_000);
  const { seconds, warmupSeconds, rounds, calls } = loadArgs(args, 500);
  // Two title words: about one product in 600 (catalog-seed.ts), the size of a merchant's real query.
  const search = textArg(args, 'search', `${ADJECTIVES[0]} chair`);
  const cleanup = new Cleanup();
  const log = (line: string) => console.log(line);
  try {
    // 1. A real PostgreSQL with our migrations, and our app as production builds it.
    const started = performance.now();
    const { tmp, url, db, databaseCpuMs } = await startBenchDatabase(cleanup, {
      poolMax: POOL_MAX,
      applicationName: 'bench-ours',
    });
    signal.throwIfAborted();
    const app = await buildApp({ config: benchConfig(tmp, POOL_MAX), db, logger: pino({ level: 'silent' }) });
    cleanup.add('close our app', () => app.close());
    const ours = await app.listen({ host: '127.0.0.1', port: 0 });
    const registered = await registerOwner(ours);
    const orgId = registered.user.organization.id;
    const actor = { userId: registered.user.id, orgId };
    const { headers } = registered;
    log(`PostgreSQL started, migrated, app up in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    // 2. One store with the catalog, as a finished sync leaves it (fresh as of now).
    const connectionId = newId();
    await db.execute(sql`
      insert into shopify_connections (org_id, id, shop_domain, auth_method, state)
      values (${orgId}, ${connectionId}, 'bench.myshopify.com', 'access_token', 'connected')`);
    await db.execute(
      sql`insert into sync_states (org_id, connection_id, fresh_at) values (${orgId}, ${connectionId}, now())`,
    );
    const seeded = await seedCatalog(db, { orgId, connectionId }, products);
    signal.throwIfAborted();
    const sizes = (
      await db.execute(sql`
        select (select count(*) from catalog_products)::int as products, (select count(*) from catalog_variants)::int as variants,
               (select count(*) from catalog_images)::int as images, (select count(*) from catalog_inventory_levels)::int as levels`)
    ).rows[0] as Record<string, number>;
    log(
      `Seeded ${Object.entries(sizes)
        .map(([k, v]) => `${fmt.int(v)} ${k}`)
        .join(', ')} in ${seeded.toFixed(1)} s`,
    );

    const query = new URLSearchParams({ search, status: 'active' });
    const oursUrl = `${ours}/api/shopify/products/?${query}`;
    const page = (await expectOk(await fetch(oursUrl, { headers }), `GET ${oursUrl}`)) as {
      count: number;
      results: { id: string }[];
    };
    if (page.results.length === 0)
      throw new Error(`"${search}" with status=active matches nothing; pick another term.`);

    // 3. The baseline: bare Fastify, a pg.Pool of the same size on the same database, one select.
    const pool = new pg.Pool({ connectionString: url, max: POOL_MAX, application_name: 'bench-baseline' });
    pool.on('error', () => {});
    cleanup.add('close baseline pool', () => pool.end());
    const pattern = `%${search.toLowerCase()}%`;
    const bare = Fastify({ logger: false });
    bare.get('/baseline', async () => (await pool.query(BASELINE_SQL, [orgId, pattern])).rows);
    cleanup.add('close baseline app', () => bare.close());
    const baselineUrl = `${await bare.listen({ host: '127.0.0.1', port: 0 })}/baseline`;
    const rows = (await expectOk(await fetch(baselineUrl), 'GET /baseline')) as { id: string }[];
    const same = rows.map((r) => r.id).join() === page.results.map((r) => r.id).join();
    if (!same) throw new Error('The baseline and our route answered different pages.');
    log(
      `Query: ?${query} → ${fmt.int(page.count)} matching products, ${page.results.length} on the page (the baseline's page is the same)`,
    );

    // 4. Load, and the table.
    const { ours: o, ratio } = await compareLoads({
      targets: {
        baseline: { label: 'GET /baseline (one select)', url: baselineUrl },
        ours: { label: 'GET /api/shopify/products/', url: oursUrl, headers },
      },
      connections: CONNECTIONS,
      poolMax: POOL_MAX,
      seconds,
      warmupSeconds,
      rounds,
      signal,
      databaseCpuMs,
      log,
    });
    log(
      `\nratio ours/baseline = ${fmt.ratio(ratio)}  (target ≥ ${TARGET_RATIO})  ${ratio >= TARGET_RATIO ? 'PASS' : 'BELOW'}`,
    );
    log(`p99 ours = ${fmt.ms(o.p99)} ms  (target < ${TARGET_P99_MS} ms)  ${o.p99 < TARGET_P99_MS ? 'PASS' : 'ABOVE'}`);

    // 5. Where the time goes: the pieces of our path, one call at a time, against the baseline select.
    log(`\nWhere the time goes: up to ${calls} sequential calls each (${MICRO_BUDGET_MS / 1000} s cap), no other load`);
    const filters = { search, status: 'ACTIVE' as const, includeDeleted: false };
    const pageParams = { ordering: 'title' as const, limit: PAGE_SIZE, offset: 0 };
    const injectOk = async (target: typeof app | typeof bare, path: string, h?: Record<string, string>) => {
      const res = await target.inject({ method: 'GET', url: path, headers: h });
      if (res.statusCode !== 200) throw new Error(`inject ${path} answered ${res.statusCode}`);
    };
    const pieces: Piece[] = [
      ['baseline select (pg.Pool)', '1', () => pool.query(BASELINE_SQL, [orgId, pattern])],
      [
        'the page + count statement, in withTenant',
        '3',
        () => withTenant(db, orgId, (tx) => listProductRows(tx, { ...filters, orgId }, pageParams)),
      ],
      ['listProducts(): + membership check, views', '4', () => listProducts(db, actor, filters, pageParams)],
      ['bare Fastify + select, app.inject', '1', () => injectOk(bare, '/baseline')],
      ['GET /api/shopify/products/, app.inject', '4', () => injectOk(app, `/api/shopify/products/?${query}`, headers)],
    ];
    log(await piecesTable(pieces, { calls, budgetMs: MICRO_BUDGET_MS, signal, databaseCpuMs }));
    log(
      `\nRound trips per request, from the code: ours = 4 (BEGIN with the tenant settings, the membership check, ` +
        `the page with its count, COMMIT); baseline = 1. ${os.availableParallelism()} cores shared by both servers, ` +
        'the load generator and PostgreSQL.',
    );
  } finally {
    await cleanup.run();
  }
}
