import { createHmac, randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { expect } from 'vitest';
import { buildApp } from '../../app.ts';
import { open } from '../../modules/shopify/crypto.ts';
import { json } from '../app.ts';
import { databaseChecksum } from './checksum.ts';
import type { World } from './world.ts';

/**
 * Every route the API registers must be declared here, with both guards: how tenant isolation is
 * proven for it, and what a valid request looks like so the bad-input suite can break it. The
 * coverage test fails when a registered route is missing, so a new route cannot slip through.
 */
export interface RouteGuard {
  /**
   * `probe` attacks the route as organization A with B's ids and asserts nothing of B's leaks or
   * changes; `none` says why the route holds no tenant data.
   */
  isolation: { probe: (app: FastifyInstance, w: World) => Promise<void> } | { none: string };
  /** A valid request as A's owner; undefined for routes with no input to break (static docs). */
  valid?: (w: World) => {
    auth: boolean;
    params?: Record<string, string>;
    query?: Record<string, string>;
    body?: Record<string, unknown>;
    /** Extra request headers (e.g. Shopify's webhook headers), kept on every hostile variant. */
    headers?: Record<string, string>;
  };
  /** Body fields that may be left out (so leaving them out is not bad input). */
  optional?: string[];
  /**
   * Query parameters and body fields that take any text (searched, compared or stored literally, so
   * SQL or markup in them is a valid value): only what no text may hold (NUL, an unbounded length)
   * is hostile for them.
   */
  freeText?: string[];
  /** Tables a refused request is meant to write to, and why (e.g. failed logins are counted). */
  records?: { tables: string[]; why: string };
}

const pathOf = (url: string, params: Record<string, string> = {}) =>
  url.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(params[name] ?? `missing-${name}`));

/** Inject as someone, expecting the answer to be 404 problem+json. */
async function expectNotFound(app: FastifyInstance, options: InjectOptions) {
  const res = await app.inject(options);
  expect(res.statusCode, `${options.method} ${options.url} → ${res.body}`).toBe(404);
  expect(res.headers['content-type']).toContain('application/problem+json');
}

/** A connection view leaks when it names B's shop or id. */
async function expectNoForeignStore(app: FastifyInstance, w: World, options: InjectOptions) {
  const res = await app.inject(options);
  expect(res.body).not.toContain(w.B.connection.shop);
  expect(res.body).not.toContain(w.B.connection.id);
  return res;
}

/** The Shopify webhook headers for `body`, signed with `secret` (base64 HMAC-SHA256 of the exact bytes). */
function webhookHeaders(secret: string, body: string, shop: string, topic = 'products/update') {
  return {
    'content-type': 'application/json',
    'x-shopify-topic': topic,
    'x-shopify-shop-domain': shop,
    'x-shopify-event-id': randomUUID(),
    'x-shopify-webhook-id': randomUUID(),
    'x-shopify-api-version': '2026-10',
    'x-shopify-triggered-at': new Date().toISOString(),
    'x-shopify-hmac-sha256': createHmac('sha256', secret).update(body).digest('base64'),
  };
}

/** A connection's decrypted API secret (as the owner connection: the test sees every tenant). */
async function apiSecretOf(app: FastifyInstance, connectionId: string): Promise<string> {
  const res = await app.db.execute(sql`select api_secret_enc from shopify_connections where id = ${connectionId}`);
  return open(app.config.encryptionKeys, (res.rows[0] as { api_secret_enc: string }).api_secret_enc);
}

/** A tenant's sync runs, read as the owner connection (the test sees every tenant). */
async function runsOf(app: FastifyInstance, orgId: string) {
  return (
    await app.db.execute(
      sql`select id, state, cancel_requested_at from sync_runs where org_id = ${orgId} order by queued_at`,
    )
  ).rows as { id: string; state: string }[];
}

const WEBHOOK_BODY = { id: 1001, title: 'Guarded product', variants: [] };

/** A list answer shows none of B's products, stores or locations, and A's own one. */
async function expectOnlyOwnCatalog(app: FastifyInstance, w: World, url: string, own: string) {
  const res = await app.inject({ method: 'GET', url, headers: w.A.owner.auth });
  expect(res.statusCode, res.body).toBe(200);
  expect(json(res).results.map((r: { id: string }) => r.id)).toContain(own);
  for (const foreign of [w.B.catalog.productId, w.B.catalog.locationId, w.B.connection.id, 'Guarded B'])
    expect(res.body).not.toContain(foreign);
}

