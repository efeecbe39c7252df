import { type ShopifySim, startShopifySim } from '@invpro/shopify-sim';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, json, registerUser, type TestApp } from '../../test/app.ts';

let sim: ShopifySim;
let t: TestApp;
let owner: Awaited<ReturnType<typeof registerUser>>;

beforeAll(async () => {
  sim = await startShopifySim({ seed: 7 });
  t = await createTestApp({ SHOPIFY_API_ORIGIN: sim.origin, SHOPIFY_WEBHOOK_BASE_URL: 'http://127.0.0.1:9' });
  owner = await registerUser(t.app);
});
afterAll(async () => {
  await t.close();
  await sim.close();
});

const connect = (auth: Record<string, string>, body: Record<string, unknown>) =>
  t.app.inject({ method: 'POST', url: '/api/shopify/connect/', headers: auth, payload: body });

function credentialsOf(domain: string, extra: Parameters<ShopifySim['addShop']>[0] = { domain }) {
  const shop = sim.addShop({ products: 3, ...extra, domain });
  return {
    store_url: `https://${domain.toUpperCase()}/admin`,
    api_key: shop.apiKey,
    api_secret: shop.apiSecret,
    access_token: shop.accessToken!,
  };
}

/** Sign up through an invitation from `owner`: a member of the owner's organization. */
async function joinOwnersOrganization(email: string, username: string) {
  const inv = json(
    await t.app.inject({ method: 'POST', url: '/api/team/invitations/', headers: owner.auth, payload: { email } }),
  );
  const password = 'violet-harbour-tractor-91';
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/auth/register/',
    payload: { email, username, password, invitation: inv.token },
  });
  expect(res.statusCode, res.body).toBe(201);
  return json(res);
}

