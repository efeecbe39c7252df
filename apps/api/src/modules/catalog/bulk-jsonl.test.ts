import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BulkLineParser, jsonlLines } from './bulk-jsonl.ts';

// A bulk export's lines may come in any order (children before parents): parsing must give each
// record the same content and each product's images the same positions, whatever the order of
// products relative to one another, as long as a product's own image lines keep their order.

const product = (p: number) => ({
  id: `gid://shopify/Product/${p}`,
  handle: `p-${p}`,
  title: `P ${p}`,
  descriptionHtml: '',
  status: 'ACTIVE',
  productType: '',
  vendor: 'V',
  tags: [],
  options: [],
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-02T00:00:00Z',
});
const image = (p: number, m: number) => ({
  id: `gid://shopify/MediaImage/${p * 10 + m}`,
  alt: null,
  mediaContentType: 'IMAGE',
  image: { url: `https://cdn/${p}/${m}.jpg`, width: 1, height: 1 },
  __parentId: `gid://shopify/Product/${p}`,
});
const variant = (p: number, v: number) => ({
  id: `gid://shopify/ProductVariant/${p * 10 + v}`,
  title: `V${v}`,
  sku: null,
  barcode: null,
  price: '1.00',
  compareAtPrice: null,
  position: v,
  updatedAt: '2026-01-02T00:00:00Z',
  inventoryPolicy: 'DENY',
  taxable: true,
  selectedOptions: [],
  inventoryItem: { id: `gid://shopify/InventoryItem/${p * 10 + v}`, tracked: true },
  __parentId: `gid://shopify/Product/${p}`,
});
const level = (p: number, v: number) => ({
  id: `gid://shopify/InventoryLevel/7?inventory_item_id=${p * 10 + v}`,
  updatedAt: null,
  location: { id: 'gid://shopify/Location/7' },
  quantities: [{ name: 'available', quantity: p + v }],
  __parentId: `gid://shopify/ProductVariant/${p * 10 + v}`,
});

/** Lines of a catalog: per product its own line, 0–3 images, 1–3 variants each with a level. */
const catalog = fc
  .array(fc.record({ images: fc.integer({ min: 0, max: 3 }), variants: fc.integer({ min: 1, max: 3 }) }), {
    minLength: 1,
    maxLength: 8,
  })
  .map((specs) =>
    specs.map((s, p) => [
      product(p),
      ...Array.from({ length: s.images }, (_, m) => image(p, m)),
      ...Array.from({ length: s.variants }, (_, v) => [variant(p, v), level(p, v)]).flat(),
    ]),
  );

function parseAll(lines: Record<string, unknown>[]) {
  const parser = new BulkLineParser();
  return lines.map((l) => parser.parse(l)).filter((r) => r !== undefined);
}

const byKey = (records: ReturnType<typeof parseAll>) =>
  Object.fromEntries(
    records.map((r) => [
      r.kind === 'level' ? `level:${r.record.inventoryItemGid}|${r.record.locationGid}` : `${r.kind}:${r.record.gid}`,
      r.record,
    ]),
  );

describe('bulk JSONL', () => {
  it('gives the same records in any order of lines, image positions following each product’s own order (property)', () => {
    fc.assert(
      fc.property(catalog, fc.integer(), (groups, seed) => {
        const inOrder = byKey(parseAll(groups.flat()));
        // Interleave the groups at random, keeping each product's lines in their relative order,
        // and put children before their parents (as Shopify may).
        const queues = groups.map((g) => [...g.slice(1), g[0]!]);
        const shuffled: Record<string, unknown>[] = [];
        let state = seed;
        while (queues.some((q) => q.length > 0)) {
          state = (state * 1103515245 + 12345) & 0x7fffffff;
          const live = queues.filter((q) => q.length > 0);
          shuffled.push(live[state % live.length]!.shift()!);
        }
        expect(byKey(parseAll(shuffled))).toEqual(inOrder);
      }),
      { numRuns: 200 },
    );
  });

  it('streams lines without holding the file, and names a broken line', async () => {
    const body = Readable.from([
      '{"id":"gid://shopify/Product/1"}\n',
      '\n{"id":',
      '"gid://shopify/Product/2"}\n',
      'not json\n',
    ]);
    const seen: unknown[] = [];
    await expect(async () => {
      for await (const line of jsonlLines(body)) seen.push(line.id);
    }).rejects.toThrow('Line 4 of the bulk export is not JSON.');
    expect(seen).toEqual(['gid://shopify/Product/1', 'gid://shopify/Product/2']);
  });
});
