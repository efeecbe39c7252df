import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShopHandle, SimProduct } from './control.ts';
import { type ShopifySim, startShopifySim } from './index.ts';
import { loadOperations } from './operations.ts';
import { adminClient } from './testing.ts';

const ops = loadOperations();
// The shared export, without its example updated_at filter: a full export.
const FULL_EXPORT = (ops.BulkProductsExport as string).replace(/\(query: "[^"]*"\)/, '');
let sim: ShopifySim;

beforeAll(async () => {
  sim = await startShopifySim({ seed: 13 });
});
afterAll(() => sim.close());

type Gql = ReturnType<typeof adminClient>;
type Line = Record<string, unknown> & { id?: string; __parentId?: string };

async function run(gql: Gql, query: string) {
  const r = await gql(ops.BulkRunQuery as string, { query });
  expect(r.body.errors).toBeUndefined();
  return r.body.data.bulkOperationRunQuery;
}

async function waitDone(gql: Gql, id: string, seen: Set<string> = new Set()) {
  for (let i = 0; i < 400; i++) {
    const r = await gql(ops.BulkOperationStatus as string, { id });
    const op = r.body.data.bulkOperation;
    seen.add(op.status);
    if (['COMPLETED', 'FAILED', 'CANCELED'].includes(op.status)) return op;
    await new Promise((res) => setTimeout(res, 20));
  }
  throw new Error('bulk operation did not finish');
}

async function download(url: string): Promise<Line[]> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  const text = await res.text();
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line);
}

/** What a consumer does (docs/shopify.md §5): stage every line, join on __parentId, tell types apart by GID. */
function reconstruct(lines: Line[]) {
  const byId = new Map<string, Line & { children: Line[] }>();
  for (const l of lines) if (l.id) byId.set(l.id, { ...l, children: [] });
  const roots: Array<Line & { children: Line[] }> = [];
  for (const l of lines) {
    const node = l.id ? (byId.get(l.id) as Line & { children: Line[] }) : { ...l, children: [] };
    if (l.__parentId) byId.get(l.__parentId)?.children.push(node);
    else roots.push(node);
  }
  const type = (l: Line) => (l.id as string).split('/')[3]?.split('?')[0];
  return roots
    .map((p) => ({
      id: p.id,
      title: p.title,
      updatedAt: p.updatedAt,
      options: p.options,
      media: p.children.filter((c) => type(c) === 'MediaImage').map((m) => ({ id: m.id, image: m.image })),
      variants: p.children
        .filter((c) => type(c) === 'ProductVariant')
        .sort((a, b) => (a.position as number) - (b.position as number))
        .map((v) => ({
          id: v.id,
          sku: v.sku,
          price: v.price,
          selectedOptions: v.selectedOptions,
          itemId: (v.inventoryItem as { id: string }).id,
          levels: (v as unknown as { children: Line[] }).children
            .map((l) => ({
              location: (l.location as { id: string }).id,
              quantities: Object.fromEntries(
                (l.quantities as Array<{ name: string; quantity: number }>).map((q) => [q.name, q.quantity]),
              ),
            }))
            .sort((a, b) => (a.location < b.location ? -1 : 1)),
        })),
    }))
    .sort((a, b) => ((a.id as string) < (b.id as string) ? -1 : 1));
}

function expectedFrom(truth: SimProduct[]) {
  return truth
    .map((p) => ({
      id: p.id,
      title: p.title,
      updatedAt: p.updatedAt,
      options: p.options,
      media: p.media.map((m) => ({ id: m.id, image: m.image })),
      variants: p.variants.map((v) => ({
        id: v.id,
        sku: v.sku,
        price: v.price,
        selectedOptions: v.selectedOptions,
        itemId: v.inventoryItem.id,
        levels: v.inventoryItem.inventoryLevels
          .map((l) => ({
            location: l.location.id,
            quantities: {
              available: l.quantities.available,
              on_hand: l.quantities.on_hand,
              committed: l.quantities.committed,
              incoming: l.quantities.incoming,
            },
          }))
          .sort((a, b) => (a.location < b.location ? -1 : 1)),
      })),
    }))
    .sort((a, b) => (a.id < b.id ? -1 : 1));
}

