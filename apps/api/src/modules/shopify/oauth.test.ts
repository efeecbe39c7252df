import { createHmac } from 'node:crypto';
import { type ShopifySim, startShopifySim } from '@invpro/shopify-sim';
import { sql } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import type { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUES, startBoss } from '../../jobs/boss.ts';
import { createTestApp, json, registerUser, type TestApp } from '../../test/app.ts';
import { databaseChecksum } from '../../test/guard/checksum.ts';
import type { ShopifyClient } from './client.ts';
import { createShopifyContext } from './context.ts';
import { open } from './crypto.ts';
import { STATE_COOKIE } from './oauth.service.ts';
import { registerTokenRefreshJob } from './token-refresh.job.ts';
import { ensureFreshAccessToken, renewConnectionToken, SCHEDULED_REFRESH_WINDOW_MS } from './token-refresh.ts';

const APP_KEY = 'invpro-oauth-test-app';
const APP_SECRET = 'oauth-test-secret-0123456789abcdef';

let sim: ShopifySim;
let t: TestApp;
let boss: PgBoss;
let owner: Awaited<ReturnType<typeof registerUser>>;
let other: Awaited<ReturnType<typeof registerUser>>;

beforeAll(async () => {
  sim = await startShopifySim({ seed: 11 });
  sim.registerApp({ clientId: APP_KEY, clientSecret: APP_SECRET });
  t = await createTestApp(
    {
      SHOPIFY_API_ORIGIN: sim.origin,
      SHOPIFY_API_KEY: APP_KEY,
      SHOPIFY_API_SECRET: APP_SECRET,
      SHOPIFY_WEBHOOK_BASE_URL: 'http://127.0.0.1:9',
    },
    // Saving a token schedules its connection's renewal job.
    { boss: async (database) => (boss = await startBoss(database.url)) },
  );
  owner = await registerUser(t.app);
  other = await registerUser(t.app);
});
afterAll(async () => {
  await boss?.stop({ graceful: false, timeout: 5000 });
  await t?.close();
  await sim?.close();
});

const SETTINGS = 'http://localhost:3000/dashboard/settings/integrations/shopify';
const CALLBACK = 'http://localhost:3000/api/shopify/oauth/callback/';

function stateCookieOf(res: LightMyRequestResponse) {
  return res.cookies.find((c) => c.name === STATE_COOKIE);
}

async function startInstall(auth: Record<string, string>, shop: string) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/shopify/oauth/install/',
    headers: auth,
    payload: { shop },
  });
  expect(res.statusCode, res.body).toBe(200);
  const cookie = stateCookieOf(res)!;
  return { authorizeUrl: json(res).authorize_url as string, cookie: cookie.value, res };
}

