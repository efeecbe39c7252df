import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { withTenant } from '../../db/tenant.ts';
import { authOf, requireAuth } from '../../http/auth.ts';
import { AppError } from '../../http/errors.ts';
import { offsetOf, pageOf, pageQuery, paginated } from '../../http/pagination.ts';
import { errorResponses, uuidParam } from '../../http/schemas.ts';
import { assertMember } from '../accounts/team.service.ts';
import { SYNC_MODES, SYNC_SCOPES, SYNC_STATES, SYNC_TRIGGERS, SYNC_TYPES } from './schema.ts';
import { cancelSync, requestSync } from './sync.service.ts';
import { findRun, listRuns, type SyncRunRow } from './sync-runs.queries.ts';

const counts = z.object({ created: z.number(), updated: z.number(), unchanged: z.number(), deleted: z.number() });

export const syncRunSchema = z
  .object({
    id: z.string(),
    store: z.string().describe('The store connection id'),
    trigger: z.enum(SYNC_TRIGGERS),
    type: z.enum(SYNC_TYPES),
    scope: z.enum(SYNC_SCOPES),
    mode: z.enum(SYNC_MODES).describe('What was asked'),
    path: z.enum(['bulk', 'paginated']).nullable().describe('The path taken, once planned'),
    path_reason: z.string().nullable().describe('Why that path: the estimate behind `auto`, or a fallback'),
    state: z.enum(SYNC_STATES),
    phase: z.string().nullable(),
    queued_at: z.string(),
    started_at: z.string().nullable(),
    finished_at: z.string().nullable(),
    cancel_requested_at: z.string().nullable(),
    progress: z.object({ done: z.number(), total: z.number().nullable() }),
    pages: z.number(),
    products_processed: z.number(),
    variants_processed: z.number(),
    levels_processed: z.number(),
    counts: z.object({ products: counts, variants: counts, levels: counts }),
    points_used: z.number(),
    throttle_wait_ms: z.number(),
    requests: z.number(),
    retries: z.number(),
    attempts: z.number(),
    errors: z.array(z.object({ at: z.string(), message: z.string() })),
  })
  .meta({ id: 'SyncRun' });

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function runView(run: SyncRunRow) {
  return {
    id: run.id,
    store: run.connectionId,
    trigger: run.trigger,
    type: run.type,
    scope: run.scope,
    mode: run.mode,
    path: run.path,
    path_reason: run.pathReason,
    state: run.state,
    phase: run.phase,
    queued_at: run.queuedAt.toISOString(),
    started_at: iso(run.startedAt),
    finished_at: iso(run.finishedAt),
    cancel_requested_at: iso(run.cancelRequestedAt),
    progress: { done: run.done, total: run.total },
    pages: run.pages,
    products_processed: run.productsProcessed,
    variants_processed: run.variantsProcessed,
    levels_processed: run.levelsProcessed,
    counts: { products: run.products, variants: run.variants, levels: run.levels },
    points_used: run.pointsUsed,
    throttle_wait_ms: run.throttleWaitMs,
    requests: run.requests,
    retries: run.retries,
    attempts: run.attempts,
    errors: run.errors,
  };
}

const ACTIVE = new Set(['queued', 'running']);
/** How often the event stream looks at the run, and how often it says it is still there. */
const EVENT_POLL_MS = 500;
const KEEPALIVE_MS = 15_000;