describe('bulk export', () => {
  let shop: ShopHandle;
  let gql: Gql;
  beforeAll(() => {
    shop = sim.addShop({ domain: 'bulk.myshopify.com', products: 260, locations: 2, plan: 'plus' });
    gql = adminClient(sim.origin, shop);
  });

  it('goes CREATED → RUNNING → COMPLETED and its JSONL rebuilds the same catalog as paging', async () => {
    shop.setBulkBehaviour({ startDelayMs: 30, chunkDelayMs: 100 });
    const started = await run(gql, FULL_EXPORT);
    expect(started.userErrors).toEqual([]);
    expect(started.bulkOperation.status).toBe('CREATED');
    const seen = new Set<string>(['CREATED']);
    const done = await waitDone(gql, started.bulkOperation.id, seen);
    expect(seen).toEqual(new Set(['CREATED', 'RUNNING', 'COMPLETED']));
    expect(done).toMatchObject({ status: 'COMPLETED', errorCode: null, rootObjectCount: '260', partialDataUrl: null });
    expect(done.completedAt).toEqual(expect.any(String));

    const lines = await download(done.url);
    expect(String(lines.length)).toBe(done.objectCount);
    expect(Number(done.fileSize)).toBeGreaterThan(1000);
    // No grouping: somewhere a child comes before its parent.
    const position = new Map(lines.map((l, i) => [l.id, i]));
    expect(lines.some((l, i) => l.__parentId && (position.get(l.__parentId) as number) > i)).toBe(true);
    // Inventory levels hang off their variant (the nearest connection node), not the inventory item.
    const level = lines.find((l) => (l.id as string).startsWith('gid://shopify/InventoryLevel/'));
    expect(level?.__parentId).toMatch(/^gid:\/\/shopify\/ProductVariant\//);
    expect(lines.every((l) => !('edges' in l) && !('variants' in l) && !('media' in l))).toBe(true);

    const rebuilt = reconstruct(lines);
    expect(rebuilt).toEqual(expectedFrom(shop.catalog()));

    // The same products by paging.
    const paged: string[] = [];
    let after: string | null = null;
    for (;;) {
      const r = await gql(ops.ProductIds as string, { after });
      paged.push(...r.body.data.products.nodes.map((n: { id: string }) => n.id));
      if (!r.body.data.products.pageInfo.hasNextPage) break;
      after = r.body.data.products.pageInfo.endCursor;
    }
    expect(rebuilt.map((p) => p.id)).toEqual([...paged].sort());
  });

  it('applies the query filter, and serves the result only with a valid signature', async () => {
    shop.setBulkBehaviour({ startDelayMs: 0, chunkDelayMs: 0 });
    const started = await run(gql, ops.BulkProductsExport as string);
    const done = await waitDone(gql, started.bulkOperation.id);
    const expected = shop.catalog().filter((p) => p.updatedAt > '2026-01-01T00:00:00Z').length;
    expect(expected).toBeGreaterThan(0);
    expect(done.rootObjectCount).toBe(String(expected));
    const tampered = done.url.replace(/signature=[0-9a-f]/, 'signature=x');
    expect((await fetch(tampered)).status).toBe(403);
  });

  it('keeps children after their parent with groupObjects, and returns no URL for an empty result', async () => {
    const grouped = await gql(
      'mutation($q: String!) { bulkOperationRunQuery(query: $q, groupObjects: true) { bulkOperation { id } userErrors { message } } }',
      { q: '{ products { edges { node { id variants { edges { node { id } } } } } } }' },
    );
    const done = await waitDone(gql, grouped.body.data.bulkOperationRunQuery.bulkOperation.id);
    const lines = await download(done.url);
    const seen = new Set<string>();
    for (const l of lines) {
      if (l.__parentId) expect(seen.has(l.__parentId)).toBe(true);
      seen.add(l.id as string);
    }
    const empty = await run(gql, `{ products(query: "title:'no such product'") { edges { node { id } } } }`);
    const none = await waitDone(gql, empty.bulkOperation.id);
    expect(none).toMatchObject({ status: 'COMPLETED', objectCount: '0', url: null });
  });

  it('exports a single object’s connections with the object as parent', async () => {
    const p = shop.catalog({ limit: 4 })[3] as SimProduct;
    const r = await run(gql, `{ product(id: "${p.id}") { id title variants { edges { node { id sku } } } } }`);
    const done = await waitDone(gql, r.bulkOperation.id);
    const lines = await download(done.url);
    expect(done.rootObjectCount).toBe('1');
    expect(lines.filter((l) => l.__parentId === p.id).map((l) => l.id)).toEqual(p.variants.map((v) => v.id));
    expect(lines.find((l) => l.id === p.id)).toEqual({ id: p.id, title: p.title });
  });

  it('lists operations newest first', async () => {
    const r = await gql(ops.RecentBulkOperations as string);
    const nodes = r.body.data.bulkOperations.nodes;
    expect(nodes.length).toBeGreaterThanOrEqual(4);
    const created = nodes.map((n: { createdAt: string }) => n.createdAt);
    expect([...created].sort().reverse()).toEqual(created);
    expect(nodes[0]).toMatchObject({ type: 'QUERY', status: 'COMPLETED' });
  });
});

describe('bulk limits and cancel', () => {
  it('allows 5 at once per shop, then LIMIT_REACHED; cancel goes CANCELING → CANCELED', async () => {
    const shop = sim.addShop({ domain: 'bulk-limit.myshopify.com', products: 5 });
    const gql = adminClient(sim.origin, shop);
    shop.setBulkBehaviour({ startDelayMs: 60_000 });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await run(gql, '{ products { edges { node { id } } } }');
      expect(r.userErrors).toEqual([]);
      ids.push(r.bulkOperation.id);
    }
    const sixth = await run(gql, '{ products { edges { node { id } } } }');
    expect(sixth.bulkOperation).toBeNull();
    expect(sixth.userErrors[0].code).toBe('LIMIT_REACHED');

    const cancel = await gql(ops.BulkOperationCancel as string, { id: ids[0] });
    expect(cancel.body.data.bulkOperationCancel).toEqual({
      bulkOperation: { id: ids[0], status: 'CANCELING' },
      userErrors: [],
    });
    expect((await waitDone(gql, ids[0] as string)).status).toBe('CANCELED');
    // The canceled one no longer counts: there is room for one more.
    const again = await run(gql, '{ products { edges { node { id } } } }');
    expect(again.userErrors).toEqual([]);
    expect(shop.stats().bulkOperations).toBe(6);
  });

  it('finishes a cancel of a running operation as CANCELED', async () => {
    const shop = sim.addShop({ domain: 'bulk-cancel.myshopify.com', products: 800 });
    const gql = adminClient(sim.origin, shop);
    shop.setBulkBehaviour({ startDelayMs: 0, chunkDelayMs: 200 });
    const r = await run(gql, '{ products { edges { node { id } } } }');
    await new Promise((res) => setTimeout(res, 50));
    await gql(ops.BulkOperationCancel as string, { id: r.bulkOperation.id });
    const done = await waitDone(gql, r.bulkOperation.id);
    expect(done.status).toBe('CANCELED');
    const late = await gql(ops.BulkOperationCancel as string, { id: r.bulkOperation.id });
    expect(late.body.data.bulkOperationCancel.userErrors[0].message).toMatch(/canceled/);
  });

  it('fails with partialDataUrl when told to', async () => {
    const shop = sim.addShop({ domain: 'bulk-fail.myshopify.com', products: 600 });
    const gql = adminClient(sim.origin, shop);
    shop.setBulkBehaviour({ startDelayMs: 0, failWith: 'TIMEOUT' });
    const r = await run(gql, '{ products { edges { node { id } } } }');
    const done = await waitDone(gql, r.bulkOperation.id);
    expect(done).toMatchObject({ status: 'FAILED', errorCode: 'TIMEOUT', url: null });
    const partial = await download(done.partialDataUrl);
    expect(partial.length).toBe(250);
  });
});

