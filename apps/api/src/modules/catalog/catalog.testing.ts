import type { ShopHandle } from '@invpro/shopify-sim';
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import type { CatalogScope } from './catalog.queries.ts';
import { QUANTITY_NAMES } from './schema.ts';

// The proof of the sync: the copy, field by field, against the simulator's ground truth. Used by
// the sync tests and the benchmarks; every difference is named (kind, GID, field, both values).

const money = (v: string | null | undefined) => (v === null || v === undefined ? null : Number(v).toFixed(2));
const time = (v: string | Date | null | undefined) => (v ? new Date(v).getTime() : null);
const text = (v: string | null | undefined) => (v ? v : null);

type Row = Record<string, unknown>;

/** JSON with object keys sorted: jsonb does not keep key order, and order is no difference. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_k, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );

function diffRows(kind: string, expected: Map<string, Row>, actual: Map<string, Row>, out: string[], limit: number) {
  for (const [key, want] of expected) {
    const got = actual.get(key);
    if (!got) {
      out.push(`${kind} ${key}: missing from the copy`);
      continue;
    }
    for (const [field, value] of Object.entries(want)) {
      const a = canonical(got[field]);
      const b = canonical(value);
      if (a !== b) out.push(`${kind} ${key}: ${field} is ${a}, Shopify has ${b}`);
      if (out.length >= limit) return;
    }
  }
  for (const key of actual.keys()) {
    if (!expected.has(key)) out.push(`${kind} ${key}: in the copy, not in Shopify`);
    if (out.length >= limit) return;
  }
}

/**
 * Every difference between the copy of `scope` and the store, up to `limit`: products (every field
 * the products API shows, derived ones included), variants, images, inventory levels with every
 * quantity name, locations. Products Shopify no longer has must be soft-deleted in the copy.
 */
