import { randomBytes, randomUUID } from 'node:crypto';
import { type ShopifySim, signWebhook, startShopifySim } from '@invpro/shopify-sim';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { PgBoss } from 'pg-boss';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../app.ts';
import { freePort } from '../../db/embedded.ts';
import { QUEUES, startBoss } from '../../jobs/boss.ts';
import { createTestApp, json, registerUser, type TestApp } from '../../test/app.ts';
import { databaseChecksum } from '../../test/guard/checksum.ts';
import type { ShopifyContext } from './context.ts';
import { seal } from './crypto.ts';
import { registerShopifyWebhookJobs, runWebhookJob } from './webhooks.job.ts';
import { processWebhookEvent } from './webhooks.service.ts';

const APP_SECRET = 'app-secret-for-oauth-and-compliance-0123456789';
const URL = '/api/shopify/webhook/';

let sim: ShopifySim;
let t: TestApp;
let ctx: ShopifyContext;
let owner: Awaited<ReturnType<typeof registerUser>>;
let other: Awaited<ReturnType<typeof registerUser>>;

beforeAll(async () => {
  sim = await startShopifySim({ seed: 11 });
  // Shopify must reach the app: listen on a real port, known before the app (and its config) is built.
  const port = await freePort();
  t = await createTestApp({
    SHOPIFY_API_ORIGIN: sim.origin,
    SHOPIFY_WEBHOOK_BASE_URL: `http://127.0.0.1:${port}`,
    SHOPIFY_API_KEY: 'app-key',
    SHOPIFY_API_SECRET: APP_SECRET,
  });
  await t.app.listen({ host: '127.0.0.1', port });
  ctx = t.app.shopify;
  owner = await registerUser(t.app);
  other = await registerUser(t.app);
});
afterAll(async () => {
  await sim.close();
  await t.close();
});

let shopCounter = 0;
/** A simulator store connected through the API (which registers our webhook subscriptions). */
async function connectShop(by = owner, domain = `hook-${process.pid}-${++shopCounter}.myshopify.com`) {
  const shop = sim.addShop({ domain, products: 3 });
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/shopify/connect/',
    headers: by.auth,
    payload: { store_url: domain, api_key: shop.apiKey, api_secret: shop.apiSecret, access_token: shop.accessToken },
  });
  expect(res.statusCode, res.body).toBe(201);
  expect(json(res).webhooks.state).toBe('registered');
  return { shop, domain, id: json(res).id as string };
}

interface EventRow {
  org_id: string;
  id: string;
  connection_id: string;
  topic: string;
  event_id: string;
  webhook_id: string | null;
  api_version: string | null;
  triggered_ms: number | null;
  payload: Record<string, unknown>;
  status: string;
  error: string | null;
}

/** As the owner connection (the test's view of the whole database). */
async function eventsOf(connectionId: string): Promise<EventRow[]> {
  const res = await t.database.db.execute(
    sql`select *, (extract(epoch from triggered_at) * 1000)::float8 as triggered_ms from webhook_events where connection_id = ${connectionId} order by received_at`,
  );
  return res.rows as unknown as EventRow[];
}

async function connectionRow(id: string) {
  const res = await t.database.db.execute(sql`select * from shopify_connections where id = ${id}`);
  return res.rows[0] as Record<string, unknown> | undefined;
}

function signedHeaders(secret: string, body: string, o: { shop: string; topic: string; eventId?: string }) {
  return {
    'content-type': 'application/json',
    'x-shopify-topic': o.topic,
    'x-shopify-shop-domain': o.shop,
    'x-shopify-webhook-id': randomUUID(),
    'x-shopify-event-id': o.eventId ?? randomUUID(),
    'x-shopify-api-version': '2026-10',
    'x-shopify-triggered-at': new Date().toISOString(),
    'x-shopify-hmac-sha256': signWebhook(secret, body),
  };
}

const deliver = (headers: Record<string, string>, body: string, app: FastifyInstance = t.app) =>
  app.inject({ method: 'POST', url: URL, headers, payload: body });

