import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '../../db/tenant.ts';
import { createTestApp, json, registerUser, type TestApp } from '../../test/app.ts';
import {
  insertConnection,
  level,
  location,
  product,
  quantities,
  seedSmallCatalog,
  variant,
  writeCatalog,
} from '../../test/catalog-fixture.ts';
import { refreshProductAggregates } from './catalog.queries.ts';
import { QUANTITY_NAMES } from './schema.ts';

let t: TestApp;
let owner: Awaited<ReturnType<typeof registerUser>>;
let store: string;
let otherStore: string;
/** Our ids by Shopify GID, for both stores (their GIDs do not overlap). */
let ids: Record<string, string>;
let foreign: { productId: string; locationId: string };

const P = (n: number) => `gid://shopify/Product/${n}`;
const FRESH_AT = '2030-01-01T00:00:00.000Z';

beforeAll(async () => {
  t = await createTestApp();
  owner = await registerUser(t.app);
  const orgId = owner.user.organization.id;
  store = await insertConnection(t.database.db, orgId);
  otherStore = await insertConnection(t.database.db, orgId);
  ids = await writeCatalog(
    t.database.db,
    { orgId, connectionId: store },
    {
      locations: [
        location(1, { name: 'Main warehouse', shipsInventory: true }),
        location(2, { name: 'Pop-up', isActive: false, fulfillsOnlineOrders: false, address: null }),
      ],
      products: [
        product(1, {
          title: 'Walnut Chair',
          handle: 'walnut-chair',
          descriptionHtml: '<p>Solid <b>walnut</b>.</p>',
          vendor: 'Acme',
          productType: 'Furniture',
          tags: ['Sale', 'wood'],
          options: [{ name: 'Size', position: 1, values: ['S', 'M'] }],
          createdAt: '2025-12-01T10:00:00.000Z',
          updatedAt: '2026-03-01T00:00:00.000Z',
        }),
        product(2, {
          title: 'Linen Lamp',
          status: 'DRAFT',
          vendor: 'Lumen',
          productType: 'Lighting',
          tags: ['New'],
          updatedAt: '2026-01-15T00:00:00.000Z',
        }),
        product(3, {
          title: 'Copper Mug',
          status: 'ARCHIVED',
          productType: 'Kitchen',
          tags: ['sale'],
          updatedAt: '2026-02-10T00:00:00.000Z',
        }),
        product(4, { title: 'Deleted Desk', updatedAt: '2026-02-15T00:00:00.000Z' }),
        product(5, {
          title: '100% Cotton_Towel',
          vendor: 'Weave',
          productType: 'Bath',
          tags: ['redwood'],
          updatedAt: '2026-02-20T00:00:00.000Z',
        }),
        product(6, { title: 'Zinc Hook', productType: 'Hardware', updatedAt: '2026-01-01T00:00:00.000Z' }),
      ],
      variants: [
        variant(1, 1, {
          title: 'S',
          sku: 'WAL-CH-S',
          barcode: '0001112223334',
          price: '19.99',
          compareAtPrice: '29.99',
          selectedOptions: [{ name: 'Size', value: 'S' }],
        }),
        variant(1, 2, { title: 'M', sku: 'WAL-CH-M', price: '24.50', selectedOptions: [{ name: 'Size', value: 'M' }] }),
        variant(1, 3, { title: 'L', sku: 'WAL-CH-L', price: '99.00', position: 3 }),
        variant(2, 1, { price: '5.00' }),
        variant(3, 1, { price: '12.00' }),
        variant(4, 1, { price: '99.00' }),
        variant(5, 1, { price: '8.00', barcode: '5550001' }),
      ],
      images: [
        {
          gid: 'gid://shopify/MediaImage/12',
          productGid: P(1),
          url: 'https://cdn.example.com/chair-back.jpg',
          altText: null,
          width: 400,
          height: 300,
          position: 2,
        },
        {
          gid: 'gid://shopify/MediaImage/11',
          productGid: P(1),
          url: 'https://cdn.example.com/chair.jpg',
          altText: 'A walnut chair',
          width: 800,
          height: 600,
          position: 1,
        },
      ],
      levels: [
        level(1, 1, 1, quantities(5)),
        level(1, 1, 2, quantities(100, 10)),
        level(1, 2, 1, quantities(4, 20)),
        level(2, 1, 1, quantities(3)),
        level(3, 1, 1, quantities(0)),
        level(4, 1, 1, quantities(50)),
        level(5, 1, 1, quantities(20)),
      ],
      deleted: [P(4)],
    },
  );
  // A variant Shopify removed: neither listed nor counted.
  await t.database.db.execute(
    sql`update catalog_variants set deleted_at = now() where shopify_gid = 'gid://shopify/ProductVariant/103'`,
  );
  await withTenant(t.database.db, orgId, (tx) => refreshProductAggregates(tx, { orgId, connectionId: store }, [P(1)]));
  await t.database.db.execute(
    sql`insert into sync_states (org_id, connection_id, fresh_at) values (${orgId}, ${store}, ${FRESH_AT})`,
  );
  Object.assign(
    ids,
    await writeCatalog(
      t.database.db,
      { orgId, connectionId: otherStore },
      {
        locations: [location(91, { name: 'Second store' })],
        products: [product(91, { title: 'Walnut Stool', vendor: 'Acme' })],
        variants: [variant(91, 1, { price: '30.00' })],
        levels: [level(91, 1, 91, quantities(2))],
      },
    ),
  );
  // Another organization with a product of the same name.
  const stranger = await registerUser(t.app);
  const strangerOrg = stranger.user.organization.id;
  foreign = await seedSmallCatalog(
    t.database.db,
    strangerOrg,
    await insertConnection(t.database.db, strangerOrg),
    'Walnut Chair',
  );
});
afterAll(() => t.close());

