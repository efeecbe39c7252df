// Requests/s of GET /api/auth/me/ (our whole stack: plugins, hooks, JWT check, tenant transaction,
// zod serialization) against a bare Fastify + pg route doing one primary-key select, same run,
// same database, same pool size. Then micro-timings of the pieces of our path, to say where the time goes.
import Fastify from 'fastify';
import pg from 'pg';
import pino from 'pino';
import { buildApp } from '../apps/api/src/app.ts';
import { APP_ROLE } from '../apps/api/src/db/roles.ts';
import { me } from '../apps/api/src/modules/accounts/accounts.service.ts';
import { jwtKey, signAccessToken, verifyAccessToken } from '../apps/api/src/modules/accounts/tokens.ts';
import { type BenchContext, Cleanup } from './lib/context.ts';
import { type Piece, piecesTable } from './lib/micro.ts';
import { benchConfig, compareLoads, expectOk, loadArgs, registerOwner, startBenchDatabase } from './lib/setup.ts';
import { fmt } from './lib/table.ts';

const TARGET = 0.5;
const CONNECTIONS = 64;
const POOL_MAX = 20;
const MICRO_BUDGET_MS = 3000;
const BASELINE_SQL = 'select id, email, username from users where id = $1';
// What withScope() + userProfile() send (the same statements, written by hand).
const SCOPE_SQL =
  "select set_config('app.org_id', $1, true), set_config('app.user_id', $2, true), set_config('role', $3, true)";
const ORGS_SQL =
  'select o.id, o.name, m.role from memberships m join organizations o on o.id = m.org_id ' +
  'where m.user_id = $1 order by o.name, o.id';

