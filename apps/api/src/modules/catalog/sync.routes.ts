import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { withTenant } from '../../db/tenant.ts';
import { authOf, requireAuth } from '../../http/auth.ts';
import { AppError } from '../../http/errors.ts';
import { offsetOf, pageOf, pageQuery, paginated } from '../../http/pagination.ts';
import { errorResponses, uuidParam } from '../../http/schemas.ts';
import { assertMember } from '../accounts/team.service.ts';
import { SYNC_MODES, SYNC_SCOPES, SYNC_STATES, SYNC_TYPES } from './schema.ts';
import { cancelSync, requestSync, setSchedule } from './sync.service.ts';
import { findRun, listRuns } from './sync-runs.queries.ts';
import { runView, syncRunSchema } from './sync-runs.view.ts';
import { neverSynced, storeSyncSchema, storeSyncSummaries } from './sync-status.ts';

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
                (v) =>
                  v === undefined || v.split(',').every((s) => (SYNC_STATES as readonly string[]).includes(s.trim())),
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

  app.patch(
    '/api/shopify/sync/schedule/:store/',
    {
      schema: {
        tags,
        security,
        summary:
          "A store's sync schedule: incremental every interval_seconds, full every full_every_hours (owners and admins)",
        params: z.object({ store: uuidParam('store') }),
        body: z
          .object({
            interval_seconds: z
              .number({ error: 'interval_seconds must be a number of seconds.' })
              .int('interval_seconds must be a whole number of seconds.')
              .min(60, 'interval_seconds is at least 60.')
              .max(7 * 86_400, 'interval_seconds is at most a week (604800).')
              .optional()
              .describe('Default: SHOPIFY_SYNC_INTERVAL_PRODUCTS'),
            full_every_hours: z
              .number({ error: 'full_every_hours must be a number of hours.' })
              .int('full_every_hours must be a whole number of hours.')
              .min(1, 'full_every_hours is at least 1.')
              .max(24 * 31, 'full_every_hours is at most a month (744).')
              .optional(),
          })
          .strict(),
        response: { 200: storeSyncSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const actor = authOf(request);
      await setSchedule(ctx, actor, request.params.store, request.body);
      const summaries = await storeSyncSummaries(app.db, actor, app.config.shopify.syncIntervalProducts);
      return summaries.get(request.params.store) ?? neverSynced(app.config.shopify.syncIntervalProducts);
    },
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