describe('POST /api/shopify/webhook/', () => {
  it('a product update in the simulator arrives, verifies and is stored once even when delivered twice', async () => {
    const { shop, id } = await connectShop();
    const product = shop.catalog()[0]!;
    shop.updateProduct(product.id, { title: 'Renamed by the merchant' }, { duplicate: true });
    await sim.idle();

    const deliveries = shop.deliveries().filter((d) => d.topic === 'products/update');
    expect(deliveries).toHaveLength(2);
    expect(deliveries.map((d) => d.status)).toEqual([200, 200]);
    expect(deliveries[0]!.eventId).toBe(deliveries[1]!.eventId);

    const rows = await eventsOf(id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      topic: 'products/update',
      event_id: deliveries[0]!.eventId,
      api_version: '2026-10',
      status: 'received',
    });
    expect([deliveries[0]!.webhookId, deliveries[1]!.webhookId]).toContain(rows[0]!.webhook_id);
    expect(rows[0]!.triggered_ms).toBe(Date.parse(deliveries[0]!.triggeredAt));
    expect(rows[0]!.payload).toMatchObject({ title: 'Renamed by the merchant', admin_graphql_api_id: product.id });

    // The job keeps it for the sync engine; a second run changes nothing.
    expect(await processWebhookEvent(ctx, owner.user.organization.id, rows[0]!.id)).toBe('stored');
    expect(await processWebhookEvent(ctx, owner.user.organization.id, rows[0]!.id)).toBe('skipped');
    expect((await eventsOf(id))[0]).toMatchObject({ status: 'stored' });
  });

  it('answers a repeated event id with 200 "duplicate" and stores nothing more', async () => {
    const { shop, domain, id } = await connectShop();
    const body = JSON.stringify({ id: 1, title: 'x' });
    const headers = signedHeaders(shop.apiSecret, body, { shop: domain, topic: 'products/create' });
    expect(json(await deliver(headers, body))).toEqual({ status: 'recorded' });
    const again = await deliver({ ...headers, 'x-shopify-webhook-id': randomUUID() }, body);
    expect(again.statusCode).toBe(200);
    expect(json(again)).toEqual({ status: 'duplicate' });
    expect(await eventsOf(id)).toHaveLength(1);
  });

  it('falls back to X-Shopify-Webhook-Id when there is no event id', async () => {
    const { shop, domain, id } = await connectShop();
    const body = JSON.stringify({ inventory_item_id: 5, location_id: 6, available: 3 });
    const { 'x-shopify-event-id': _dropped, ...headers } = signedHeaders(shop.apiSecret, body, {
      shop: domain.toUpperCase(),
      topic: 'inventory_levels/update',
    });
    expect((await deliver(headers, body)).statusCode).toBe(200);
    expect((await eventsOf(id))[0]).toMatchObject({ event_id: headers['x-shopify-webhook-id'] });
  });

  it('refuses forged signatures, wrong secrets, unknown shops and bad headers with 401 and stores nothing', async () => {
    const a = await connectShop();
    const b = await connectShop(other);
    const body = JSON.stringify({ id: 42, title: 'forged' });
    const good = signedHeaders(a.shop.apiSecret, body, { shop: a.domain, topic: 'products/update' });
    const { 'x-shopify-hmac-sha256': _h, ...noHmac } = good;
    const { 'x-shopify-shop-domain': _s, ...noShop } = good;
    const { 'x-shopify-topic': _t, ...noTopic } = good;
    const { 'x-shopify-event-id': _e, 'x-shopify-webhook-id': _w, ...noIds } = good;
    const cases: [string, Record<string, string>, string][] = [
      ['forged signature', { ...good, 'x-shopify-hmac-sha256': randomBytes(32).toString('base64') }, body],
      ['signed with another secret', { ...good, 'x-shopify-hmac-sha256': signWebhook('not-the-secret', body) }, body],
      ['signed with the app secret', { ...good, 'x-shopify-hmac-sha256': signWebhook(APP_SECRET, body) }, body],
      ["signed with B's secret", { ...good, 'x-shopify-hmac-sha256': signWebhook(b.shop.apiSecret, body) }, body],
      ['body changed after signing', good, body.replace('42', '43')],
      ['body re-serialized', good, JSON.stringify(JSON.parse(body), null, 2)],
      ['unknown shop', { ...good, 'x-shopify-shop-domain': 'nobody-here.myshopify.com' }, body],
      ['not a myshopify domain', { ...good, 'x-shopify-shop-domain': 'evil.example.com' }, body],
      ['no signature', noHmac, body],
      ['signature not base64', { ...good, 'x-shopify-hmac-sha256': 'not base64!' }, body],
      ['no shop', noShop, body],
      ['no topic', noTopic, body],
      ['hostile topic', { ...good, 'x-shopify-topic': "products/update'; drop table x" }, body],
      ['no event id', noIds, body],
      ['empty body', good, ''],
      [
        'compliance topic for an unknown shop, not signed by the app',
        signedHeaders(a.shop.apiSecret, body, { shop: 'gone.myshopify.com', topic: 'shop/redact' }),
        body,
      ],
    ];
    const before = await databaseChecksum(t.database.db);
    for (const [name, headers, payload] of cases) {
      const res = await deliver(headers, payload);
      expect(res.statusCode, `${name}: ${res.body}`).toBe(401);
      expect(res.headers['content-type'], name).toContain('application/problem+json');
      expect(json(res).detail, name).toMatch(/X-Shopify|signature/);
    }
    expect(await databaseChecksum(t.database.db)).toEqual(before);
  });

  it('answers 400 for a correctly signed body that is not a JSON object, and stores nothing', async () => {
    const { shop, domain, id } = await connectShop();
    for (const body of ['{"id": ', '[1,2]', '"text"', '{"title":"\\u0000"}']) {
      const res = await deliver(signedHeaders(shop.apiSecret, body, { shop: domain, topic: 'products/update' }), body);
      expect(res.statusCode, body).toBe(400);
      expect(json(res).detail).toMatch(/body/);
    }
    expect(await eventsOf(id)).toHaveLength(0);
  });

  it('keeps handled events for 30 days: the next event of that connection trims older ones', async () => {
    const { shop, domain, id } = await connectShop();
    const orgId = owner.user.organization.id;
    const send = async (n: number) => {
      const body = JSON.stringify({ id: n });
      await deliver(signedHeaders(shop.apiSecret, body, { shop: domain, topic: 'products/delete' }), body);
    };
    await send(1);
    await send(2);
    const [old, unhandled] = await eventsOf(id);
    expect(await processWebhookEvent(ctx, orgId, old!.id)).toBe('stored');
    await t.database.db.execute(
      sql`update webhook_events set received_at = now() - interval '31 days' where id in (${old!.id}, ${unhandled!.id})`,
    );
    await send(3);
    const latest = (await eventsOf(id)).at(-1)!;
    expect(await processWebhookEvent(ctx, orgId, latest.id)).toBe('stored');
    // The old handled event is gone; one never handled stays, whatever its age.
    expect((await eventsOf(id)).map((e) => e.id).sort()).toEqual([unhandled!.id, latest.id].sort());
  });

  it('is described in the OpenAPI document without a bearer requirement', async () => {
    const doc = json(await t.app.inject({ method: 'GET', url: '/api/openapi.json' }));
    const op = doc.paths['/api/shopify/webhook/'].post;
    expect(op.security).toBeUndefined();
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '401']));
  });

  it('answers 415 for a body that is not JSON', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: URL,
      headers: { 'content-type': 'text/plain' },
      payload: 'x',
    });
    expect(res.statusCode).toBe(415);
    expect(res.headers['content-type']).toContain('application/problem+json');
  });

  it('an uninstall or redact received before the store was connected again changes nothing', async () => {
    const { shop, domain, id } = await connectShop();
    const orgId = owner.user.organization.id;
    const shopGid = (await connectionRow(id))!.shop_gid as string;
    const shopId = shopGid.split('/').pop();
    // Received now (the triggered-at header, unsigned, claims the future)…
    for (const [topic, payload] of [
      ['app/uninstalled', { id: Number(shopId), myshopify_domain: domain }],
      ['shop/redact', { shop_id: Number(shopId), shop_domain: domain }],
    ] as const) {
      const body = JSON.stringify(payload);
      const headers = {
        ...signedHeaders(shop.apiSecret, body, { shop: domain, topic }),
        'x-shopify-triggered-at': new Date(Date.now() + 24 * 3600_000).toISOString(),
      };
      expect(json(await deliver(headers, body))).toEqual({ status: 'recorded' });
    }
    // …then the merchant uninstalls and connects the store again before the worker gets to them.
    await new Promise((r) => setTimeout(r, 20));
    const again = await t.app.inject({
      method: 'POST',
      url: '/api/shopify/connect/',
      headers: owner.auth,
      payload: { store_url: domain, api_key: shop.apiKey, api_secret: shop.apiSecret, access_token: shop.accessToken },
    });
    expect(again.statusCode).toBe(201);
    const before = await connectionRow(id);
    for (const event of await eventsOf(id)) {
      expect(await processWebhookEvent(ctx, orgId, event.id)).toBe('ignored');
    }
    expect(await connectionRow(id)).toEqual(before);
    expect((await eventsOf(id)).map((e) => [e.status, e.error])).toEqual([
      ['ignored', expect.stringMatching(/^Ignored: stale, received /)],
      ['ignored', expect.stringMatching(/^Ignored: stale, received /)],
    ]);
  });

  it('app/uninstalled: the connection becomes uninstalled with its tokens and subscriptions gone (idempotent)', async () => {
    const { domain, id } = await connectShop();
    expect((await connectionRow(id))!.access_token_enc).not.toBeNull();
    sim.uninstall(domain, { duplicate: true });
    await sim.idle();
    const rows = await eventsOf(id);
    expect(rows.map((r) => r.topic)).toEqual(['app/uninstalled']);

    const orgId = owner.user.organization.id;
    expect(await runWebhookJob(ctx, { org_id: orgId, event_id: rows[0]!.id })).toBe('processed');
    const once = await connectionRow(id);
    expect(await runWebhookJob(ctx, { org_id: orgId, event_id: rows[0]!.id })).toBe('skipped');
    // Processing it again from scratch (as a retry racing the first run would) gives the same state.
    await t.database.db.execute(sql`update webhook_events set status = 'received' where id = ${rows[0]!.id}`);
    expect(await processWebhookEvent(ctx, orgId, rows[0]!.id)).toBe('processed');
    const twice = await connectionRow(id);
    expect({ ...twice, updated_at: null }).toEqual({ ...once, updated_at: null });
    expect(once).toMatchObject({
      state: 'uninstalled',
      access_token_enc: null,
      refresh_token_enc: null,
      access_token_hint: null,
      webhook_subscriptions: [],
      webhooks_state: 'not_configured',
    });
    // The API secret stays: shop/redact arrives after the uninstall and must still verify.
    expect(once!.api_secret_enc).not.toBeNull();
    const view = json(
      await t.app.inject({ method: 'GET', url: `/api/shopify/connections/${id}/`, headers: owner.auth }),
    );
    expect(view).toMatchObject({ state: 'uninstalled', access_token_hint: null, webhooks: { topics: [] } });
    expect((await eventsOf(id))[0]).toMatchObject({ status: 'processed' });
  });

  it("shop/redact deletes that shop's connection and its data, in that tenant only", async () => {
    const mine = await connectShop();
    const theirs = await connectShop(other);
    const keep = await connectShop();
    mine.shop.createProduct({ title: 'Soon redacted' });
    await sim.idle();
    expect((await eventsOf(mine.id)).length).toBeGreaterThan(0);

    // Shopify sends shop/redact 48 hours after the app was uninstalled.
    sim.uninstall(mine.domain);
    await sim.idle();
    const shopId = ((await connectionRow(mine.id))!.shop_gid as string).split('/').pop();
    const body = JSON.stringify({ shop_id: Number(shopId), shop_domain: mine.domain });
    const res = await deliver(
      signedHeaders(mine.shop.apiSecret, body, { shop: mine.domain, topic: 'shop/redact' }),
      body,
    );
    expect(json(res)).toEqual({ status: 'recorded' });
    const redact = (await eventsOf(mine.id)).find((e) => e.topic === 'shop/redact')!;
    const orgId = owner.user.organization.id;
    expect(await processWebhookEvent(ctx, orgId, redact.id)).toBe('redacted');
    expect(await processWebhookEvent(ctx, orgId, redact.id)).toBe('skipped');

    expect(await connectionRow(mine.id)).toBeUndefined();
    expect(await eventsOf(mine.id)).toHaveLength(0);
    const index = await t.database.db.execute(sql`select * from shopify_shop_index where connection_id = ${mine.id}`);
    expect(index.rows).toHaveLength(0);
    expect(await connectionRow(theirs.id)).toMatchObject({ state: 'connected' });
    expect(await connectionRow(keep.id)).toMatchObject({ state: 'connected' });
  });

  it('mandatory compliance topics: acknowledged with the app secret for unknown shops, processed for ours', async () => {
    const body = JSON.stringify({ shop_id: 9, shop_domain: 'never-connected.myshopify.com', customer: { id: 1 } });
    const before = await databaseChecksum(t.database.db);
    for (const topic of ['customers/data_request', 'customers/redact', 'shop/redact']) {
      const res = await deliver(
        signedHeaders(APP_SECRET, body, { shop: 'never-connected.myshopify.com', topic }),
        body,
      );
      expect(res.statusCode, res.body).toBe(200);
      expect(json(res)).toEqual({ status: 'acknowledged' });
    }
    expect(await databaseChecksum(t.database.db)).toEqual(before);

    const { shop, domain, id } = await connectShop();
    const res = await deliver(signedHeaders(shop.apiSecret, body, { shop: domain, topic: 'customers/redact' }), body);
    expect(json(res)).toEqual({ status: 'recorded' });
    const [event] = await eventsOf(id);
    expect(await processWebhookEvent(ctx, owner.user.organization.id, event!.id)).toBe('processed');
  });

  it('verifies OAuth connections with the app secret, not a per-store secret', async () => {
    const { shop, domain, id } = await connectShop();
    await t.database.db.execute(sql`update shopify_connections set auth_method = 'oauth' where id = ${id}`);
    const body = JSON.stringify({ id: 7 });
    const bad = await deliver(signedHeaders(shop.apiSecret, body, { shop: domain, topic: 'products/delete' }), body);
    expect(bad.statusCode).toBe(401);
    const ok = await deliver(signedHeaders(APP_SECRET, body, { shop: domain, topic: 'products/delete' }), body);
    expect(json(ok)).toEqual({ status: 'recorded' });
    expect(await eventsOf(id)).toHaveLength(1);
  });

  it('records a store connected by two organizations under each, and only under the one whose secret signed it', async () => {
    const domain = `shared-${process.pid}.myshopify.com`;
    const a = await connectShop(owner, domain);
    // The other organization connects the same store with the same custom app.
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/shopify/connect/',
      headers: other.auth,
      payload: {
        store_url: domain,
        api_key: a.shop.apiKey,
        api_secret: a.shop.apiSecret,
        access_token: a.shop.accessToken,
      },
    });
    const bId = json(res).id as string;
    a.shop.updateProduct(a.shop.catalog()[1]!.id, { title: 'Seen by both' });
    await sim.idle();
    expect((await eventsOf(a.id)).filter((e) => e.topic === 'products/update')).toHaveLength(1);
    const inB = (await eventsOf(bId)).filter((e) => e.topic === 'products/update');
    expect(inB).toHaveLength(1);
    expect(inB[0]!.org_id).toBe(other.user.organization.id);
  });
});