interface Listing {
  count: number;
  next: string | null;
  previous: string | null;
  results: ({ id: string; title: string } & Record<string, unknown>)[];
}

const get = (url: string, auth = owner.auth) => t.app.inject({ method: 'GET', url, headers: auth });
const list = async (query = '') => {
  const res = await get(`/api/shopify/products/${query ? `?${query}` : ''}`);
  expect(res.statusCode, res.body).toBe(200);
  return json<Listing>(res);
};
const titles = async (query: string): Promise<string[]> => (await list(query)).results.map((p) => p.title);

describe('GET /api/shopify/products/', () => {
  it('lists live products with every field, money as decimal strings and ISO timestamps', async () => {
    const body = await list(`store=${store}`);
    expect(body.count).toBe(5);
    expect(body.next).toBeNull();
    expect(body.previous).toBeNull();
    const chair = body.results.find((p) => p.title === 'Walnut Chair');
    expect(chair).toEqual({
      id: ids[P(1)],
      shopify_id: P(1),
      store,
      title: 'Walnut Chair',
      handle: 'walnut-chair',
      description: '<p>Solid <b>walnut</b>.</p>',
      status: 'ACTIVE',
      product_type: 'Furniture',
      vendor: 'Acme',
      tags: ['Sale', 'wood'],
      image: { url: 'https://cdn.example.com/chair.jpg', alt_text: 'A walnut chair', width: 800, height: 600 },
      price_min: '19.99',
      price_max: '24.50',
      // Available at active locations only: the pop-up's 100 do not count.
      total_inventory: 9,
      variants_count: 2,
      shopify_created_at: '2025-12-01T10:00:00.000Z',
      shopify_updated_at: '2026-03-01T00:00:00.000Z',
      // The store was last known to equal Shopify after this row was written.
      synced_at: FRESH_AT,
      deleted_at: null,
    });
    const hook = body.results.find((p) => p.title === 'Zinc Hook');
    expect(hook).toMatchObject({
      image: null,
      price_min: null,
      price_max: null,
      total_inventory: 0,
      variants_count: 0,
    });
    // Without a freshness mark, a product's own write says when it was last known right.
    const stool = (await list(`store=${otherStore}`)).results[0]!;
    expect(stool.title).toBe('Walnut Stool');
    expect(Date.parse(String(stool.synced_at))).toBeLessThanOrEqual(Date.now());
    expect(stool.synced_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('searches title fragments, SKUs, barcodes, vendors and tags, in any case', async () => {
    expect(await titles('search=walnut')).toEqual(['Walnut Chair', 'Walnut Stool']);
    expect(await titles('search=nut%20CH')).toEqual(['Walnut Chair']);
    expect(await titles('search=wal-ch-m')).toEqual(['Walnut Chair']);
    expect(await titles('search=0001112')).toEqual(['Walnut Chair']);
    expect(await titles('search=5550001')).toEqual(['100% Cotton_Towel']);
    expect(await titles('search=LUMEN')).toEqual(['Linen Lamp']);
    expect(await titles('search=redwood')).toEqual(['100% Cotton_Towel']);
    expect(await titles('search=%20%20')).toHaveLength(6);
  });

  it('matches % and _ literally, and treats SQL in a term as text', async () => {
    expect(await titles('search=100%25')).toEqual(['100% Cotton_Towel']);
    // Unescaped, "n_t" would also match "walnut".
    expect(await titles('search=n_t')).toEqual(['100% Cotton_Towel']);
    expect(await titles('search=%25')).toEqual(['100% Cotton_Towel']);
    expect(await titles(`search=${encodeURIComponent("' or 1=1 --")}`)).toEqual([]);
    expect(await titles(`search=${encodeURIComponent('\\')}`)).toEqual([]);
  });

  it('filters by store, status (any case), exact vendor and type, tag (any case) and stock', async () => {
    expect(await titles(`store=${otherStore}`)).toEqual(['Walnut Stool']);
    expect(await titles('status=active')).toEqual(['100% Cotton_Towel', 'Walnut Chair', 'Walnut Stool', 'Zinc Hook']);
    expect(await titles('status=Draft')).toEqual(['Linen Lamp']);
    expect(await titles('status=ARCHIVED')).toEqual(['Copper Mug']);
    expect(await titles('vendor=Acme')).toEqual(['Copper Mug', 'Walnut Chair', 'Walnut Stool', 'Zinc Hook']);
    expect(await titles('vendor=acme')).toEqual([]);
    expect(await titles('product_type=Furniture')).toEqual(['Walnut Chair']);
    expect(await titles('tag=SALE')).toEqual(['Copper Mug', 'Walnut Chair']);
    // Exact tags: "wood" is not "redwood".
    expect(await titles('tag=wood')).toEqual(['Walnut Chair']);
    expect(await titles('tag=red')).toEqual([]);
    expect(await titles('stock=in')).toEqual(['100% Cotton_Towel', 'Linen Lamp', 'Walnut Chair', 'Walnut Stool']);
    expect(await titles('stock=out')).toEqual(['Copper Mug', 'Zinc Hook']);
    expect(await titles('stock=low')).toEqual(['Linen Lamp', 'Walnut Stool']);
    expect(await titles('vendor=Acme&stock=in&search=walnut&status=active')).toEqual(['Walnut Chair', 'Walnut Stool']);
    expect(await titles(`tag=sale&store=${store}&search=mug`)).toEqual(['Copper Mug']);
  });

  it('hides soft-deleted products unless include_deleted=true', async () => {
    expect(await titles('search=desk')).toEqual([]);
    const body = await list('search=desk&include_deleted=true');
    expect(body.results).toHaveLength(1);
    expect(body.results[0]).toMatchObject({ title: 'Deleted Desk', deleted_at: expect.stringMatching(/Z$/) });
    expect((await list('include_deleted=true')).count).toBe(7);
    expect((await list('include_deleted=false')).count).toBe(6);
  });

  it('orders by title, updated, inventory and price, both ways, ties broken by id', async () => {
    const byTitle = ['100% Cotton_Towel', 'Copper Mug', 'Linen Lamp', 'Walnut Chair', 'Walnut Stool', 'Zinc Hook'];
    expect(await titles('')).toEqual(byTitle);
    expect(await titles('ordering=title')).toEqual(byTitle);
    expect(await titles('ordering=-title')).toEqual([...byTitle].reverse());
    const s = `store=${store}`;
    const byUpdated = ['Zinc Hook', 'Linen Lamp', 'Copper Mug', '100% Cotton_Towel', 'Walnut Chair'];
    expect(await titles(`${s}&ordering=updated`)).toEqual(byUpdated);
    expect(await titles(`${s}&ordering=-updated`)).toEqual([...byUpdated].reverse());
    // Copper Mug and Zinc Hook both have 0: the id (written first) breaks the tie, in the same direction.
    const byInventory = ['Copper Mug', 'Zinc Hook', 'Linen Lamp', 'Walnut Chair', '100% Cotton_Towel'];
    expect(await titles(`${s}&ordering=inventory`)).toEqual(byInventory);
    expect(await titles(`${s}&ordering=-inventory`)).toEqual([...byInventory].reverse());
    // By the lowest price; no price (no variant) sorts as the highest.
    const byPrice = ['Linen Lamp', '100% Cotton_Towel', 'Copper Mug', 'Walnut Chair', 'Zinc Hook'];
    expect(await titles(`${s}&ordering=price`)).toEqual(byPrice);
    expect(await titles(`${s}&ordering=-price`)).toEqual([...byPrice].reverse());
    // The same orders with a search, which takes the other path (the trigram matches first).
    for (const [term, ordering, all] of [
      ['o', '-inventory', [...byInventory].reverse()],
      ['a', 'price', byPrice],
      ['sku-', '-price', [...byPrice].reverse()],
      ['e', '-updated', [...byUpdated].reverse()],
    ] as const) {
      const found = await titles(`search=${term}&ordering=${ordering}&${s}`);
      expect(found.length, term).toBeGreaterThan(1);
      expect(found).toEqual(all.filter((x) => found.includes(x)));
    }
  });

  it('pages with links that keep every filter', async () => {
    const first = await list('page_size=2&ordering=-title&status=active');
    expect(first.count).toBe(4);
    expect(first.results.map((p) => p.title)).toEqual(['Zinc Hook', 'Walnut Stool']);
    expect(first.previous).toBeNull();
    const next = new URL(first.next!, 'http://x');
    expect(next.pathname).toBe('/api/shopify/products/');
    expect(Object.fromEntries(next.searchParams)).toEqual({
      page: '2',
      page_size: '2',
      ordering: '-title',
      status: 'active',
    });
    const second = json(await get(first.next!));
    expect(second.results.map((p: { title: string }) => p.title)).toEqual(['Walnut Chair', '100% Cotton_Towel']);
    expect(second.next).toBeNull();
    expect(second.previous).toContain('page=1');
    // Past the end: no results, but still the count (and a way back).
    const beyond = await list('page=9&page_size=2&status=active');
    expect(beyond).toMatchObject({ count: 4, results: [], next: null });
    expect(beyond.previous).toContain('page=2');
    const searchedBeyond = await list('page=3&page_size=1&search=walnut');
    expect(searchedBeyond).toMatchObject({ count: 2, results: [] });
    expect((await list('page_size=250')).results).toHaveLength(6);
  });

  it('refuses bad filters with a 400 naming the parameter', async () => {
    const cases: [string, string][] = [
      ['status=deleted', 'status'],
      ['stock=maybe', 'stock'],
      ['ordering=name', 'ordering'],
      ['ordering=--title', 'ordering'],
      ['store=not-a-uuid', 'store'],
      ['store=', 'store'],
      ['include_deleted=yes', 'include_deleted'],
      ['page_size=251', 'page_size'],
      ['page=0', 'page'],
      ['shop=1', 'shop'],
      [`search=${'x'.repeat(201)}`, 'search'],
      ['search=%00', 'search'],
      ['vendor=%00', 'vendor'],
      ['status=active&status=draft', 'status'],
    ];
    for (const [query, name] of cases) {
      const res = await get(`/api/shopify/products/?${query}`);
      expect(res.statusCode, `${query}: ${res.body}`).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(json(res).detail, query).toContain(`"${name}"`);
      // An unknown key is reported under "querystring" (http/errors.ts), naming the key in its message.
      if (name !== 'shop') expect(Object.keys(json(res).errors), query).toContain(name);
    }
  });

  it("never shows another organization's products, even with its store id", async () => {
    const body = await list('search=walnut%20chair');
    expect(body.results.map((p) => p.id)).toEqual([ids[P(1)]]);
    const foreignStore = (
      await t.database.db.execute(sql`select connection_id from catalog_products where id = ${foreign.productId}`)
    ).rows[0] as { connection_id: string };
    expect(await list(`store=${foreignStore.connection_id}`)).toMatchObject({ count: 0, results: [] });
  });

  it('needs a token, and a removed member gets 401 though their token is still valid', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/shopify/products/' })).statusCode).toBe(401);
    const inv = json(
      await t.app.inject({
        method: 'POST',
        url: '/api/team/invitations/',
        headers: owner.auth,
        payload: { email: 'catalog-leaver@example.com' },
      }),
    );
    const member = await registerUser(t.app, { email: 'catalog-leaver@example.com', invitation: inv.token });
    expect((await get('/api/shopify/products/', member.auth)).statusCode).toBe(200);
    const removed = await t.app.inject({
      method: 'DELETE',
      url: `/api/team/members/${member.user.id}/`,
      headers: owner.auth,
    });
    expect(removed.statusCode).toBe(204);
    for (const url of ['/api/shopify/products/', `/api/shopify/products/${ids[P(1)]}/`, '/api/shopify/locations/']) {
      const res = await get(url, member.auth);
      expect(res.statusCode, url).toBe(401);
      expect(json(res).detail).toMatch(/no longer a member/);
      expect(res.body).not.toContain('Walnut');
    }
  });
});

describe('GET /api/shopify/products/{id}/', () => {
  it('adds options, images in order and live variants with their stock at each location', async () => {
    const res = await get(`/api/shopify/products/${ids[P(1)]}/`);
    expect(res.statusCode, res.body).toBe(200);
    const body = json(res);
    const listed = (await list(`search=walnut%20chair`)).results[0]!;
    expect(body).toMatchObject(listed);
    expect(body.options).toEqual([{ name: 'Size', values: ['S', 'M'] }]);
    expect(body.images).toEqual([
      {
        url: 'https://cdn.example.com/chair.jpg',
        alt_text: 'A walnut chair',
        width: 800,
        height: 600,
        position: 1,
      },
      { url: 'https://cdn.example.com/chair-back.jpg', alt_text: null, width: 400, height: 300, position: 2 },
    ]);
    const main = {
      id: ids['gid://shopify/Location/1'],
      shopify_id: 'gid://shopify/Location/1',
      name: 'Main warehouse',
    };
    const popUp = { id: ids['gid://shopify/Location/2'], shopify_id: 'gid://shopify/Location/2', name: 'Pop-up' };
    expect(body.variants).toEqual([
      {
        id: ids['gid://shopify/ProductVariant/101'],
        shopify_id: 'gid://shopify/ProductVariant/101',
        title: 'S',
        sku: 'WAL-CH-S',
        barcode: '0001112223334',
        price: '19.99',
        compare_at_price: '29.99',
        position: 1,
        selected_options: [{ name: 'Size', value: 'S' }],
        // Available at active locations: the inactive pop-up's 100 are listed but not counted.
        inventory_quantity: 5,
        inventory_levels: [
          { location: { ...main, is_active: true }, quantities: quantities(5) },
          { location: { ...popUp, is_active: false }, quantities: quantities(100, 10) },
        ],
      },
      {
        id: ids['gid://shopify/ProductVariant/102'],
        shopify_id: 'gid://shopify/ProductVariant/102',
        title: 'M',
        sku: 'WAL-CH-M',
        barcode: null,
        price: '24.50',
        compare_at_price: null,
        position: 2,
        selected_options: [{ name: 'Size', value: 'M' }],
        inventory_quantity: 4,
        inventory_levels: [{ location: { ...main, is_active: true }, quantities: quantities(4, 20) }],
      },
    ]);
    expect(Object.keys(body.variants[0].inventory_levels[0].quantities)).toEqual([...QUANTITY_NAMES]);
  });

  it('reads a deleted product by id, and a product without variants', async () => {
    const deleted = json(await get(`/api/shopify/products/${ids[P(4)]}/`));
    expect(deleted).toMatchObject({ title: 'Deleted Desk', deleted_at: expect.stringMatching(/Z$/) });
    // Its variants went with it.
    expect(deleted.variants).toEqual([]);
    const hook = json(await get(`/api/shopify/products/${ids[P(6)]}/`));
    expect(hook).toMatchObject({ title: 'Zinc Hook', variants: [], images: [], image: null, price_min: null });
  });

  it("answers 404 for an unknown id and another organization's, 400 for a malformed one", async () => {
    for (const id of ['0190f1d8-0000-7000-8000-000000000000', foreign.productId]) {
      const res = await get(`/api/shopify/products/${id}/`);
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(json(res).detail).toMatch(/No product with that id/);
    }
    const bad = await get('/api/shopify/products/not-a-uuid/');
    expect(bad.statusCode).toBe(400);
    expect(json(bad).detail).toContain('"id"');
  });
});

describe('GET /api/shopify/locations/', () => {
  it("lists the stores' locations with the live products and quantities stocked at each", async () => {
    const res = await get('/api/shopify/locations/');
    expect(res.statusCode, res.body).toBe(200);
    const body = json(res);
    expect(body.count).toBe(3);
    expect(body.results.map((l: { name: string }) => l.name)).toEqual(['Main warehouse', 'Pop-up', 'Second store']);
    const sum = (...qs: ReturnType<typeof quantities>[]) =>
      Object.fromEntries(QUANTITY_NAMES.map((n) => [n, qs.reduce((total, q) => total + q[n], 0)]));
    expect(body.results[0]).toEqual({
      id: ids['gid://shopify/Location/1'],
      shopify_id: 'gid://shopify/Location/1',
      store,
      name: 'Main warehouse',
      is_active: true,
      fulfills_online_orders: true,
      ships_inventory: true,
      address: { city: 'Berlin', country: 'DE' },
      // Chair, lamp, mug and towel; the deleted desk's stock does not count.
      product_count: 4,
      totals: sum(quantities(5), quantities(4, 20), quantities(3), quantities(0), quantities(20)),
    });
    expect(body.results[1]).toMatchObject({
      name: 'Pop-up',
      is_active: false,
      fulfills_online_orders: false,
      address: null,
      product_count: 1,
      totals: quantities(100, 10),
    });
    expect(body.results[2]).toMatchObject({ store: otherStore, product_count: 1, totals: quantities(2) });
    expect(res.body).not.toContain(foreign.locationId);
  });

  it('filters by store and pages; refuses bad parameters with a 400 naming them', async () => {
    const only = json(await get(`/api/shopify/locations/?store=${otherStore}`));
    expect(only.results.map((l: { name: string }) => l.name)).toEqual(['Second store']);
    const page = json(await get('/api/shopify/locations/?page_size=1&page=2'));
    expect(page).toMatchObject({ count: 3, results: [{ name: 'Pop-up' }] });
    expect(page.next).toContain('page=3');
    expect(json(await get('/api/shopify/locations/?page=5'))).toMatchObject({ count: 3, results: [] });
    for (const [query, name] of [
      ['store=x', 'store'],
      ['search=a', 'search'],
      ['page_size=0', 'page_size'],
    ]) {
      const res = await get(`/api/shopify/locations/?${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(json(res).detail).toContain(`"${name}"`);
    }
  });
});