/** Follow the simulator's approval: the browser lands on our callback with this query. */
async function approve(authorizeUrl: string): Promise<URLSearchParams> {
  const res = await fetch(authorizeUrl, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const location = res.headers.get('location')!;
  expect(location.startsWith(CALLBACK)).toBe(true);
  return new URL(location).searchParams;
}

async function callback(query: URLSearchParams | string, cookie?: string) {
  const res = await t.app.inject({
    method: 'GET',
    url: `/api/shopify/oauth/callback/?${query.toString()}`,
    headers: cookie === undefined ? {} : { cookie: `${STATE_COOKIE}=${cookie}` },
  });
  expect(res.statusCode, res.body).toBe(302);
  const location = new URL(res.headers.location as string);
  expect(`${location.origin}${location.pathname}`).toBe(SETTINGS);
  return { res, outcome: location.searchParams.get('oauth'), location };
}

/** Re-sign a query as Shopify would, with the app secret (to isolate the checks after the HMAC). */
function resign(query: URLSearchParams, changes: Record<string, string>) {
  const next = new Map(query);
  for (const [k, v] of Object.entries(changes)) next.set(k, v);
  next.delete('hmac');
  const sorted = [...next.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  const message = new URLSearchParams(sorted).toString().replace(/\+/g, '%20');
  const signed = new URLSearchParams(sorted);
  signed.set('hmac', createHmac('sha256', APP_SECRET).update(message).digest('hex'));
  return signed;
}

const connectionRows = async (shop: string) =>
  (await t.database.db.execute(sql`select * from shopify_connections where shop_domain = ${shop}`)).rows as Record<
    string,
    unknown
  >[];

describe('POST /api/shopify/oauth/install/', () => {
  it('answers the authorize URL and binds the state to this browser with a cookie', async () => {
    sim.addShop({ domain: 'install-start.myshopify.com', products: 1 });
    const { authorizeUrl, cookie, res } = await startInstall(owner.auth, 'https://Install-Start.myshopify.com/admin');
    const url = new URL(authorizeUrl);
    expect(`${url.origin}${url.pathname}`).toBe(`${sim.origin}/admin/oauth/authorize`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: APP_KEY,
      scope: 'read_products,read_inventory,write_inventory,read_locations',
      redirect_uri: CALLBACK,
      state: cookie,
      shop: 'install-start.myshopify.com',
    });
    expect(cookie).toMatch(new RegExp(`^${owner.user.organization.id}\\.[A-Za-z0-9_-]{40,}$`));
    expect(stateCookieOf(res)).toMatchObject({
      httpOnly: true,
      sameSite: 'Lax',
      path: '/api/shopify/oauth/',
      maxAge: 600,
    });
    // Only the nonce's hash is stored.
    const rows = (
      await t.database.db.execute(
        sql`select * from shopify_oauth_states where shop_domain = 'install-start.myshopify.com'`,
      )
    ).rows as { nonce: string; user_id: string; org_id: string; used_at: unknown }[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ user_id: owner.user.id, org_id: owner.user.organization.id, used_at: null });
    expect(JSON.stringify(rows)).not.toContain(cookie.split('.')[1]);
  });

  it('refuses a shop that is not a myshopify.com store, members, and anonymous callers', async () => {
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/shopify/oauth/install/',
      headers: owner.auth,
      payload: { shop: 'evil.example.com' },
    });
    expect(bad.statusCode).toBe(400);
    expect(json(bad).errors.shop[0]).toMatch(/myshopify\.com/);
    expect(stateCookieOf(bad)).toBeUndefined();

    const anonymous = await t.app.inject({
      method: 'POST',
      url: '/api/shopify/oauth/install/',
      payload: { shop: 'x.myshopify.com' },
    });
    expect(anonymous.statusCode).toBe(401);

    const inv = json(
      await t.app.inject({
        method: 'POST',
        url: '/api/team/invitations/',
        headers: owner.auth,
        payload: { email: 'oauth-member@example.com' },
      }),
    );
    const member = json(
      await t.app.inject({
        method: 'POST',
        url: '/api/auth/register/',
        payload: {
          email: 'oauth-member@example.com',
          username: 'oauthmember',
          password: 'violet-harbour-tractor-91',
          invitation: inv.token,
        },
      }),
    );
    const forbidden = await t.app.inject({
      method: 'POST',
      url: '/api/shopify/oauth/install/',
      headers: { authorization: `Bearer ${member.access}` },
      payload: { shop: 'x.myshopify.com' },
    });
    expect(forbidden.statusCode).toBe(403);
  });
});

describe('without SHOPIFY_API_KEY and SHOPIFY_API_SECRET', () => {
  it('install answers 400 with a detail, and the callback redirects with an error', async () => {
    const { buildApp } = await import('../../app.ts');
    const bare = await buildApp({
      config: { ...t.config, shopify: { ...t.config.shopify, apiKey: undefined, apiSecret: undefined } },
      db: t.database.db,
      logger: t.app.log,
    });
    try {
      const res = await bare.inject({
        method: 'POST',
        url: '/api/shopify/oauth/install/',
        headers: owner.auth,
        payload: { shop: 'x.myshopify.com' },
      });
      expect(res.statusCode).toBe(400);
      expect(json(res).detail).toMatch(/not configured/);
      expect(stateCookieOf(res)).toBeUndefined();
      const back = await bare.inject({ method: 'GET', url: '/api/shopify/oauth/callback/?shop=x.myshopify.com' });
      expect(back.statusCode).toBe(302);
      expect(new URL(back.headers.location as string).searchParams.get('reason')).toMatch(/not configured/);
    } finally {
      await bare.close();
    }
  });
});

