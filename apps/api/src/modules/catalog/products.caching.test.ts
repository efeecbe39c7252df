import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, registerUser, type TestApp } from '../../test/app.ts';
import { insertConnection, seedSmallCatalog } from '../../test/catalog-fixture.ts';

let t: TestApp;
let owner: Awaited<ReturnType<typeof registerUser>>;
let productId: string;

beforeAll(async () => {
  t = await createTestApp();
  owner = await registerUser(t.app);
  const orgId = owner.user.organization.id;
  const store = await insertConnection(t.database.db, orgId);
  ({ productId } = await seedSmallCatalog(t.database.db, orgId, store, 'Cached chair'));
});
afterAll(() => t.close());

const get = (url: string, ifNoneMatch?: string) =>
  t.app.inject({
    method: 'GET',
    url,
    headers: { ...owner.auth, ...(ifNoneMatch ? { 'if-none-match': ifNoneMatch } : {}) },
  });

describe('conditional GET of products', () => {
  for (const [name, url] of [
    ['the list', () => '/api/shopify/products/?page_size=50'],
    ['one product', () => `/api/shopify/products/${productId}/`],
  ] as const) {
    it(`${name}: a weak ETag and private, no-cache; a matching If-None-Match gets 304 without a body`, async () => {
      const first = await get(url());
      expect(first.statusCode).toBe(200);
      const etag = first.headers.etag as string;
      expect(etag).toMatch(/^W\/"[\w-]+"$/);
      expect(first.headers['cache-control']).toBe('private, no-cache');

      const again = await get(url(), etag);
      expect(again.statusCode).toBe(304);
      expect(again.body).toBe('');
      expect(again.headers.etag).toBe(etag);
      // A client may send the strong form, a list, or `*`.
      expect((await get(url(), `"other", ${etag.slice(2)}`)).statusCode).toBe(304);
      expect((await get(url(), '*')).statusCode).toBe(304);
      expect((await get(url(), 'W/"stale"')).statusCode).toBe(200);
    });
  }

  it("a variant's change (the product row untouched) gives a new ETag: no stale 304", async () => {
    const url = `/api/shopify/products/${productId}/`;
    const before = (await get(url)).headers.etag as string;
    await t.database.db.execute(
      sql`update catalog_variants set price = '123.45' where org_id = ${owner.user.organization.id}`,
    );
    const after = await get(url, before);
    expect(after.statusCode).toBe(200);
    expect(after.body).toContain('123.45');
    expect(after.headers.etag).not.toBe(before);
  });

  it('another user of another organization never gets a 304 for the first one’s tag', async () => {
    const etag = (await get(`/api/shopify/products/?page_size=50`)).headers.etag as string;
    const stranger = await registerUser(t.app);
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/shopify/products/?page_size=50',
      headers: { ...stranger.auth, 'if-none-match': etag },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().count).toBe(0);
  });

  it('errors carry no ETag', async () => {
    const res = await get('/api/shopify/products/0b7a3c1e-5d5f-4c39-9a57-3f1f0b1d2e4a/', '*');
    expect(res.statusCode).toBe(404);
    expect(res.headers.etag).toBeUndefined();
  });
});