describe('POST /api/shopify/connect/', () => {
  it('normalizes the URL, tests the connection, stores secrets encrypted and never shows them', async () => {
    const creds = credentialsOf('acme-connect.myshopify.com', {
      domain: 'x',
      name: 'Acme Outfitters',
      currency: 'EUR',
    });
    const res = await connect(owner.auth, creds);
    expect(res.statusCode, res.body).toBe(201);
    const body = json(res);
    expect(body).toMatchObject({
      shop_domain: 'acme-connect.myshopify.com',
      state: 'connected',
      shop_name: 'Acme Outfitters',
      currency: 'EUR',
      error_count: 0,
    });
    expect(body.scopes).toEqual(expect.arrayContaining(['read_products', 'write_inventory', 'read_locations']));
    expect(body.access_token_hint).toBe(`…${creds.access_token.slice(-4)}`);
    expect(res.body).not.toContain(creds.access_token);
    expect(res.body).not.toContain(creds.api_secret);

    const dump = JSON.stringify((await t.database.db.execute(sql`select * from shopify_connections`)).rows);
    expect(dump).not.toContain(creds.access_token);
    expect(dump).not.toContain(creds.api_secret);
    expect(dump).toMatch(/v1:test1:/);
    expect(t.logs.join('\n')).not.toContain(creds.access_token);
    expect(t.logs.join('\n')).not.toContain(creds.api_secret);

    const status = json(await t.app.inject({ method: 'GET', url: '/api/shopify/status/', headers: owner.auth }));
    expect(status).toMatchObject({
      connected: true,
      store_url: 'https://acme-connect.myshopify.com',
      shop_name: 'Acme Outfitters',
    });
    expect(status.stores).toHaveLength(1);
  });

  it('refuses hosts that are not Shopify stores without contacting them', async () => {
    const before = sim.stats().requests;
    for (const store_url of ['http://127.0.0.1:8000', 'evil.com', 'acme.myshopify.com.evil.com']) {
      const res = await connect(owner.auth, { store_url, api_key: 'k', api_secret: 's', access_token: 't' });
      expect(res.statusCode).toBe(400);
      expect(json(res).errors.store_url[0]).toMatch(/myshopify\.com/);
    }
    expect(sim.stats().requests).toBe(before);
  });

  it('refuses a wrong token with a clear detail, keeps the stored credentials and counts the failure', async () => {
    const creds = credentialsOf('wrong-token.myshopify.com');
    expect((await connect(owner.auth, creds)).statusCode).toBe(201);
    const bad = await connect(owner.auth, { ...creds, access_token: 'shpat_wrong_wrong_wrong' });
    expect(bad.statusCode).toBe(400);
    expect(json(bad).detail).toMatch(/rejected these credentials/);
    const status = json(await t.app.inject({ method: 'GET', url: '/api/shopify/status/', headers: owner.auth }));
    const store = status.stores.find((s: { shop_domain: string }) => s.shop_domain === 'wrong-token.myshopify.com');
    expect(store).toMatchObject({
      error_count: 1,
      state: 'error',
      access_token_hint: `…${creds.access_token.slice(-4)}`,
    });
    expect(store.last_error).toMatch(/rejected/);
    // The stored token still works.
    const retest = await t.app.inject({
      method: 'POST',
      url: `/api/shopify/connections/${store.id}/test/`,
      headers: owner.auth,
    });
    expect(json(retest)).toMatchObject({ state: 'connected', error_count: 1 });
  });

  it('names the missing scopes', async () => {
    const creds = credentialsOf('few-scopes.myshopify.com', { domain: 'x', scopes: ['read_products'] });
    const res = await connect(owner.auth, creds);
    expect(res.statusCode).toBe(400);
    expect(json(res).detail).toMatch(/read_inventory, write_inventory, read_locations/);
  });

  it('uses the client-credentials grant when no access token is given', async () => {
    const { access_token: _unused, ...creds } = credentialsOf('dev-dashboard.myshopify.com');
    const res = await connect(owner.auth, creds);
    expect(res.statusCode, res.body).toBe(201);
    expect(json(res)).toMatchObject({ auth_method: 'client_credentials', state: 'connected' });
    expect(json(res).token_expires_at).not.toBeNull();
  });

  it('answers 502 when Shopify keeps failing, after retrying', async () => {
    const creds = credentialsOf('flaky.myshopify.com');
    sim.faults('flaky.myshopify.com', { error503: 1 });
    const res = await connect(owner.auth, creds);
    sim.faults('flaky.myshopify.com', {});
    expect(res.statusCode).toBe(502);
    expect(json(res).detail).toMatch(/could not be reached/);
    expect(sim.stats('flaky.myshopify.com').requests).toBeGreaterThan(1);
  });

  it('members cannot connect stores', async () => {
    const reg = await joinOwnersOrganization('m1@example.com', 'memberone');
    const res = await connect({ authorization: `Bearer ${reg.access}` }, credentialsOf('member-try.myshopify.com'));
    expect(res.statusCode).toBe(403);
  });

  it('disconnect keeps or deletes the data as chosen', async () => {
    const creds = credentialsOf('leaving.myshopify.com');
    const id = json(await connect(owner.auth, creds)).id;
    const keep = await t.app.inject({
      method: 'POST',
      url: `/api/shopify/connections/${id}/disconnect/`,
      headers: owner.auth,
      payload: { delete_data: false },
    });
    expect(json(keep)).toMatchObject({ state: 'disconnected', access_token_hint: null });
    const row = (
      await t.database.db.execute(
        sql`select access_token_enc, api_secret_enc from shopify_connections where id = ${id}`,
      )
    ).rows[0];
    expect(row).toEqual({ access_token_enc: null, api_secret_enc: null });
    const gone = await t.app.inject({
      method: 'POST',
      url: `/api/shopify/connections/${id}/disconnect/`,
      headers: owner.auth,
      payload: { delete_data: true },
    });
    expect(gone.statusCode).toBe(204);
    expect((await t.database.db.execute(sql`select 1 from shopify_connections where id = ${id}`)).rows).toHaveLength(0);
  });
});

describe('GET /api/shopify/connections/{id}/', () => {
  it('a member removed from the organization gets 401 and no data, though their access token is still valid', async () => {
    const creds = credentialsOf('removed-member.myshopify.com');
    const id = json(await connect(owner.auth, creds)).id;
    const member = await joinOwnersOrganization('leaver@example.com', 'leaver');
    const auth = { authorization: `Bearer ${member.access}` };
    const read = () => t.app.inject({ method: 'GET', url: `/api/shopify/connections/${id}/`, headers: auth });
    expect((await read()).statusCode).toBe(200);

    const removed = await t.app.inject({
      method: 'DELETE',
      url: `/api/team/members/${member.user.id}/`,
      headers: owner.auth,
    });
    expect(removed.statusCode).toBe(204);
    const res = await read();
    expect(res.statusCode).toBe(401);
    expect(json(res).detail).toMatch(/no longer a member/);
    expect(res.body).not.toContain('removed-member.myshopify.com');
    expect(res.body).not.toContain(id);
  });
});