describe('GET /api/shopify/oauth/callback/', () => {
  it('completes the install: connection saved with sealed expiring tokens, webhooks registered', async () => {
    const shop = 'oauth-full.myshopify.com';
    sim.addShop({ domain: shop, products: 3, name: 'OAuth Full' });
    const { authorizeUrl, cookie } = await startInstall(owner.auth, shop);
    const query = await approve(authorizeUrl);
    expect([...query.keys()].sort()).toEqual(['code', 'hmac', 'host', 'shop', 'state', 'timestamp']);

    const { res, outcome, location } = await callback(query, cookie);
    expect(outcome, location.toString()).toBe('connected');
    expect(location.searchParams.get('shop')).toBe(shop);
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    // The cookie is cleared.
    expect(stateCookieOf(res)).toMatchObject({ value: '', path: '/api/shopify/oauth/' });

    const status = json(await t.app.inject({ method: 'GET', url: '/api/shopify/status/', headers: owner.auth }));
    const store = status.stores.find((s: { shop_domain: string }) => s.shop_domain === shop);
    expect(store).toMatchObject({
      auth_method: 'oauth',
      state: 'connected',
      shop_name: 'OAuth Full',
      api_key: APP_KEY,
      api_secret_hint: null,
      webhooks: { state: 'registered' },
    });
    expect(store.scopes).toEqual(expect.arrayContaining(['read_products', 'write_inventory', 'read_locations']));
    expect(new Date(store.token_expires_at).getTime()).toBeGreaterThan(Date.now() + 50 * 60_000);

    const [row] = await connectionRows(shop);
    expect(row).toMatchObject({ api_secret_enc: null, connected_by: owner.user.id });
    const access = open(t.config.encryptionKeys, row!.access_token_enc as string);
    const refresh = open(t.config.encryptionKeys, row!.refresh_token_enc as string);
    expect(access).toMatch(/^shpua_/);
    expect(refresh).toMatch(/^shprt_/);
    expect(row!.refresh_token_expires_at).not.toBeNull();
    const dump = JSON.stringify(await connectionRows(shop));
    expect(dump).not.toContain(access);
    expect(dump).not.toContain(refresh);
    expect(t.logs.join('\n')).not.toContain(access);
    expect(t.logs.join('\n')).not.toContain(query.get('code')!);

    const index = await t.database.db.execute(sql`select org_id from shopify_shop_index where shop_domain = ${shop}`);
    expect(index.rows).toEqual([{ org_id: owner.user.organization.id }]);

    // The state is spent: the same answer again is refused and changes nothing.
    const before = await databaseChecksum(t.database.db);
    const replay = await callback(query, cookie);
    expect(replay.outcome).toBe('error');
    expect(replay.location.searchParams.get('reason')).toMatch(/already used/);
    expect(await databaseChecksum(t.database.db)).toEqual(before);
  });

  it('refuses a tampered HMAC, a stale timestamp, a missing cookie, another browser and another shop', async () => {
    const shop = 'oauth-guarded.myshopify.com';
    sim.addShop({ domain: shop, products: 1 });
    sim.addShop({ domain: 'oauth-elsewhere.myshopify.com', products: 1 });
    const { authorizeUrl, cookie } = await startInstall(owner.auth, shop);
    const query = await approve(authorizeUrl);
    const mine = await startInstall(other.auth, 'oauth-other.myshopify.com');

    const tampered = new URLSearchParams(query);
    tampered.set('hmac', `${query.get('hmac')!.slice(0, -1)}${query.get('hmac')!.endsWith('0') ? '1' : '0'}`);
    const renamedCode = new URLSearchParams(query);
    renamedCode.set('code', 'attacker-code');
    const elsewhere = new URL(authorizeUrl);
    elsewhere.searchParams.set('shop', 'oauth-elsewhere.myshopify.com');
    const otherShop = await approve(elsewhere.toString());

    const cases: [string, URLSearchParams, string | undefined, RegExp][] = [
      ['tampered hmac', tampered, cookie, /signature/],
      ['code changed after signing', renamedCode, cookie, /signature/],
      ['stale timestamp', resign(query, { timestamp: String(Math.floor(Date.now() / 1000) - 300) }), cookie, /old/],
      ['future timestamp', resign(query, { timestamp: String(Math.floor(Date.now() / 1000) + 300) }), cookie, /old/],
      ['no cookie', query, undefined, /another browser/],
      ["another user's cookie", query, mine.cookie, /another browser/],
      ['state of another shop', otherShop, cookie, /another store/],
      [
        'state spliced onto another org',
        resign(query, { state: `${other.user.organization.id}.${cookie.split('.')[1]}` }),
        `${other.user.organization.id}.${cookie.split('.')[1]}`,
        /expired|already used|another store/,
      ],
    ];
    const before = await databaseChecksum(t.database.db);
    for (const [name, q, c, reason] of cases) {
      const { outcome, location, res } = await callback(q, c);
      expect(outcome, name).toBe('error');
      expect(location.searchParams.get('reason'), name).toMatch(reason);
      expect(stateCookieOf(res), name).toBeUndefined();
    }
    expect(await databaseChecksum(t.database.db)).toEqual(before);
    expect(await connectionRows(shop)).toHaveLength(0);
    expect(await connectionRows('oauth-elsewhere.myshopify.com')).toHaveLength(0);

    // None of that spent the genuine state: the real answer still completes the install.
    const genuine = await callback(query, cookie);
    expect(genuine.outcome, genuine.location.toString()).toBe('connected');
    expect(await connectionRows(shop)).toHaveLength(1);
  });

  it('another organization’s state cannot create a connection in it', async () => {
    const shop = 'oauth-cross-org.myshopify.com';
    sim.addShop({ domain: shop, products: 1 });
    // B starts an install; A (who sees B's URL, e.g. pasted) cannot finish it from A's browser.
    const b = await startInstall(other.auth, shop);
    const a = await startInstall(owner.auth, shop);
    const query = await approve(b.authorizeUrl);
    const before = await databaseChecksum(t.database.db);
    expect((await callback(query, a.cookie)).outcome).toBe('error');
    // A's nonce under B's org id, correctly signed and with a matching cookie: no such state in B.
    const spliced = `${other.user.organization.id}.${a.cookie.split('.')[1]}`;
    expect((await callback(resign(query, { state: spliced }), spliced)).outcome).toBe('error');
    expect(await databaseChecksum(t.database.db)).toEqual(before);
    expect(await connectionRows(shop)).toHaveLength(0);
    // B's own browser completes B's install, in B.
    expect((await callback(query, b.cookie)).outcome).toBe('connected');
    const rows = await connectionRows(shop);
    expect(rows.map((r) => r.org_id)).toEqual([other.user.organization.id]);
  });

  it('answers garbage with an error redirect, never a 500, and changes nothing', async () => {
    const { cookie } = await startInstall(owner.auth, 'oauth-garbage.myshopify.com');
    const queries = [
      '',
      'shop=',
      'shop=evil.com&hmac=00&state=x&timestamp=1&code=c',
      'shop=a.myshopify.com.evil.com',
      `shop=${'a'.repeat(5000)}.myshopify.com`,
      'shop=a.myshopify.com&shop=b.myshopify.com',
      'shop=a.myshopify.com&hmac=zz',
      `shop=a.myshopify.com&hmac=${'0'.repeat(64)}`,
      `shop=a.myshopify.com&hmac=${'0'.repeat(63)}`,
      '%%%&&&==',
      'shop[]=a.myshopify.com',
      "shop=a.myshopify.com'%20OR%201=1--",
      'shop=%00&state=%00&hmac=%00',
      `state=${cookie}`,
      `x=${'y'.repeat(20_000)}`,
    ];
    const before = await databaseChecksum(t.database.db);
    for (const q of queries) {
      for (const c of [undefined, cookie, 'garbage', '%00', 'a'.repeat(4000)]) {
        const { outcome } = await callback(q, c);
        expect(outcome, `${q.slice(0, 60)} / ${String(c).slice(0, 20)}`).toBe('error');
      }
    }
    expect(await databaseChecksum(t.database.db)).toEqual(before);
  });
});

