import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authOf, requireAuth } from '../../http/auth.ts';
import { errorResponses, text, uuidParam } from '../../http/schemas.ts';
import { neverSynced, storeSyncSchema, storeSyncSummaries } from '../catalog/sync-status.ts';
import { connectStore, disconnectStore, getConnection, retestConnection, storeStatus } from './connections.service.ts';
import { AUTH_METHODS, CONNECTION_STATES, WEBHOOK_STATES } from './schema.ts';

const connection = z
  .object({
    id: z.string(),
    shop_domain: z.string(),
    store_url: z.string(),
    state: z.enum(CONNECTION_STATES),
    auth_method: z.enum(AUTH_METHODS),
    shop_name: z.string().nullable(),
    plan: z.string().nullable(),
    currency: z.string().nullable(),
    timezone: z.string().nullable(),
    scopes: z.array(z.string()),
    api_key: z.string().nullable(),
    api_secret_hint: z.string().nullable(),
    access_token_hint: z.string().nullable(),
    token_expires_at: z.string().nullable(),
    error_count: z.number().int(),
    last_error: z.string().nullable(),
    last_error_at: z.string().nullable(),
    last_checked_at: z.string().nullable(),
    webhooks: z.object({ state: z.enum(WEBHOOK_STATES), error: z.string().nullable(), topics: z.array(z.string()) }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'ShopifyConnection' });

// Keys, secrets and tokens are printable ASCII; anything else cannot even travel in an HTTP header.
const credential = (label: string) =>
  text(500, label)
    .trim()
    .min(1, `Enter the ${label}.`)
    .regex(/^[\x21-\x7e]+$/, `The ${label} is printable ASCII without spaces; copy it again from Shopify.`);

export const shopifyConnectionsRoutes: FastifyPluginAsyncZod = async (app) => {
  app.addHook('preHandler', requireAuth);
  const ctx = app.shopify;
  const tags = ['shopify'];
  const security = [{ bearer: [] }];
  const idParams = z.object({ id: uuidParam('id') });

  app.post(
    '/api/shopify/connect/',
    {
      schema: {
        tags,
        security,
        summary: 'Connect a store with its app credentials (tested before saving; secrets stored encrypted)',
        description:
          'Without access_token, the client-credentials grant of a Dev Dashboard app is used with api_key and api_secret. Connecting the same store again updates its credentials and repairs that connection (same id, same synced data); api_secret may then be left out to keep the stored one.',
        body: z
          .object({
            store_url: text(255, 'The store URL').trim().min(1, 'Enter the store URL, e.g. acme.myshopify.com.'),
            api_key: credential('API key'),
            api_secret: credential('API secret').optional(),
            access_token: credential('access token').optional(),
          })
          .strict(),
        response: { 201: connection, ...errorResponses(400, 401, 403, 502) },
      },
    },
    async (request, reply) => reply.code(201).send(await connectStore(ctx, authOf(request), request.body)),
  );

  app.get(
    '/api/shopify/status/',
    {
      schema: {
        tags,
        security,
        summary: "The organization's stores; the top-level fields summarise the first one",
        response: {
          200: z.object({
            connected: z.boolean(),
            store_url: z.string().nullable(),
            shop_name: z.string().nullable(),
            state: z.enum([...CONNECTION_STATES, 'not_connected']),
            last_error: z.string().nullable(),
            oauth_available: z.boolean(),
            stores: z.array(connection.extend({ sync: storeSyncSchema })),
          }),
          ...errorResponses(401),
        },
      },
    },
    async (request) => {
      const actor = authOf(request);
      const status = await storeStatus(ctx, actor);
      // The catalog's view of each store: last and next sync, watermarks, size, freshness.
      const sync = await storeSyncSummaries(app.db, actor, app.config.shopify.syncIntervalProducts);
      const none = neverSynced(app.config.shopify.syncIntervalProducts);
      return { ...status, stores: status.stores.map((s) => ({ ...s, sync: sync.get(s.id) ?? none })) };
    },
  );

  app.get(
    '/api/shopify/connections/:id/',
    {
      schema: {
        tags,
        security,
        summary: 'One store connection',
        params: idParams,
        response: { 200: connection, ...errorResponses(401, 404) },
      },
    },
    async (request) => getConnection(ctx, authOf(request), request.params.id),
  );

  app.post(
    '/api/shopify/connections/:id/test/',
    {
      schema: {
        tags,
        security,
        summary: 'Test the stored credentials again; failures are counted on the connection',
        params: idParams,
        response: { 200: connection, ...errorResponses(401, 403, 404, 409) },
      },
    },
    async (request) => retestConnection(ctx, authOf(request), request.params.id),
  );

  app.post(
    '/api/shopify/connections/:id/disconnect/',
    {
      schema: {
        tags,
        security,
        summary: 'Disconnect: remove credentials and webhook subscriptions; keep or delete the synced data',
        params: idParams,
        body: z
          .object({ delete_data: z.boolean({ error: 'delete_data must be true or false.' }).default(false) })
          .strict(),
        response: { 200: connection, 204: z.null(), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const result = await disconnectStore(ctx, authOf(request), request.params.id, request.body.delete_data);
      return result ? result : reply.code(204).send(null);
    },
  );
};