/** Filtering by B's store finds nothing (a filter, not a lookup: no 404 to tell B's ids apart). */
async function expectEmptyForForeignStore(app: FastifyInstance, w: World, path: string) {
  const res = await app.inject({ method: 'GET', url: `${path}?store=${w.B.connection.id}`, headers: w.A.owner.auth });
  expect(res.statusCode, res.body).toBe(200);
  expect(json(res)).toMatchObject({ count: 0, results: [] });
}

const CATALOG_ROUTES: Record<string, RouteGuard> = {
  'GET /api/shopify/products/': {
    isolation: {
      async probe(app, w) {
        // Both tenants have a "Guarded … widget": searching, filtering or listing shows A's only.
        for (const query of [
          '',
          '?search=widget&page_size=250',
          '?search=guarded&tag=guarded&vendor=Acme&include_deleted=true',
        ])
          await expectOnlyOwnCatalog(app, w, `/api/shopify/products/${query}`, w.A.catalog.productId);
        await expectEmptyForForeignStore(app, w, '/api/shopify/products/');
      },
    },
    valid: (w) => ({
      auth: true,
      query: {
        search: 'widget',
        store: w.A.connection.id,
        status: 'active',
        vendor: 'Acme',
        product_type: 'Things',
        tag: 'guarded',
        stock: 'in',
        include_deleted: 'false',
        ordering: '-price',
        page: '1',
        page_size: '10',
      },
    }),
    freeText: ['search', 'vendor', 'product_type', 'tag'],
  },
  'GET /api/shopify/products/:id/': {
    isolation: {
      probe: (app, w) =>
        expectNotFound(app, {
          method: 'GET',
          url: `/api/shopify/products/${w.B.catalog.productId}/`,
          headers: w.A.owner.auth,
        }),
    },
    valid: (w) => ({ auth: true, params: { id: w.A.catalog.productId } }),
  },
  'GET /api/shopify/locations/': {
    isolation: {
      async probe(app, w) {
        await expectOnlyOwnCatalog(app, w, '/api/shopify/locations/?page_size=250', w.A.catalog.locationId);
        await expectEmptyForForeignStore(app, w, '/api/shopify/locations/');
      },
    },
    valid: (w) => ({ auth: true, query: { store: w.A.connection.id, page: '1', page_size: '10' } }),
  },
};

