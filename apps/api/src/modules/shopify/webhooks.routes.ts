import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { sendProblem } from '../../http/errors.ts';
import { errorResponses } from '../../http/schemas.ts';
import { enqueueEvents, receiveWebhook, type WebhookJobSender } from './webhooks.service.ts';

/** Shopify's product payloads can be large (up to 100 variants with images). */
export const WEBHOOK_BODY_LIMIT_BYTES = 5 * 1024 * 1024;

/**
 * `POST /api/shopify/webhook/`: Shopify calling, no bearer token. An encapsulated plugin, so only
 * this route reads JSON as raw bytes (the HMAC covers the bytes, never re-serialized JSON).
 */
export function shopifyWebhookRoutes(opts: { boss?: WebhookJobSender | undefined } = {}): FastifyPluginAsyncZod {
  return async (app) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser(
      'application/json',
      { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT_BYTES },
      (_request, body, done) => done(null, body),
    );
    const ctx = { db: app.db, config: app.config };

    app.post(
      '/api/shopify/webhook/',
      {
        bodyLimit: WEBHOOK_BODY_LIMIT_BYTES,
        schema: {
          tags: ['shopify'],
          summary: 'Inbound Shopify webhooks (HMAC-verified; recorded once per event, processed by the worker)',
          description:
            'Shopify signs the raw body with the app secret (X-Shopify-Hmac-Sha256). Anything unverified gets 401 and stores nothing; a repeated X-Shopify-Event-Id gets 200 and is ignored.',
          response: {
            200: z.object({ status: z.enum(['recorded', 'duplicate', 'acknowledged']) }),
            ...errorResponses(400, 401, 413, 415),
          },
        },
      },
      async (request, reply) => {
        const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const result = await receiveWebhook(ctx, raw, request.headers);
        switch (result.outcome) {
          case 'rejected':
            request.log.warn({ shop: request.headers['x-shopify-shop-domain'] }, `webhook refused: ${result.reason}`);
            return sendProblem(reply, 401, result.reason);
          case 'invalid_body':
            return sendProblem(reply, 400, result.reason);
          case 'acknowledged':
            return { status: 'acknowledged' as const };
          case 'recorded': {
            if (opts.boss && result.created.length > 0) {
              // A failed send loses nothing: the worker's sweep re-queues events left `received`.
              await enqueueEvents(opts.boss, result.created).catch((err) =>
                request.log.error({ err }, 'could not queue webhook processing; the sweep will retry'),
              );
            }
            return { status: result.created.length > 0 ? ('recorded' as const) : ('duplicate' as const) };
          }
        }
      },
    );
  };
}
