import { WEBHOOK_BODY_LIMIT_BYTES, WEBHOOK_PATH } from '@invpro/contract';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { sendProblem } from '../../http/errors.ts';
import { errorResponses } from '../../http/schemas.ts';
import { QueueUnavailable, receiveWebhook } from './webhooks.service.ts';

/**
 * `POST /api/shopify/webhook/`: Shopify calling, no bearer token. An encapsulated plugin, so only
 * this route reads JSON as raw bytes (the HMAC covers the bytes, never re-serialized JSON).
 */
export function shopifyWebhookRoutes(): FastifyPluginAsyncZod {
  return async (app) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser(
      'application/json',
      { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT_BYTES },
      (_request, body, done) => done(null, body),
    );

    app.post(
      WEBHOOK_PATH,
      {
        bodyLimit: WEBHOOK_BODY_LIMIT_BYTES,
        schema: {
          tags: ['shopify'],
          summary: 'Inbound Shopify webhooks (HMAC-verified; recorded once per event, processed by the worker)',
          description:
            'Shopify signs the raw body with the app secret (X-Shopify-Hmac-Sha256). Anything unverified gets 401 and stores nothing; a repeated X-Shopify-Event-Id gets 200 and is ignored.',
          response: {
            200: z.object({ status: z.enum(['recorded', 'duplicate', 'acknowledged']) }),
            ...errorResponses(400, 401, 413, 415, 503),
          },
        },
      },
      async (request, reply) => {
        const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        let result: Awaited<ReturnType<typeof receiveWebhook>>;
        try {
          result = await receiveWebhook(app.shopify, raw, request.headers);
        } catch (err) {
          if (!(err instanceof QueueUnavailable)) throw err;
          // Nothing was recorded: Shopify retries a delivery that did not get a 2xx.
          request.log.error({ err }, 'webhook not recorded: the job queue is unavailable');
          return sendProblem(reply, 503, 'The webhook could not be recorded right now; deliver it again later.');
        }
        switch (result.outcome) {
          case 'rejected':
            request.log.warn({ shop: request.headers['x-shopify-shop-domain'] }, `webhook refused: ${result.reason}`);
            return sendProblem(reply, 401, result.reason);
          case 'invalid_body':
            return sendProblem(reply, 400, result.reason);
          case 'acknowledged':
            return { status: 'acknowledged' as const };
          case 'recorded':
            return { status: result.created.length > 0 ? ('recorded' as const) : ('duplicate' as const) };
        }
      },
    );
  };
}
