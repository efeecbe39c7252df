import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { applyFault, drawFault } from './faults.ts';
import { runGraphQL } from './graphql.ts';
import { header, parseBody, readBody, sendJson, sleep } from './http.ts';
import { API_VERSION } from './schema.ts';
import type { Sim } from './sim.ts';

// POST /admin/api/{version}/graphql.json. The shop comes from X-Shopify-Shop-Domain (what our API sends
// when SHOPIFY_API_ORIGIN is set) or else from the access token. Any version handle is accepted and
// answered with the 2026-10 schema.

export const UNAUTHORIZED_BODY = {
  errors: '[API] Invalid API key or access token (unrecognized login or wrong password)',
};

export const GRAPHQL_PATH = /^\/admin\/api\/(\d{4}-\d{2}|unstable)\/graphql\.json$/;

export async function handleAdminGraphQL(sim: Sim, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const raw = await readBody(req);
  const token = header(req, 'x-shopify-access-token');
  const headerDomain = header(req, 'x-shopify-shop-domain');
  const shop = sim.shopFor(token, headerDomain);
  const common = { 'X-Shopify-API-Version': API_VERSION, 'X-Request-Id': randomUUID() };
  if (headerDomain && !shop) {
    sendJson(res, 404, { errors: 'Not Found' }, common);
    return;
  }
  if (shop) shop.stats.requests++;

  const outcome = drawFault(sim, shop);
  if (outcome.delayMs > 0) {
    if (shop) shop.stats.faults.slow = (shop.stats.faults.slow ?? 0) + 1;
    await sleep(outcome.delayMs);
  }
  if (outcome.kind !== 'none') {
    if (shop) shop.stats.faults[outcome.kind] = (shop.stats.faults[outcome.kind] ?? 0) + 1;
    applyFault(outcome, shop?.faults ?? sim.globalFaults, req, res);
    return;
  }

  const auth = sim.authenticate(token, headerDomain);
  if (!auth) {
    if (shop) shop.stats.unauthorized++;
    sendJson(res, 401, UNAUTHORIZED_BODY, common);
    return;
  }
  // Shopify also takes the bare query text with Content-Type: application/graphql.
  const isGraphQL = String(req.headers['content-type'] ?? '').includes('application/graphql');
  const body = isGraphQL ? { query: raw.toString('utf8') } : parseBody(req, raw);
  if (body === null) {
    sendJson(res, 400, { errors: 'Invalid JSON in request body' }, common);
    return;
  }
  const answer = await runGraphQL(sim, auth.shop, auth.inst, body);
  sendJson(res, answer.status, answer.body, common);
}