describe('webhooks bound to their shop (headers can be replayed around a body signed for another store)', () => {
  /** Two OAuth stores of two organizations: both verified with our one app secret. */
  async function victimAndAttacker() {
    const victim = await connectShop(owner);
    const attacker = await connectShop(other);
    for (const c of [victim, attacker]) {
      await t.database.db.execute(sql`update shopify_connections set auth_method = 'oauth' where id = ${c.id}`);
    }
    return { victim, attacker };
  }

  async function dataOf(connectionId: string) {
    return { connection: await connectionRow(connectionId), events: (await eventsOf(connectionId)).length };
  }

  it("another store's signed app/uninstalled, re-sent with the victim's shop header, changes nothing", async () => {
    const { victim, attacker } = await victimAndAttacker();
    // A genuine uninstall of the attacker's own store, signed by Shopify with our app secret.
    const attackerShop = await connectionRow(attacker.id);
    const body = JSON.stringify({
      id: Number((attackerShop!.shop_gid as string).split('/').pop()),
      myshopify_domain: attacker.domain,
      domain: attacker.domain,
    });
    const before = await connectionRow(victim.id);
    const forged = {
      ...signedHeaders(APP_SECRET, body, { shop: victim.domain, topic: 'app/uninstalled' }),
      'x-shopify-triggered-at': new Date(Date.now() + 3600_000).toISOString(),
    };
    expect(json(await deliver(forged, body))).toEqual({ status: 'recorded' });
    const [event] = await eventsOf(victim.id);
    expect(await processWebhookEvent(ctx, owner.user.organization.id, event!.id)).toBe('ignored');
    expect((await eventsOf(victim.id))[0]!.error).toMatch(`the payload names ${attacker.domain}, not ${victim.domain}`);
    expect(await connectionRow(victim.id)).toEqual(before);
  });

  it('a products/update body re-sent as shop/redact for the victim deletes nothing', async () => {
    const { victim, attacker } = await victimAndAttacker();
    const body = JSON.stringify({ id: 1, title: 'Attacker product', admin_graphql_api_id: 'gid://shopify/Product/1' });
    // Recorded under the attacker as what it is…
    expect(
      json(await deliver(signedHeaders(APP_SECRET, body, { shop: attacker.domain, topic: 'products/update' }), body)),
    ).toEqual({ status: 'recorded' });
    // …and replayed with the victim's shop and another topic, a new event id and a future timestamp.
    const replay = {
      ...signedHeaders(APP_SECRET, body, { shop: victim.domain, topic: 'shop/redact' }),
      'x-shopify-triggered-at': new Date(Date.now() + 3600_000).toISOString(),
    };
    expect(json(await deliver(replay, body))).toEqual({ status: 'recorded' });
    const before = await dataOf(victim.id);
    const redact = (await eventsOf(victim.id)).find((e) => e.topic === 'shop/redact')!;
    expect(await processWebhookEvent(ctx, owner.user.organization.id, redact.id)).toBe('ignored');
    expect(await dataOf(victim.id)).toEqual(before);
    expect((await connectionRow(victim.id))!.state).toBe('connected');
  });

  it('an uninstall whose payload is right but that Shopify does not confirm (the app is installed) changes nothing', async () => {
    const { shop, domain, id } = await connectShop();
    const row = await connectionRow(id);
    const body = JSON.stringify({ id: Number((row!.shop_gid as string).split('/').pop()), myshopify_domain: domain });
    const headers = signedHeaders(shop.apiSecret, body, { shop: domain, topic: 'app/uninstalled' });
    expect(json(await deliver(headers, body))).toEqual({ status: 'recorded' });
    const before = await connectionRow(id);
    const [event] = await eventsOf(id);
    expect(await processWebhookEvent(ctx, owner.user.organization.id, event!.id)).toBe('ignored');
    expect((await eventsOf(id))[0]!.error).toMatch(/Shopify still accepts .* token: the app is installed/);
    expect(await connectionRow(id)).toEqual(before);
  });

  it('is not parsed before its signature is verified', async () => {
    const { domain } = await connectShop();
    const body = JSON.stringify({ id: 1, title: 'never parsed' });
    const parse = vi.spyOn(JSON, 'parse');
    try {
      const res = await deliver(
        signedHeaders('not-the-secret', body, { shop: domain, topic: 'products/update' }),
        body,
      );
      expect(res.statusCode).toBe(401);
      expect(parse.mock.calls.filter(([text]) => text === body)).toEqual([]);
    } finally {
      parse.mockRestore();
    }
  });

  it('keeps the exact digits of ids beyond 2^53', async () => {
    const { parsePayload } = await import('./webhooks.service.ts');
    expect(parsePayload(Buffer.from('{"id": 123456789012345678901, "n": 5}'))).toEqual({
      id: '123456789012345678901',
      n: 5,
    });
  });
});