export const syncRoutes: FastifyPluginAsyncZod = async (app) => {
  app.addHook('preHandler', requireAuth);
  const ctx = app.shopify;
  const tags = ['sync'];
  const security = [{ bearer: [] }];
  const idParams = z.object({ id: uuidParam('id') });

  app.post(
    '/api/shopify/sync/',
    {
      schema: {
        tags,
        security,
        summary: 'Start a sync of one store, or of every connected store (one run each)',
        description:
          'Answers 202 with the queued run, or `{runs}` when several stores were asked for. A store with an active run answers that run with 200 instead: one run per store at a time.',
        body: z
          .object({
            type: z.enum(SYNC_TYPES, { error: 'type must be "products" or "inventory".' }).default('products'),
            store: uuidParam('store').optional(),
            scope: z.enum(SYNC_SCOPES, { error: 'scope must be "full" or "incremental".' }).optional(),
            mode: z.enum(SYNC_MODES, { error: 'mode must be "auto", "bulk" or "paginated".' }).optional(),
          })
          .strict(),
        response: {
          200: z.union([syncRunSchema, z.object({ runs: z.array(syncRunSchema) })]),
          202: z.union([syncRunSchema, z.object({ runs: z.array(syncRunSchema) })]),
          ...errorResponses(400, 401, 404, 409),
        },
      },
    },
    async (request, reply) => {
      const results = await requestSync(ctx, authOf(request), request.body);
      const status = results.some((r) => r.created) ? 202 : 200;
      const views = results.map((r) => runView(r.run));
      return reply.code(status).send(request.body.store || views.length === 1 ? views[0]! : { runs: views });
    },
  );

  app.get(
    '/api/shopify/sync/runs/',
    {
      schema: {
        tags,
        security,
        summary: 'Sync runs, newest first; filter by store and state',
        querystring: pageQuery
          .extend({
            store: uuidParam('store').optional(),
            state: z
              .string()
              .optional()
              .refine(
                (v) => !v || v.split(',').every((s) => (SYNC_STATES as readonly string[]).includes(s.trim())),
                `state must be one or more (comma-separated) of ${SYNC_STATES.join(', ')}.`,
              ),
          })
          .strict(),
        response: { 200: pageOf(syncRunSchema), ...errorResponses(400, 401) },
      },
    },
    async (request) => {
      const actor = authOf(request);
      const q = request.query;
      const { rows, count } = await withTenant(
        app.db,
        actor.orgId,
        async (tx) => {
          await assertMember(tx, actor);
          return listRuns(tx, {
            orgId: actor.orgId,
            connectionId: q.store,
            states: q.state?.split(',').map((s) => s.trim()),
            limit: q.page_size,
            offset: offsetOf(q),
          });
        },
        actor.userId,
      );
      return paginated(request, q, count, rows.map(runView));
    },
  );

  const oneRun = async (actor: { userId: string; orgId: string }, id: string) => {
    const run = await withTenant(
      app.db,
      actor.orgId,
      async (tx) => {
        await assertMember(tx, actor);
        return findRun(tx, actor.orgId, id);
      },
      actor.userId,
    );
    if (!run) throw new AppError('not_found', 'No sync run with that id in this organization.');
    return run;
  };

  app.get(
    '/api/shopify/sync/runs/:id/',
    {
      schema: {
        tags,
        security,
        summary: 'One sync run: state, phase, progress, counts, cost, errors',
        params: idParams,
        response: { 200: syncRunSchema, ...errorResponses(401, 404) },
      },
    },
    async (request) => runView(await oneRun(authOf(request), request.params.id)),
  );

  app.post(
    '/api/shopify/sync/runs/:id/cancel/',
    {
      schema: {
        tags,
        security,
        summary: 'Cancel a run: a queued one ends now, a running one at its next checkpoint',
        params: idParams,
        response: { 200: syncRunSchema, ...errorResponses(401, 404, 409) },
      },
    },
    async (request) => runView(await cancelSync(ctx, authOf(request), request.params.id)),
  );

  app.get(
    '/api/shopify/sync/runs/:id/events/',
    {
      schema: {
        tags,
        security,
        summary: 'Live progress as server-sent events (`progress` while it runs, then `end`)',
        description:
          'Each `progress` event carries the run (as GET /runs/{id}/) plus `rate` (items a second since the previous event) and `eta_seconds` when a total is known. Read it with fetch (it needs the bearer token).',
        params: idParams,
        response: { 200: z.string().describe('text/event-stream'), ...errorResponses(401, 404) },
      },
    },
    async (request, reply) => {
      const actor = authOf(request);
      let run = await oneRun(actor, request.params.id);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      let closed = false;
      request.raw.on('close', () => {
        closed = true;
      });
      const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      let last = { at: Date.now(), done: run.done, phase: run.phase, json: '' };
      let lastWrite = Date.now();
      try {
        for (;;) {
          const view = runView(run);
          const json = JSON.stringify(view);
          if (json !== last.json) {
            const seconds = (Date.now() - last.at) / 1000;
            const rate = last.phase === run.phase && seconds > 0 ? Math.max(0, (run.done - last.done) / seconds) : 0;
            const eta = run.total && rate > 0 ? Math.max(0, (run.total - run.done) / rate) : null;
            send('progress', {
              ...view,
              rate: Math.round(rate * 10) / 10,
              eta_seconds: eta === null ? null : Math.round(eta),
            });
            last = { at: Date.now(), done: run.done, phase: run.phase, json };
            lastWrite = Date.now();
          } else if (Date.now() - lastWrite > KEEPALIVE_MS) {
            res.write(': still here\n\n');
            lastWrite = Date.now();
          }
          if (!ACTIVE.has(run.state) || closed) break;
          await new Promise((r) => setTimeout(r, EVENT_POLL_MS));
          if (closed) break;
          run = (await withTenant(app.db, actor.orgId, (tx) => findRun(tx, actor.orgId, run.id))) ?? run;
        }
        if (!closed) send('end', runView(run));
      } catch (err) {
        request.log.error({ err }, 'sync event stream failed');
      } finally {
        res.end();
      }
    },
  );
};