export default async function apiOverhead({ args, signal }: BenchContext): Promise<void> {
  const { seconds, warmupSeconds, rounds, calls } = loadArgs(args, 2000);
  const cleanup = new Cleanup();
  const log = (line: string) => console.log(line);
  try {
    // 1. A real PostgreSQL with our migrations.
    const setupStarted = performance.now();
    const {
      tmp,
      url: databaseUrl,
      db,
      databaseCpuMs,
    } = await startBenchDatabase(cleanup, {
      poolMax: POOL_MAX,
      applicationName: 'bench-ours',
    });
    signal.throwIfAborted();
    log(`PostgreSQL started and migrated in ${((performance.now() - setupStarted) / 1000).toFixed(1)} s`);

    // 2. Our app, as production builds it (logger silenced).
    const config = benchConfig(tmp, POOL_MAX);
    const app = await buildApp({ config, db, logger: pino({ level: 'silent' }) });
    cleanup.add('close our app', () => app.close());
    const ours = await app.listen({ host: '127.0.0.1', port: 0 });

    const registered = await registerOwner(ours);
    const userId = registered.user.id;
    const orgId = registered.user.organization.id;
    const { headers } = registered;
    const oursUrl = `${ours}/api/auth/me/`;
    const profile = (await expectOk(await fetch(oursUrl, { headers }), 'GET /api/auth/me/')) as { id: string };
    if (profile.id !== userId) throw new Error('GET /api/auth/me/ returned another user.');

    // 3. The baseline: bare Fastify, a pg.Pool of the same size on the same database, one select.
    const pool = new pg.Pool({ connectionString: databaseUrl, max: POOL_MAX, application_name: 'bench-baseline' });
    pool.on('error', () => {});
    cleanup.add('close baseline pool', () => pool.end());
    const bare = Fastify({ logger: false });
    bare.get<{ Params: { id: string } }>('/baseline/:id', async (request, reply) => {
      const { rows } = await pool.query(BASELINE_SQL, [request.params.id]);
      if (!rows[0]) return reply.code(404).send({ detail: 'no such user' });
      return rows[0];
    });
    cleanup.add('close baseline app', () => bare.close());
    const baselineUrl = `${await bare.listen({ host: '127.0.0.1', port: 0 })}/baseline/${userId}`;
    const row = (await expectOk(await fetch(baselineUrl), 'GET /baseline/:id')) as { id: string };
    if (row.id !== userId) throw new Error('The baseline returned another row.');

    // 4. Load, and the table.
    const { ratio } = await compareLoads({
      targets: {
        baseline: { label: 'GET /baseline/:id', url: baselineUrl },
        ours: { label: 'GET /api/auth/me/', url: oursUrl, headers },
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
    log(`\nratio ours/baseline = ${fmt.ratio(ratio)}  (target ≥ ${TARGET})  ${ratio >= TARGET ? 'PASS' : 'BELOW'}`);

    // 5. Where the time goes: the pieces of our path, called one at a time, against the baseline select.
    log(`\nWhere the time goes: up to ${calls} sequential calls each (${MICRO_BUDGET_MS / 1000} s cap), no other load`);
    const key = jwtKey(config.secretKey);
    const token = registered.access;
    const scopeParams = [orgId, userId, APP_ROLE];
    /** What me() sends, by hand: 5 statements, 5 round trips; `named` makes pg prepare each once per connection. */
    const rawTenantTransaction = (named: boolean) => async () => {
      const client = await pool.connect();
      try {
        await client.query('begin');
        await client.query({ text: SCOPE_SQL, values: scopeParams, name: named ? 'bench-scope' : undefined });
        await client.query({ text: BASELINE_SQL, values: [userId], name: named ? 'bench-user' : undefined });
        await client.query({ text: ORGS_SQL, values: [userId], name: named ? 'bench-orgs' : undefined });
        await client.query('commit');
      } finally {
        client.release();
      }
    };
    /** The same 5 statements as one simple-protocol string: 1 round trip (values inlined as escaped literals). */
    const lit = (v: string) => pg.escapeLiteral(v);
    const oneRoundTrip = [
      'begin',
      SCOPE_SQL.replace('$1', lit(orgId)).replace('$2', lit(userId)).replace('$3', lit(APP_ROLE)),
      BASELINE_SQL.replace('$1', lit(userId)),
      ORGS_SQL.replace('$1', lit(userId)),
      'commit',
    ].join('; ');
    const injectOk = async (target: typeof app | typeof bare, url: string, h?: Record<string, string>) => {
      const res = await target.inject({ method: 'GET', url, headers: h });
      if (res.statusCode !== 200) throw new Error(`inject ${url} answered ${res.statusCode}`);
    };
    const pieces: Piece[] = [
      ['baseline select (pg.Pool)', '1', () => pool.query(BASELINE_SQL, [userId])],
      [
        'JWT verify, a token seen before (cache hit)',
        '0',
        async () => {
          if (!(await verifyAccessToken(key, token)).valid) throw new Error('token rejected');
        },
      ],
      [
        'JWT sign + verify of a new token (jose HS256)',
        '0',
        async () => {
          const fresh = await signAccessToken(
            key,
            { userId, orgId, role: 'owner' },
            900 + Math.floor(Math.random() * 1e6),
          );
          if (!(await verifyAccessToken(key, fresh)).valid) throw new Error('token rejected');
        },
      ],
      ['me(): invpro_user_profile(), named statement', '1', () => me(db, userId, orgId)],
      ['same 5 statements, raw pg', '5', rawTenantTransaction(false)],
      ['  what if: raw pg, named prepared statements', '5', rawTenantTransaction(true)],
      ['  what if: the 5 statements in one simple query', '1', () => pool.query(oneRoundTrip)],
      ['bare Fastify + select, app.inject', '1', () => injectOk(bare, `/baseline/${userId}`)],
      ['GET /api/health/ (our stack, 1 drizzle select), inject', '1', () => injectOk(app, '/api/health/')],
      ['GET /api/auth/me/, app.inject', '1', () => injectOk(app, '/api/auth/me/', headers)],
    ];
    log(await piecesTable(pieces, { calls, budgetMs: MICRO_BUDGET_MS, signal, databaseCpuMs }));
    log(
      '\nRound trips per request, from the code: ours = 1 (a named statement calling invpro_user_profile(), which sets ' +
        'the tenant, user and role transaction-locally and selects); baseline = 1. The hand-written "same 5 statements" ' +
        'rows show the first version of the path (BEGIN, set_config, two selects, COMMIT).',
    );
  } finally {
    await cleanup.run();
  }
}