describe('intake at Shopify’s pace (secrets kept two seconds, deliveries recorded together)', () => {
  it('records a burst of concurrent deliveries each exactly once; a poisoned one fails alone', async () => {
    const { shop, domain, id } = await connectShop();
    const bodies = Array.from({ length: 150 }, (_, i) => JSON.stringify({ id: i, title: `Product ${i}` }));
    const eventIds = bodies.map(() => randomUUID());
    const poison = '{"title":"\\u0000"}';
    const sends = [
      ...bodies.map((b, i) =>
        deliver(signedHeaders(shop.apiSecret, b, { shop: domain, topic: 'products/update', eventId: eventIds[i] }), b),
      ),
      // Shopify delivering the same events again, at the same time.
      ...bodies
        .slice(0, 20)
        .map((b, i) =>
          deliver(
            signedHeaders(shop.apiSecret, b, { shop: domain, topic: 'products/update', eventId: eventIds[i] }),
            b,
          ),
        ),
      deliver(signedHeaders(shop.apiSecret, poison, { shop: domain, topic: 'products/update' }), poison),
    ];
    const answers = await Promise.all(sends);
    const poisoned = answers.pop()!;
    expect(poisoned.statusCode).toBe(400);
    expect(answers.every((a) => a.statusCode === 200)).toBe(true);
    const statuses = answers.map((a) => json(a).status);
    expect(statuses.filter((s) => s === 'recorded')).toHaveLength(150);
    expect(statuses.filter((s) => s === 'duplicate')).toHaveLength(20);
    const events = await eventsOf(id);
    expect(events).toHaveLength(150);
    expect(new Set(events.map((e) => e.event_id))).toEqual(new Set(eventIds));
  });

  it('a secret changed by another process verifies at once; the old one is refused within two seconds', async () => {
    const { shop, domain, id } = await connectShop();
    const body = '{"id":1}';
    const send = (secret: string) =>
      deliver(signedHeaders(secret, body, { shop: domain, topic: 'products/update' }), body);
    expect((await send(shop.apiSecret)).statusCode).toBe(200); // the old secret is now kept
    const newSecret = randomBytes(16).toString('hex');
    await t.database.db.execute(
      sql`update shopify_connections set api_secret_enc = ${seal(ctx.config.encryptionKeys, newSecret)} where id = ${id}`,
    );
    expect((await send(newSecret)).statusCode).toBe(200);
    await new Promise((r) => setTimeout(r, 2100));
    expect((await send(shop.apiSecret)).statusCode).toBe(401);
  });

  it('a connection deleted while its secret is kept: the delivery is refused (401), never a 500', async () => {
    const { shop, domain, id } = await connectShop();
    const body = '{"id":2}';
    const send = () => deliver(signedHeaders(shop.apiSecret, body, { shop: domain, topic: 'products/update' }), body);
    expect((await send()).statusCode).toBe(200);
    await t.database.db.execute(sql`delete from shopify_connections where id = ${id}`);
    const res = await send();
    expect(res.statusCode, res.body).toBe(401);
  });
});

