import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ShopifySim, startShopifySim } from './index.ts';
import { loadOperations } from './operations.ts';
import { adminRequest } from './testing.ts';

const ops = loadOperations();
const CLIENT_ID = 'invpro-client-id';
const CLIENT_SECRET = 'invpro-client-secret';
const SCOPES = 'read_products,read_inventory,write_inventory,read_locations';
const SHOP = 'oauth-shop.myshopify.com';
let sim: ShopifySim;

beforeAll(async () => {
  sim = await startShopifySim({ seed: 17 });
  sim.registerApp({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
  sim.addShop({ domain: SHOP, products: 3, apiKey: 'custom-key', apiSecret: 'custom-secret' });
});
afterAll(() => sim.close());

/**
 * The callback check our API must do, written from docs/shopify.md §7 and not from the sim's code: every
 * parameter but hmac/signature, sorted by key, URLSearchParams-encoded with spaces as %20, hex
 * HMAC-SHA256 with the client secret, compared in constant time; timestamp within ±90 s.
 */
function verifyCallback(query: URLSearchParams, secret: string, nowMs: number): boolean {
  const hmac = query.get('hmac') ?? '';
  const rest = [...query.entries()]
    .filter(([k]) => k !== 'hmac' && k !== 'signature')
    .sort(([a], [b]) => a.localeCompare(b));
  const message = new URLSearchParams(rest).toString().replace(/\+/g, '%20');
  const expected = Buffer.from(createHmac('sha256', secret).update(message).digest('hex'));
  const given = Buffer.from(hmac);
  const fresh = Math.abs(nowMs / 1000 - Number(query.get('timestamp'))) <= 90;
  return expected.length === given.length && timingSafeEqual(expected, given) && fresh;
}

async function authorize(state: string, extra: Record<string, string> = {}) {
  const url = new URL(`${sim.origin}/admin/oauth/authorize`);
  const params = {
    shop: SHOP,
    client_id: CLIENT_ID,
    scope: SCOPES,
    redirect_uri: 'https://app.invpro.test/api/shopify/callback/',
    state,
    ...extra,
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  const res = await fetch(url, { redirect: 'manual' });
  return res;
}

async function token(body: Record<string, unknown>, shop = SHOP) {
  const res = await fetch(`${sim.origin}/admin/oauth/access_token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Shopify-Shop-Domain': shop },
    body: JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: checked field by field.
  return { status: res.status, body: (await res.json()) as any };
}

async function codeFor(state = 'nonce-1'): Promise<string> {
  const res = await authorize(state);
  return new URL(res.headers.get('location') as string).searchParams.get('code') as string;
}

const connectionTest = (t: string) =>
  adminRequest(sim.origin, { domain: SHOP, token: t }, ops.ConnectionTest as string);

describe('authorize', () => {
  it('auto-approves and redirects with a callback that verifies like Shopify’s', async () => {
    const state = 'nonce with spaces+and/plus=';
    const res = await authorize(state);
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location') as string);
    expect(`${location.origin}${location.pathname}`).toBe('https://app.invpro.test/api/shopify/callback/');
    const q = location.searchParams;
    expect([...q.keys()].sort()).toEqual(['code', 'hmac', 'host', 'shop', 'state', 'timestamp']);
    expect(q.get('shop')).toBe(SHOP);
    expect(q.get('state')).toBe(state);
    expect(q.get('hmac')).toMatch(/^[0-9a-f]{64}$/);
    expect(Buffer.from(q.get('host') as string, 'base64').toString()).toBe('admin.shopify.com/store/oauth-shop');
    expect(verifyCallback(q, CLIENT_SECRET, Date.now())).toBe(true);

    const tampered = new URLSearchParams(q);
    tampered.set('shop', 'evil.myshopify.com');
    expect(verifyCallback(tampered, CLIENT_SECRET, Date.now())).toBe(false);
    expect(verifyCallback(q, 'wrong-secret', Date.now())).toBe(false);
    expect(verifyCallback(q, CLIENT_SECRET, Date.now() + 120_000)).toBe(false);
  });

  it('refuses unknown apps and malformed shops', async () => {
    expect((await authorize('s', { client_id: 'nope' })).status).toBe(400);
    expect((await authorize('s', { shop: 'evil.example.com' })).status).toBe(400);
  });
});

describe('access_token', () => {
  it('exchanges a code once for an expiring token that works on the Admin API', async () => {
    const code = await codeFor();
    const r = await token({ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, code, expiring: '1' });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      access_token: expect.any(String),
      // Shopify leaves out a read scope that a granted write scope implies.
      scope: 'read_products,write_inventory,read_locations',
      expires_in: 3600,
      refresh_token: expect.any(String),
      refresh_token_expires_in: expect.any(Number),
    });
    const ok = await connectionTest(r.body.access_token);
    expect(ok.status).toBe(200);
    expect(ok.body.data.currentAppInstallation.accessScopes.map((s: { handle: string }) => s.handle).sort()).toEqual(
      SCOPES.split(',').sort(),
    );
    const reused = await token({ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, code, expiring: '1' });
    expect(reused.status).toBe(400);
    expect(reused.body.error).toBe('invalid_request');
  });

  it('gives a non-expiring token without expiring=1, and refuses a wrong secret', async () => {
    const bad = await token({ client_id: CLIENT_ID, client_secret: 'nope', code: await codeFor() });
    expect(bad.status).toBe(400);
    const r = await token({ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, code: await codeFor() });
    expect(Object.keys(r.body).sort()).toEqual(['access_token', 'scope']);
    expect((await connectionTest(r.body.access_token)).status).toBe(200);
  });

  it('rotates refresh tokens; the old one works until the new one is used; expired tokens get 401', async () => {
    const first = await token({
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      code: await codeFor(),
      expiring: '1',
    });
    const r1 = first.body.refresh_token as string;
    const refresh = (rt: string) =>
      token({ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, grant_type: 'refresh_token', refresh_token: rt });

    const second = await refresh(r1);
    expect(second.status).toBe(200);
    const r2 = second.body.refresh_token as string;
    expect(r2).not.toBe(r1);
    expect(second.body.expires_in).toBe(3600);
    // Grace: r1 still valid because r2 has not been used yet.
    const viaOld = await refresh(r1);
    expect(viaOld.status).toBe(200);
    // Using r2 retires r1.
    const third = await refresh(r2);
    expect(third.status).toBe(200);
    expect((await refresh(r1)).status).toBe(400);

    // An hour later the access tokens are dead, the newest refresh token is not.
    sim.advanceTime(3601_000);
    try {
      const expired = await connectionTest(third.body.access_token);
      expect(expired.status).toBe(401);
      expect(expired.body).toEqual({
        errors: '[API] Invalid API key or access token (unrecognized login or wrong password)',
      });
      const renewed = await refresh(third.body.refresh_token);
      expect(renewed.status).toBe(200);
      expect((await connectionTest(renewed.body.access_token)).status).toBe(200);
    } finally {
      sim.advanceTime(-3601_000);
    }
  });

  it('issues 24-hour tokens with client_credentials for a shop’s own app', async () => {
    const r = await token({
      client_id: 'custom-key',
      client_secret: 'custom-secret',
      grant_type: 'client_credentials',
    });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ access_token: expect.any(String), scope: expect.any(String), expires_in: 86399 });
    expect((await connectionTest(r.body.access_token)).status).toBe(200);
    const wrong = await token({ client_id: 'custom-key', client_secret: 'nope', grant_type: 'client_credentials' });
    expect(wrong.status).toBe(400);
    sim.advanceTime(86_400_000);
    try {
      expect((await connectionTest(r.body.access_token)).status).toBe(401);
    } finally {
      sim.advanceTime(-86_400_000);
    }
  });

  it('answers 404 for an unknown shop', async () => {
    const r = await token({ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, code: 'x' }, 'unknown.myshopify.com');
    expect(r.status).toBe(404);
  });
});