export async function copyDifferences(
  db: Database,
  scope: CatalogScope,
  shop: ShopHandle,
  limit = 50,
): Promise<string[]> {
  const catalog = shop.catalog();
  const locations = shop.locations();
  const active = new Set(locations.filter((l) => l.isActive).map((l) => l.id));
  const expected = {
    products: new Map<string, Row>(),
    variants: new Map<string, Row>(),
    images: new Map<string, Row>(),
    levels: new Map<string, Row>(),
  };
  for (const p of catalog) {
    const images = p.media.filter((m) => m.image?.url);
    const prices = p.variants.map((v) => Number(v.price));
    const stock = p.variants
      .filter((v) => v.inventoryItem.tracked !== false)
      .flatMap((v) => v.inventoryItem.inventoryLevels)
      .filter((l) => active.has(l.location.id))
      .reduce((sum, l) => sum + l.quantities.available, 0);
    expected.products.set(p.id, {
      handle: p.handle,
      title: p.title,
      description_html: p.descriptionHtml,
      status: p.status,
      product_type: p.productType,
      vendor: p.vendor,
      tags: p.tags,
      options: p.options.map((o) => ({ name: o.name, position: o.position, values: o.values })),
      created: time(p.createdAt),
      updated: time(p.updatedAt),
      price_min: prices.length ? Math.min(...prices).toFixed(2) : null,
      price_max: prices.length ? Math.max(...prices).toFixed(2) : null,
      variants_count: p.variants.length,
      total_inventory: stock,
      image: images[0]
        ? {
            url: images[0].image.url,
            alt_text: text(images[0].alt),
            width: images[0].image.width,
            height: images[0].image.height,
          }
        : null,
    });
    for (const [i, m] of images.entries()) {
      expected.images.set(m.id, {
        product_gid: p.id,
        url: m.image.url,
        alt_text: text(m.alt),
        width: m.image.width,
        height: m.image.height,
        position: i + 1,
      });
    }
    for (const v of p.variants) {
      expected.variants.set(v.id, {
        product_gid: p.id,
        title: v.title,
        sku: text(v.sku),
        barcode: text(v.barcode),
        price: money(v.price),
        compare_at_price: money(v.compareAtPrice),
        position: v.position,
        selected_options: v.selectedOptions,
        inventory_policy: v.inventoryPolicy,
        taxable: v.taxable,
        inventory_item_gid: v.inventoryItem.id,
        tracked: v.inventoryItem.tracked,
      });
      for (const l of v.inventoryItem.inventoryLevels) {
        if (!active.has(l.location.id)) continue;
        expected.levels.set(
          `${v.inventoryItem.id}|${l.location.id}`,
          Object.fromEntries(QUANTITY_NAMES.map((n) => [n, l.quantities[n]])),
        );
      }
    }
  }

  const where = sql`org_id = ${scope.orgId} and connection_id = ${scope.connectionId}`;
  const rows = async (q: ReturnType<typeof sql>) => (await db.execute(q)).rows as Row[];
  const products = await rows(sql`
    select shopify_gid, handle, title, description_html, status, product_type, vendor, tags, options,
           shopify_created_at, shopify_updated_at, price_min, price_max, variants_count, total_inventory, image
    from catalog_products where ${where} and deleted_at is null`);
  const variants = await rows(sql`
    select shopify_gid, product_gid, title, sku, barcode, price, compare_at_price, position, selected_options,
           inventory_policy, taxable, inventory_item_gid, tracked
    from catalog_variants where ${where} and deleted_at is null`);
  const images = await rows(sql`
    select i.shopify_gid, i.product_gid, i.url, i.alt_text, i.width, i.height, i.position from catalog_images i
    join catalog_products p on p.org_id = i.org_id and p.connection_id = i.connection_id and p.shopify_gid = i.product_gid
    where i.org_id = ${scope.orgId} and i.connection_id = ${scope.connectionId} and p.deleted_at is null`);
  const levels = await rows(sql`
    select l.* from catalog_inventory_levels l
    join catalog_locations loc on loc.org_id = l.org_id and loc.connection_id = l.connection_id
      and loc.shopify_gid = l.location_gid and loc.is_active
    where l.org_id = ${scope.orgId} and l.connection_id = ${scope.connectionId}`);
  const actual = {
    products: new Map(
      products.map((r) => [
        r.shopify_gid as string,
        { ...r, created: time(r.shopify_created_at as string), updated: time(r.shopify_updated_at as string) },
      ]),
    ),
    variants: new Map(
      variants.map((r) => [
        r.shopify_gid as string,
        { ...r, price: money(r.price as string), compare_at_price: money(r.compare_at_price as string | null) },
      ]),
    ),
    images: new Map(images.map((r) => [r.shopify_gid as string, r])),
    levels: new Map(levels.map((r) => [`${r.inventory_item_gid}|${r.location_gid}`, r])),
  };
  const out: string[] = [];
  diffRows('product', expected.products, actual.products, out, limit);
  diffRows('variant', expected.variants, actual.variants, out, limit);
  diffRows('image', expected.images, actual.images, out, limit);
  diffRows('level', expected.levels, actual.levels, out, limit);
  const copiedLocations = await rows(
    sql`select shopify_gid, name, is_active from catalog_locations where ${where} and deleted_at is null`,
  );
  diffRows(
    'location',
    new Map(locations.map((l) => [l.id, { name: l.name, is_active: l.isActive }])),
    new Map(copiedLocations.map((r) => [r.shopify_gid as string, r])),
    out,
    limit,
  );
  return out.slice(0, limit);
}

/**
 * `count` edits in the store, as a busy merchant makes them: two title changes for every stock
 * change, round after round over the catalog (the webhook burst of the tests and the benchmark).
 */
export function makeEdits(shop: ShopHandle, count: number): void {
  const products = shop.catalog();
  let edits = 0;
  for (let round = 0; edits < count; round++) {
    for (const p of products) {
      if (edits >= count) break;
      const level = p.variants[0]!.inventoryItem.inventoryLevels[0];
      if (edits % 3 === 2 && level) {
        shop.setInventory({
          inventoryItemId: p.variants[0]!.inventoryItem.id,
          locationId: level.location.id,
          quantity: round * 10 + edits,
        });
      } else {
        shop.updateProduct(p.id, { title: `${p.title.split(' #')[0]} #${round}` });
      }
      edits++;
    }
  }
}