describe('bulk query validation', () => {
  it.each([
    ['not a query', /Invalid bulk query/],
    ['{ shop { name } }', /at least one connection/],
    ['{ node(id: "gid://shopify/Product/1") { id } }', /node/],
    ['{ products { edges { node { variants { edges { node { id } } } } } } }', /must select the 'id' field/],
    [
      '{ products { edges { node { id variants { edges { node { id inventoryItem { inventoryLevels { edges { node { id location { inventoryLevels { edges { node { id } } } } } } } } } } } } } } }',
      /more than 2 levels deep/,
    ],
    [
      '{ products { edges { node { id a: media { edges { node { id } } } b: media { edges { node { id } } } c: media { edges { node { id } } } d: media { edges { node { id } } } e: media { edges { node { id } } } } } } }',
      /more than 5 connections/,
    ],
    ['mutation { bulkOperationCancel(id: "x") { userErrors { message } } }', /query operations/],
    ['{ products { edges { node { id } } } locations { edges { node { id } } } }', /one top-level field/],
  ])('%s is INVALID', async (query, message) => {
    const shop = sim.shops().includes('bulk-invalid.myshopify.com')
      ? sim.shop('bulk-invalid.myshopify.com')
      : sim.addShop({ domain: 'bulk-invalid.myshopify.com', products: 1 });
    const r = await run(adminClient(sim.origin, shop), query);
    expect(r.bulkOperation).toBeNull();
    expect(r.userErrors[0]).toMatchObject({
      field: ['query'],
      code: 'INVALID',
      message: expect.stringMatching(message),
    });
  });
});