export const ROUTES: Record<string, RouteGuard> = {
  'GET /api/health/': { isolation: { none: 'system health, no tenant data' }, valid: () => ({ auth: false }) },
  'GET /api/health/live/': { isolation: { none: 'process liveness, no tenant data' }, valid: () => ({ auth: false }) },
  'GET /api/health/ready/': {
    isolation: { none: 'process readiness, no tenant data' },
    valid: () => ({ auth: false }),
  },
  'GET /metrics': {
    isolation: { none: 'process-wide counters labelled by route pattern and queue, never by tenant' },
    valid: () => ({ auth: false }),
  },
  'GET /api/openapi.json': { isolation: { none: 'static API description' } },
  'GET /api/docs': { isolation: { none: 'static documentation page' } },
  'GET /api/docs/*': { isolation: { none: 'static documentation assets' } },
  'GET /api/docs/json': { isolation: { none: 'static API description' } },
  'GET /api/docs/yaml': { isolation: { none: 'static API description' } },
  'GET /api/docs/static/*': { isolation: { none: 'static documentation assets' } },
  'GET /api/docs/static/index.html': { isolation: { none: 'static documentation page' } },
  'GET /api/docs/static/swagger-initializer.js': { isolation: { none: 'static documentation asset' } },

  'POST /api/auth/register/': {
    isolation: {
      async probe(app, w) {
        // Registering with another organization's invitation spliced onto our org id finds nothing.
        const secret = w.B.invitation.token.split('.')[1];
        const res = await app.inject({
          method: 'POST',
          url: '/api/auth/register/',
          payload: {
            email: w.B.invitation.email,
            username: `splice${Date.now()}`,
            password: 'violet-harbour-tractor-91',
            invitation: `${w.A.orgId}.${secret}`,
          },
        });
        expect(res.statusCode).toBe(404);
      },
    },
    valid: () => ({
      auth: false,
      body: {
        email: `new${Date.now()}@example.com`,
        username: `new${Date.now()}`,
        password: 'violet-harbour-tractor-91',
      },
    }),
  },
  'POST /api/auth/login/': {
    isolation: { none: 'answers only with the caller’s own account' },
    valid: (w) => ({ auth: false, body: { email: w.A.owner.email, password: w.A.owner.password } }),
    optional: ['email'],
    records: { tables: ['login_failures'], why: 'every refused login counts towards the rate limit' },
  },
  'POST /api/token/refresh/': {
    isolation: { none: 'acts only on the presented token' },
    valid: (w) => ({ auth: false, body: { refresh: w.A.owner.refresh } }),
    optional: ['refresh'],
  },
  'POST /api/auth/logout/': {
    isolation: { none: 'acts only on the presented token' },
    valid: (w) => ({ auth: false, body: { refresh: w.A.owner.refresh } }),
    optional: ['refresh'],
  },
  'POST /api/auth/logout-all/': {
    isolation: {
      async probe(app, w) {
        // A's member logs out everywhere: every session of theirs ends, and nobody else's.
        const open = (userIds: string[]) =>
          app.db
            .execute(
              sql`select count(*)::int as n from refresh_tokens where user_id in ${userIds} and revoked_at is null`,
            )
            .then((r) => (r.rows[0] as { n: number }).n);
        const others = [w.A.owner.user.id, w.B.owner.user.id, w.B.member.user.id];
        const before = await open(others);
        expect(before).toBeGreaterThan(0);
        const res = await app.inject({ method: 'POST', url: '/api/auth/logout-all/', headers: w.A.member.auth });
        expect(res.statusCode, res.body).toBe(204);
        expect(await open([w.A.member.user.id])).toBe(0);
        expect(await open(others)).toBe(before);
      },
    },
    valid: () => ({ auth: true }),
  },
  'GET /api/auth/me/': {
    isolation: {
      async probe(app, w) {
        const res = await app.inject({ method: 'GET', url: '/api/auth/me/', headers: w.A.owner.auth });
        expect(json(res).organization.id).toBe(w.A.orgId);
        expect(res.body).not.toContain(w.B.orgId);
      },
    },
    valid: () => ({ auth: true }),
  },
  'PATCH /api/auth/me/': {
    isolation: {
      async probe(app, w) {
        // The account changed is the token's: B's owner stays as it was, whatever A sends.
        const before = await app.inject({ method: 'GET', url: '/api/auth/me/', headers: w.B.owner.auth });
        const res = await app.inject({
          method: 'PATCH',
          url: '/api/auth/me/',
          headers: w.A.member.auth,
          payload: {
            username: `renamed${Date.now()}`,
            current_password: w.A.member.password,
            user_id: w.B.owner.user.id,
          },
        });
        expect(res.statusCode, res.body).toBe(400);
        const after = await app.inject({ method: 'GET', url: '/api/auth/me/', headers: w.B.owner.auth });
        expect(after.body).toBe(before.body);
      },
    },
    valid: (w) => ({ auth: true, body: { username: `renamed${Date.now()}`, current_password: w.A.owner.password } }),
    records: { tables: ['login_failures'], why: 'a wrong current password counts towards the login limits' },
  },
  'PATCH /api/organization/': {
    isolation: {
      async probe(app, w) {
        const nameOf = async (orgId: string) =>
          (
            (await app.db.execute(sql`select name from organizations where id = ${orgId}`)).rows[0] as {
              name: string;
            }
          ).name;
        const before = await nameOf(w.B.orgId);
        const res = await app.inject({
          method: 'PATCH',
          url: '/api/organization/',
          headers: w.A.owner.auth,
          payload: { name: 'Renamed by A' },
        });
        expect(res.statusCode, res.body).toBe(200);
        expect(json(res).id).toBe(w.A.orgId);
        expect(await nameOf(w.B.orgId)).toBe(before);
        // A's member may not rename even their own organization.
        const member = await app.inject({
          method: 'PATCH',
          url: '/api/organization/',
          headers: w.A.member.auth,
          payload: { name: 'Renamed by a member' },
        });
        expect(member.statusCode).toBe(403);
        expect(await nameOf(w.A.orgId)).toBe('Renamed by A');
      },
    },
    valid: () => ({ auth: true, body: { name: 'Org A renamed' } }),
    freeText: ['name'],
  },
  'POST /api/auth/switch-organization/': {
    isolation: {
      probe: (app, w) =>
        expectNotFound(app, {
          method: 'POST',
          url: '/api/auth/switch-organization/',
          headers: w.A.owner.auth,
          payload: { organization_id: w.B.orgId },
        }),
    },
    valid: (w) => ({ auth: true, body: { organization_id: w.A.orgId } }),
  },
  'GET /api/auth/invitations/:token/': {
    isolation: {
      async probe(app, w) {
        const spliced = `${w.A.orgId}.${w.B.invitation.token.split('.')[1]}`;
        await expectNotFound(app, { method: 'GET', url: `/api/auth/invitations/${spliced}/` });
      },
    },
    valid: (w) => ({ auth: false, params: { token: w.A.invitation.token } }),
  },
  'POST /api/auth/invitations/:token/accept/': {
    isolation: {
      async probe(app, w) {
        const spliced = `${w.A.orgId}.${w.B.invitation.token.split('.')[1]}`;
        await expectNotFound(app, {
          method: 'POST',
          url: `/api/auth/invitations/${spliced}/accept/`,
          headers: w.A.owner.auth,
        });
      },
    },
    valid: (w) => ({ auth: true, params: { token: w.A.invitation.token } }),
  },
  'POST /api/auth/password-reset/': {
    isolation: {
      async probe(app, w) {
        // B's member's reset link lands in B's outbox only: A's owner never sees it.
        const res = await app.inject({
          method: 'POST',
          url: '/api/auth/password-reset/',
          payload: { email: w.B.member.email },
        });
        expect(res.statusCode, res.body).toBe(202);
        await app.mailer.drain();
        const a = await app.inject({ method: 'GET', url: '/api/mail/outbox/?page_size=250', headers: w.A.owner.auth });
        expect(a.body).not.toContain(w.B.member.email);
        const b = await app.inject({ method: 'GET', url: '/api/mail/outbox/?page_size=250', headers: w.B.owner.auth });
        expect(b.body).toContain(w.B.member.email);
      },
    },
    valid: (w) => ({ auth: false, body: { email: w.A.member.email } }),
  },
  'POST /api/auth/password-reset/confirm/': {
    isolation: { none: 'acts only on the account of the presented token' },
    valid: () => ({
      auth: false,
      body: { token: 'A'.repeat(43), password: 'violet-harbour-tractor-93' },
    }),
  },
  'POST /api/auth/password/': {
    isolation: { none: 'changes only the logged-in user’s own password' },
    // A wrong current password: every hostile variant must then change nothing but the failure count.
    valid: () => ({
      auth: true,
      body: { current_password: 'not-the-current-password', new_password: 'violet-harbour-tractor-94' },
    }),
    records: { tables: ['login_failures'], why: 'a wrong current password counts as a failed login' },
  },
  'GET /api/mail/outbox/': {
    isolation: {
      async probe(app, w) {
        const res = await app.inject({
          method: 'GET',
          url: '/api/mail/outbox/?page_size=250',
          headers: w.A.owner.auth,
        });
        expect(res.statusCode, res.body).toBe(200);
        const ids = json(res).results.map((m: { id: string }) => m.id);
        expect(ids).toContain(w.A.mail.id);
        expect(ids).not.toContain(w.B.mail.id);
        expect(res.body).not.toContain(w.B.invitation.email);
      },
    },
    valid: () => ({ auth: true, query: { page: '1', page_size: '10' } }),
  },
  'GET /api/mail/outbox/:id/': {
    isolation: {
      probe: (app, w) =>
        expectNotFound(app, { method: 'GET', url: `/api/mail/outbox/${w.B.mail.id}/`, headers: w.A.owner.auth }),
    },
    valid: (w) => ({ auth: true, params: { id: w.A.mail.id } }),
  },
  'GET /api/team/members/': {
    isolation: {
      async probe(app, w) {
        const res = await app.inject({
          method: 'GET',
          url: '/api/team/members/?page_size=250',
          headers: w.A.owner.auth,
        });
        const ids = json(res).results.map((m: { user_id: string }) => m.user_id);
        expect(ids).toContain(w.A.member.user.id);
        expect(ids).not.toContain(w.B.owner.user.id);
        expect(ids).not.toContain(w.B.member.user.id);
      },
    },
    valid: () => ({ auth: true, query: { page: '1', page_size: '10' } }),
  },
  'PATCH /api/team/members/:user_id/': {
    isolation: {
      probe: (app, w) =>
        expectNotFound(app, {
          method: 'PATCH',
          url: `/api/team/members/${w.B.member.user.id}/`,
          headers: w.A.owner.auth,
          payload: { role: 'admin' },
        }),
    },
    valid: (w) => ({ auth: true, params: { user_id: w.A.member.user.id }, body: { role: 'member' } }),
  },
  'DELETE /api/team/members/:user_id/': {
    isolation: {
      probe: (app, w) =>
        expectNotFound(app, {
          method: 'DELETE',
          url: `/api/team/members/${w.B.member.user.id}/`,
          headers: w.A.owner.auth,
        }),
    },
    valid: (w) => ({ auth: true, params: { user_id: w.A.member.user.id } }),
  },
  'GET /api/team/invitations/': {
    isolation: {
      async probe(app, w) {
        const res = await app.inject({ method: 'GET', url: '/api/team/invitations/', headers: w.A.owner.auth });
        const ids = json(res).results.map((i: { id: string }) => i.id);
        expect(ids).toContain(w.A.invitation.id);
        expect(ids).not.toContain(w.B.invitation.id);
      },
    },
    valid: () => ({ auth: true }),
  },
  'POST /api/team/invitations/': {
    isolation: {
      async probe(app, w) {
        // The tenant comes from the token, never the body: naming B's org is refused outright.
        const res = await app.inject({
          method: 'POST',
          url: '/api/team/invitations/',
          headers: w.A.owner.auth,
          payload: { email: 'smuggle@example.com', org_id: w.B.orgId },
        });
        expect(res.statusCode).toBe(400);
        const list = await app.inject({ method: 'GET', url: '/api/team/invitations/', headers: w.B.owner.auth });
        expect(list.body).not.toContain('smuggle@example.com');
      },
    },
    valid: () => ({ auth: true, body: { email: 'valid-invitee@example.com', role: 'member' } }),
    optional: ['role'],
  },
  'DELETE /api/team/invitations/:id/': {
    isolation: {
      async probe(app, w) {
        await expectNotFound(app, {
          method: 'DELETE',
          url: `/api/team/invitations/${w.B.invitation.id}/`,
          headers: w.A.owner.auth,
        });
        const still = await app.inject({ method: 'GET', url: `/api/auth/invitations/${w.B.invitation.token}/` });
        expect(still.statusCode).toBe(200);
      },
    },
    valid: (w) => ({ auth: true, params: { id: w.A.invitation.id } }),
  },
  'POST /api/shopify/connect/': {
    isolation: {
      async probe(app, w) {
        // Connecting the same store in A creates A's own connection; B's stays untouched.
        const before = await app.inject({ method: 'GET', url: '/api/shopify/status/', headers: w.B.owner.auth });
        const res = await app.inject({
          method: 'POST',
          url: '/api/shopify/connect/',
          headers: w.A.owner.auth,
          payload: { store_url: w.B.connection.shop, api_key: 'k', api_secret: 's', access_token: 'shpat_wrong' },
        });
        expect(res.statusCode).toBe(400);
        expect(res.body).not.toContain(w.B.connection.id);
        const after = await app.inject({ method: 'GET', url: '/api/shopify/status/', headers: w.B.owner.auth });
        expect(after.body).toBe(before.body);
      },
    },
    valid: (w) => ({
      auth: true,
      body: { store_url: w.A.connection.shop, api_key: 'key', api_secret: 'secret', access_token: 'shpat_x' },
    }),
    optional: ['access_token'],
    records: { tables: ['shopify_connections'], why: 'a failed re-connection of a known store counts an error on it' },
  },
  'GET /api/shopify/status/': {
    isolation: {
      async probe(app, w) {
        const res = await expectNoForeignStore(app, w, {
          method: 'GET',
          url: '/api/shopify/status/',
          headers: w.A.owner.auth,
        });
        expect(res.body).toContain(w.A.connection.id);
      },
    },
    valid: () => ({ auth: true }),
  },
  'POST /api/shopify/sync/': {
    isolation: {
      async probe(app, w) {
        // Another organization's store cannot be synced, and its runs are untouched.
        const before = await runsOf(app, w.B.orgId);
        await expectNotFound(app, {
          method: 'POST',
          url: '/api/shopify/sync/',
          headers: w.A.owner.auth,
          payload: { store: w.B.connection.id },
        });
        // Syncing "every store" as A makes runs for A's stores only.
        const all = await app.inject({
          method: 'POST',
          url: '/api/shopify/sync/',
          headers: w.A.owner.auth,
          payload: {},
        });
        expect(all.body).not.toContain(w.B.connection.id);
        expect(await runsOf(app, w.B.orgId)).toEqual(before);
      },
    },
    valid: (w) => ({ auth: true, body: { type: 'products', store: w.A.connection.id, scope: 'full', mode: 'auto' } }),
    optional: ['type', 'store', 'scope', 'mode'],
  },
  'PATCH /api/shopify/sync/schedule/:store/': {
    isolation: {
      async probe(app, w) {
        const before = (
          await app.db.execute(sql`select interval_seconds from sync_states where connection_id = ${w.B.connection.id}`)
        ).rows;
        await expectNotFound(app, {
          method: 'PATCH',
          url: `/api/shopify/sync/schedule/${w.B.connection.id}/`,
          headers: w.A.owner.auth,
          payload: { interval_seconds: 60 },
        });
        const after = (
          await app.db.execute(sql`select interval_seconds from sync_states where connection_id = ${w.B.connection.id}`)
        ).rows;
        expect(after).toEqual(before);
      },
    },
    valid: (w) => ({
      auth: true,
      params: { store: w.A.connection.id },
      body: { interval_seconds: 900, full_every_hours: 24 },
    }),
    optional: ['interval_seconds', 'full_every_hours'],
  },
  'GET /api/shopify/sync/runs/': {
    isolation: {
      async probe(app, w) {
        for (const query of [{}, { store: w.B.connection.id }] as Record<string, string>[]) {
          const res = await app.inject({
            method: 'GET',
            url: '/api/shopify/sync/runs/',
            headers: w.A.owner.auth,
            query,
          });
          expect(res.body).not.toContain(w.B.run.id);
          expect(res.body).not.toContain(w.B.connection.id);
        }
      },
    },
    valid: () => ({ auth: true, query: { page: '1', page_size: '10', state: 'queued' } }),
  },
  'GET /api/shopify/sync/runs/:id/': {
    isolation: {
      probe: (app, w) =>
        expectNotFound(app, { method: 'GET', url: `/api/shopify/sync/runs/${w.B.run.id}/`, headers: w.A.owner.auth }),
    },
    valid: (w) => ({ auth: true, params: { id: w.A.run.id } }),
  },
  'GET /api/shopify/sync/runs/:id/events/': {
    isolation: {
      probe: (app, w) =>
        expectNotFound(app, {
          method: 'GET',
          url: `/api/shopify/sync/runs/${w.B.run.id}/events/`,
          headers: w.A.owner.auth,
        }),
    },
    valid: (w) => ({ auth: true, params: { id: w.A.run.id } }),
  },
  'POST /api/shopify/sync/runs/:id/cancel/': {
    isolation: {
      async probe(app, w) {
        await expectNotFound(app, {
          method: 'POST',
          url: `/api/shopify/sync/runs/${w.B.run.id}/cancel/`,
          headers: w.A.owner.auth,
        });
        const [run] = await runsOf(app, w.B.orgId);
        expect(run).toMatchObject({ id: w.B.run.id, state: 'queued' });
      },
    },
    valid: (w) => ({ auth: true, params: { id: w.A.run.id } }),
  },
  'GET /api/shopify/connections/:id/': {
    isolation: {
      probe: (app, w) =>
        expectNotFound(app, {
          method: 'GET',
          url: `/api/shopify/connections/${w.B.connection.id}/`,
          headers: w.A.owner.auth,
        }),
    },
    valid: (w) => ({ auth: true, params: { id: w.A.connection.id } }),
  },
  'POST /api/shopify/connections/:id/test/': {
    isolation: {
      probe: (app, w) =>
        expectNotFound(app, {
          method: 'POST',
          url: `/api/shopify/connections/${w.B.connection.id}/test/`,
          headers: w.A.owner.auth,
        }),
    },
    valid: (w) => ({ auth: true, params: { id: w.A.connection.id } }),
  },
  'POST /api/shopify/connections/:id/disconnect/': {
    isolation: {
      async probe(app, w) {
        await expectNotFound(app, {
          method: 'POST',
          url: `/api/shopify/connections/${w.B.connection.id}/disconnect/`,
          headers: w.A.owner.auth,
          payload: { delete_data: true },
        });
        const still = await app.inject({
          method: 'GET',
          url: `/api/shopify/connections/${w.B.connection.id}/`,
          headers: w.B.owner.auth,
        });
        expect(still.json().state).toBe('connected');
      },
    },
    valid: (w) => ({ auth: true, params: { id: w.A.connection.id }, body: { delete_data: false } }),
    optional: ['delete_data'],
  },
  'POST /api/shopify/oauth/install/': {
    isolation: {
      async probe(app, w) {
        // The state's organization comes from the token: naming B's org in the body is refused, and B
        // gets no install state whatever A sends.
        const states = () =>
          app.db
            .execute(sql`select count(*)::int as n from shopify_oauth_states where org_id = ${w.B.orgId}`)
            .then((r) => r.rows);
        const before = await states();
        const smuggled = await app.inject({
          method: 'POST',
          url: '/api/shopify/oauth/install/',
          headers: w.A.owner.auth,
          payload: { shop: w.B.connection.shop, org_id: w.B.orgId },
        });
        expect(smuggled.statusCode).toBe(400);
        const res = await app.inject({
          method: 'POST',
          url: '/api/shopify/oauth/install/',
          headers: w.A.owner.auth,
          payload: { shop: w.B.connection.shop },
        });
        expect(res.body).not.toContain(w.B.orgId);
        expect(res.body).not.toContain(w.B.connection.id);
        expect(await states()).toEqual(before);
      },
    },
    valid: (w) => ({ auth: true, body: { shop: w.A.connection.shop } }),
  },
  'GET /api/shopify/oauth/callback/': {
    isolation: {
      async probe(app, w) {
        // The guard app has no OAuth app configured, so this builds one that has (same database):
        // A's install state, spliced onto B's organization or used for B's store, creates nothing.
        const secret = 'guard-oauth-secret';
        const oauthApp = await buildApp({
          config: { ...app.config, shopify: { ...app.config.shopify, apiKey: 'guard-oauth-app', apiSecret: secret } },
          db: app.db,
          logger: app.log,
        });
        try {
          const started = await oauthApp.inject({
            method: 'POST',
            url: '/api/shopify/oauth/install/',
            headers: w.A.owner.auth,
            payload: { shop: w.B.connection.shop },
          });
          expect(started.statusCode, started.body).toBe(200);
          const state = new URL(json(started).authorize_url).searchParams.get('state')!;
          const nonce = state.split('.')[1]!;
          const before = await databaseChecksum(app.db);
          const bConnection = await app.inject({
            method: 'GET',
            url: `/api/shopify/connections/${w.B.connection.id}/`,
            headers: w.B.owner.auth,
          });
          const cases: [string, RegExp][] = [
            [`${w.B.orgId}.${nonce}`, /expired|already used/],
            // A's genuine state for B's store gets as far as the code exchange, which the simulator refuses.
            [state, /did not accept/],
          ];
          for (const [forged, reason] of cases) {
            const params: Record<string, string> = {
              code: 'guard-code',
              host: 'x',
              shop: w.B.connection.shop,
              state: forged,
              timestamp: String(Math.floor(Date.now() / 1000)),
            };
            const message = new URLSearchParams(Object.entries(params).sort()).toString().replace(/\+/g, '%20');
            const query = new URLSearchParams({
              ...params,
              hmac: createHmac('sha256', secret).update(message).digest('hex'),
            });
            const res = await oauthApp.inject({
              method: 'GET',
              url: `/api/shopify/oauth/callback/?${query}`,
              headers: { cookie: `invpro_oauth_state=${forged}` },
            });
            expect(res.statusCode).toBe(302);
            const answer = new URL(res.headers.location as string).searchParams;
            expect(answer.get('oauth')).toBe('error');
            expect(answer.get('reason')).toMatch(reason);
          }
          // Only A's own state was spent (by the second attempt); no connection anywhere changed.
          const after = await databaseChecksum(app.db);
          expect({ ...after, shopify_oauth_states: '' }).toEqual({ ...before, shopify_oauth_states: '' });
          const bAfter = await app.inject({
            method: 'GET',
            url: `/api/shopify/connections/${w.B.connection.id}/`,
            headers: w.B.owner.auth,
          });
          expect(bAfter.body).toBe(bConnection.body);
        } finally {
          await oauthApp.close();
        }
      },
    },
    // No `valid`: Shopify sends the browser here, so every answer, refusals included, is a 302 to the
    // settings page (?oauth=error&reason=…), never the problem+json the bad-input engine expects. Its
    // bad input (missing, repeated, malformed, hostile parameters and cookies) is covered by
    // modules/shopify/oauth.test.ts, which checks the error redirect, no 5xx and an unchanged database.
  },
  'POST /api/shopify/webhook/': {
    isolation: {
      async probe(app, w) {
        const events = (orgId: string) =>
          app.db
            .execute(sql`select org_id, topic, event_id from webhook_events where org_id = ${orgId} order by event_id`)
            .then((r) => JSON.stringify(r.rows));
        const aBefore = await events(w.A.orgId);
        const aConnection = await app.inject({
          method: 'GET',
          url: `/api/shopify/connections/${w.A.connection.id}/`,
          headers: w.A.owner.auth,
        });
        const secretB = await apiSecretOf(app, w.B.connection.id);
        const body = JSON.stringify(WEBHOOK_BODY);

        // Signed for B's store: recorded under B only.
        const forB = webhookHeaders(secretB, body, w.B.connection.shop);
        const ok = await app.inject({ method: 'POST', url: '/api/shopify/webhook/', headers: forB, payload: body });
        expect(ok.statusCode, ok.body).toBe(200);
        const recorded = await app.db.execute(
          sql`select org_id from webhook_events where event_id = ${forB['x-shopify-event-id']}`,
        );
        expect(recorded.rows).toEqual([{ org_id: w.B.orgId }]);

        // B's secret cannot speak for A's store, whatever the topic.
        const sumBefore = await databaseChecksum(app.db);
        for (const topic of ['products/update', 'app/uninstalled', 'shop/redact']) {
          const res = await app.inject({
            method: 'POST',
            url: '/api/shopify/webhook/',
            headers: webhookHeaders(secretB, body, w.A.connection.shop, topic),
            payload: body,
          });
          expect(res.statusCode, `${topic}: ${res.body}`).toBe(401);
          expect(res.headers['content-type']).toContain('application/problem+json');
        }
        // Correctly signed by B, but hostile headers or a body that is not a JSON object: 4xx, nothing stored.
        const hostile: [Record<string, string>, string][] = [
          [{ 'x-shopify-topic': "products/update' or 1=1 --" }, body],
          [{ 'x-shopify-event-id': 'x'.repeat(300) }, body],
          [{ 'x-shopify-event-id': '' }, body],
          [{ 'x-shopify-shop-domain': `${w.B.connection.shop}.evil.com` }, body],
          [{ 'x-shopify-triggered-at': 'yesterday' }, body],
          [{ 'x-shopify-api-version': '<script>' }, body],
          [{}, '[]'],
          [{}, '{"title": "\\u0000"}'],
          [{}, '{"title": '],
        ];
        for (const [override, payload] of hostile) {
          const headers = { ...webhookHeaders(secretB, payload, w.B.connection.shop), ...override };
          const res = await app.inject({ method: 'POST', url: '/api/shopify/webhook/', headers, payload });
          const where = `${JSON.stringify(override)} ${payload.slice(0, 40)} → ${res.statusCode} ${res.body}`;
          expect(res.statusCode, where).toBeGreaterThanOrEqual(400);
          expect(res.statusCode, where).toBeLessThan(500);
          expect(res.headers['content-type'], where).toContain('application/problem+json');
          expect(json(res).detail.length, where).toBeGreaterThan(10);
        }
        expect(await databaseChecksum(app.db)).toEqual(sumBefore);

        expect(await events(w.A.orgId)).toBe(aBefore);
        const aAfter = await app.inject({
          method: 'GET',
          url: `/api/shopify/connections/${w.A.connection.id}/`,
          headers: w.A.owner.auth,
        });
        expect(aAfter.body).toBe(aConnection.body);
      },
    },
    // Shopify calls without a bearer token. The World does not keep the stores' secrets, so the base
    // request is signed with a key that is not A's: every variant must be refused before anything is
    // stored (correctly signed hostile variants are sent by the isolation probe above).
    valid: (w) => ({
      auth: false,
      body: WEBHOOK_BODY,
      headers: webhookHeaders('not-the-store-secret', JSON.stringify(WEBHOOK_BODY), w.A.connection.shop),
    }),
    optional: Object.keys(WEBHOOK_BODY),
  },
  ...CATALOG_ROUTES,
};

export const routeKey = (method: string, url: string) => `${method} ${url}`;

export function requestFor(
  method: string,
  url: string,
  valid: ReturnType<NonNullable<RouteGuard['valid']>>,
  w: World,
): InjectOptions {
  const query = valid.query ? `?${new URLSearchParams(valid.query).toString()}` : '';
  return {
    method: method as InjectOptions['method'],
    url: `${pathOf(url, valid.params)}${query}`,
    headers: { ...(valid.auth ? w.A.owner.auth : {}), ...valid.headers },
    ...(valid.body ? { payload: valid.body } : {}),
  };
}

export { pathOf };
