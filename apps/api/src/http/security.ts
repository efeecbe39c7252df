import type { FastifyInstance } from 'fastify';

/** Probes and the metrics scrape answer on plain HTTP: they come from inside, not from browsers. */
const PLAIN_HTTP_ALLOWED = ['/api/health/', '/metrics'];

export const HSTS = 'max-age=31536000; includeSubDomains';

/**
 * Production HTTP (DEBUG=false). A tiny hook rather than @fastify/helmet: the API answers JSON,
 * and helmet's default CSP would break /api/docs (its inline initializer) for no gain on JSON.
 * `request.protocol` is X-Forwarded-Proto only from hops TRUST_PROXY trusts; from anyone else
 * it is the socket's own.
 */
export function registerProductionHttp(app: FastifyInstance) {
  if (app.config.debug) return;
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'strict-origin-when-cross-origin');
    reply.header('x-frame-options', 'DENY');
    if (request.protocol === 'https') {
      reply.header('strict-transport-security', HSTS);
      return;
    }
    const path = request.url.split('?')[0]!;
    if (PLAIN_HTTP_ALLOWED.some((prefix) => path.startsWith(prefix))) return;
    // 308 keeps the method and body: a POST sent to http:// is repeated as a POST to https://.
    return reply.code(308).header('location', `https://${request.host}${request.url}`).send();
  });
}