describe('expiring tokens', () => {
  // Last in the file: advancing the simulator's clock would make later callbacks' timestamps stale.
  it('renews a token close to expiry once, under a lock, and the connection keeps working', async () => {
    const shop = 'oauth-refresh.myshopify.com';
    sim.addShop({ domain: shop, products: 2 });
    const { authorizeUrl, cookie } = await startInstall(owner.auth, shop);
    expect((await callback(await approve(authorizeUrl), cookie)).outcome).toBe('connected');
    const [first] = await connectionRows(shop);
    const id = first!.id as string;
    const orgId = owner.user.organization.id;
    const oldAccess = open(t.config.encryptionKeys, first!.access_token_enc as string);
    const oldRefresh = open(t.config.encryptionKeys, first!.refresh_token_enc as string);

    // A client that counts token requests, so a double refresh would show.
    const base = t.app.config.shopify.apiOrigin;
    const { createShopifyClient } = await import('./client.ts');
    const inner = createShopifyClient({ apiOrigin: base, baseDelayMs: 5, maxDelayMs: 50 });
    let tokenCalls = 0;
    const counting: ShopifyClient = {
      ...inner,
      postJson: (s, path, body) => {
        tokenCalls++;
        return inner.postJson(s, path, body);
      },
    };
    const ctx = createShopifyContext({ db: t.database.db, config: t.config, client: counting, jobs: boss });

    // Fresh: no refresh.
    expect(await ensureFreshAccessToken(ctx, orgId, id)).toBe(oldAccess);
    expect(tokenCalls).toBe(0);

    // 56 minutes pass (for Shopify and for us): 4 minutes left, inside the 5-minute margin.
    sim.advanceTime(56 * 60_000);
    await t.database.db.execute(
      sql`update shopify_connections set token_expires_at = token_expires_at - interval '56 minutes' where id = ${id}`,
    );
    const [a, b, c] = await Promise.all([
      ensureFreshAccessToken(ctx, orgId, id),
      ensureFreshAccessToken(ctx, orgId, id),
      ensureFreshAccessToken(ctx, orgId, id),
    ]);
    expect(tokenCalls).toBe(1);
    expect(a).not.toBe(oldAccess);
    expect(new Set([a, b, c]).size).toBe(1);
    const [after] = await connectionRows(shop);
    expect(open(t.config.encryptionKeys, after!.access_token_enc as string)).toBe(a);
    expect(open(t.config.encryptionKeys, after!.refresh_token_enc as string)).not.toBe(oldRefresh);
    expect(new Date(after!.token_expires_at as string).getTime()).toBeGreaterThan(Date.now() + 50 * 60_000);
    expect(JSON.stringify(after)).not.toContain(a!);

    // Past the old token's life: the renewed one works for the connection test.
    sim.advanceTime(10 * 60_000);
    const retest = await t.app.inject({
      method: 'POST',
      url: `/api/shopify/connections/${id}/test/`,
      headers: owner.auth,
    });
    expect(json(retest)).toMatchObject({ state: 'connected', error_count: 0 });

    // Each saved token scheduled its connection's renewal: one queued job, due a window before expiry.
    const queued = async () =>
      (
        await t.database.db.execute(
          sql`select data, start_after from pgboss.job where name = ${QUEUES.shopifyTokenRenewal.name} and singleton_key = ${id} and state = 'created'`,
        )
      ).rows as { data: { org_id: string; connection_id: string }; start_after: string }[];
    const [next] = await queued();
    expect(await queued()).toHaveLength(1);
    expect(next!.data).toEqual({ org_id: orgId, connection_id: id });
    const expiry = new Date(after!.token_expires_at as string).getTime();
    expect(Math.abs(new Date(next!.start_after).getTime() - (expiry - SCHEDULED_REFRESH_WINDOW_MS))).toBeLessThan(5000);

    // The job renews what expires within its window, and only that.
    await t.database.db.execute(
      sql`update shopify_connections set token_expires_at = now() + interval '10 minutes' where id = ${id}`,
    );
    expect(await renewConnectionToken(ctx, next!.data)).toBe('refreshed');
    expect(await renewConnectionToken(ctx, next!.data)).toBe('not_due');
    expect(await queued()).toHaveLength(1);

    // And the worker runs it: a due job renews the token.
    await registerTokenRefreshJob(boss, ctx);
    await t.database.db.execute(
      sql`update shopify_connections set token_expires_at = now() + interval '2 minutes' where id = ${id}`,
    );
    const beforeJob = (await connectionRows(shop))[0]!.access_token_enc;
    await t.database.db.execute(
      sql`update pgboss.job set start_after = now() where name = ${QUEUES.shopifyTokenRenewal.name} and singleton_key = ${id} and state = 'created'`,
    );
    const deadline = Date.now() + 20_000;
    while ((await connectionRows(shop))[0]!.access_token_enc === beforeJob && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
    }
    expect((await connectionRows(shop))[0]!.access_token_enc).not.toBe(beforeJob);
    await boss.offWork(QUEUES.shopifyTokenRenewal.name);

    // Through the app as well: retest renews a nearly expired token by itself.
    await t.database.db.execute(
      sql`update shopify_connections set token_expires_at = now() + interval '1 minute' where id = ${id}`,
    );
    const before = (await connectionRows(shop))[0]!.access_token_enc;
    const again = await t.app.inject({
      method: 'POST',
      url: `/api/shopify/connections/${id}/test/`,
      headers: owner.auth,
    });
    expect(json(again)).toMatchObject({ state: 'connected' });
    expect((await connectionRows(shop))[0]!.access_token_enc).not.toBe(before);
  });

  it('a refused renewal is recorded on the connection', async () => {
    const shop = 'oauth-refresh.myshopify.com';
    const [row] = await connectionRows(shop);
    sim.uninstall(shop, { clientId: APP_KEY });
    await sim.idle();
    await t.database.db.execute(
      sql`update shopify_connections set token_expires_at = now() + interval '1 minute' where id = ${row!.id}`,
    );
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/shopify/connections/${row!.id}/test/`,
      headers: owner.auth,
    });
    expect(res.statusCode).toBe(200);
    expect(json(res)).toMatchObject({ state: 'error' });
    expect(json(res).last_error).toMatch(/refused to renew/);
  });
});