describe('queueing webhook processing', () => {
  it('records nothing and answers 503 when the job cannot be queued, so Shopify delivers it again', async () => {
    const sends: unknown[] = [];
    const failing = {
      send: async (...args: unknown[]) => {
        sends.push(args);
        throw new Error('queue down');
      },
    } as unknown as PgBoss;
    const app = await buildApp({
      config: t.config,
      db: t.database.db,
      logger: pino({ level: 'silent' }),
      boss: failing,
    });
    try {
      const { shop, domain, id } = await connectShop();
      const body = JSON.stringify({ id: 5 });
      const headers = signedHeaders(shop.apiSecret, body, { shop: domain, topic: 'products/delete' });
      const res = await deliver(headers, body, app);
      expect(res.statusCode).toBe(503);
      expect(json(res).detail).toMatch(/deliver it again/);
      expect(sends).toHaveLength(1);
      expect(await eventsOf(id)).toHaveLength(0);
    } finally {
      await app.close();
    }
  });
});

describe('webhook processing through pg-boss', () => {
  let boss: PgBoss;
  let queued: FastifyInstance;
  beforeAll(async () => {
    boss = await startBoss(t.database.url);
    await registerShopifyWebhookJobs(boss, ctx);
    queued = await buildApp({ config: t.config, db: t.database.db, logger: pino({ level: 'silent' }), boss });
    await queued.ready();
  });
  afterAll(async () => {
    await queued?.close();
    await boss?.stop({ graceful: false, timeout: 5000 });
  });

  async function waitForStatus(connectionId: string, status: string) {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const rows = await eventsOf(connectionId);
      if (rows.length > 0 && rows.every((r) => r.status === status)) return rows;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(
      `events of ${connectionId} never became ${status}: ${JSON.stringify(await eventsOf(connectionId))}`,
    );
  }

  it('the API queues each new event and the worker processes it', async () => {
    const { shop, domain, id } = await connectShop();
    const body = JSON.stringify({ shop_id: 1, shop_domain: domain, customer: { id: 2 } });
    const res = await deliver(
      signedHeaders(shop.apiSecret, body, { shop: domain, topic: 'customers/redact' }),
      body,
      queued,
    );
    expect(json(res)).toEqual({ status: 'recorded' });
    await waitForStatus(id, 'processed');
  });

  it('records each event and its job in one transaction; catalog hints of a store share one batch job', async () => {
    const { shop, domain, id } = await connectShop();
    const jobs = async (name: string) =>
      (
        await t.database.db.execute(
          sql`select data from pgboss.job where name = ${name} and (data->>'connection_id' = ${id} or data->>'event_id' in (select id::text from webhook_events where connection_id = ${id}))`,
        )
      ).rows;
    // A compliance event: its own job.
    const redact = JSON.stringify({ shop_id: 1, shop_domain: domain, customer: { id: 3 } });
    const headers = signedHeaders(shop.apiSecret, redact, { shop: domain, topic: 'customers/redact' });
    await boss.offWork(QUEUES.shopifyWebhook.name);
    expect(json(await deliver(headers, redact, queued))).toEqual({ status: 'recorded' });
    expect(json(await deliver(headers, redact, queued))).toEqual({ status: 'duplicate' });
    const [event] = await eventsOf(id);
    expect(await jobs(QUEUES.shopifyWebhook.name)).toEqual([
      { data: { org_id: owner.user.organization.id, event_id: event!.id } },
    ]);
    // Three product hints: one queued catalog batch for the store.
    for (const n of [1, 2, 3]) {
      const body = JSON.stringify({ id: n, title: `hint ${n}` });
      await deliver(signedHeaders(shop.apiSecret, body, { shop: domain, topic: 'products/update' }), body, queued);
    }
    expect(await jobs(QUEUES.catalogWebhooks.name)).toEqual([
      { data: { org_id: owner.user.organization.id, connection_id: id } },
    ]);
    await registerShopifyWebhookJobs(boss, ctx);
  });
});
