import { sql } from 'drizzle-orm';
import type { Database } from '../../apps/api/src/db/client.ts';
import { withTenant } from '../../apps/api/src/db/tenant.ts';
import { refreshProductAggregates } from '../../apps/api/src/modules/catalog/catalog.queries.ts';

// A large catalog for one store, written set-based (generate_series), then its derived columns
// computed by the sync's own refreshProductAggregates, as a real sync leaves them. The shape
// follows a real store: 1–3 variants a product, an image or two, levels at 3 locations, 1% deleted.

/** Title words: `<adjective> <noun> <n>`, so one adjective matches about 1 product in 30. */
// biome-ignore format: a word list reads better packed
export const ADJECTIVES = [
  'walnut', 'linen', 'copper', 'velvet', 'granite', 'amber', 'cedar', 'indigo', 'marble', 'saffron', 'ivory',
  'cobalt', 'olive', 'russet', 'slate', 'pewter', 'coral', 'birch', 'onyx', 'hazel', 'maple', 'pearl',
  'rustic', 'scarlet', 'teal', 'umber', 'willow', 'azure', 'bronze', 'charcoal',
];
// biome-ignore format: a word list reads better packed
const NOUNS = [
  'chair', 'lamp', 'table', 'mug', 'vase', 'rug', 'shelf', 'stool', 'bowl', 'candle', 'mirror', 'clock',
  'basket', 'cushion', 'blanket', 'frame', 'planter', 'tray', 'jar', 'bench',
];
const VENDORS = Array.from({ length: 50 }, (_, i) => `Vendor ${String(i + 1).padStart(2, '0')}`);
const TYPES = Array.from({ length: 20 }, (_, i) => `Type ${i + 1}`);
const TAGS = Array.from({ length: 40 }, (_, i) => `tag-${i + 1}`);

export interface SeedScope {
  orgId: string;
  connectionId: string;
}

const textArray = (values: string[]) => sql`${`{${values.map((v) => `"${v}"`).join(',')}}`}::text[]`;

/** Writes `products` products (and their children) for the store; returns the seconds it took. */
export async function seedCatalog(db: Database, scope: SeedScope, products: number): Promise<number> {
  const started = performance.now();
  const { orgId, connectionId } = scope;
  // As the database owner (the bench's superuser connection): set-based inserts, no policies to check.
  await db.execute(sql`
    insert into catalog_locations (org_id, id, connection_id, shopify_gid, name, is_active, fulfills_online_orders, ships_inventory, address)
    select ${orgId}, uuidv7(), ${connectionId}, 'gid://shopify/Location/' || n, 'Location ' || n, true, n = 1, true,
           jsonb_build_object('city', 'City ' || n, 'country', 'DE')
    from generate_series(1, 3) n`);
  await db.execute(sql`
    insert into catalog_products (org_id, id, connection_id, shopify_gid, handle, title, description_html, status,
      product_type, vendor, tags, options, shopify_created_at, shopify_updated_at, deleted_at)
    select ${orgId}, uuidv7(), ${connectionId}, 'gid://shopify/Product/' || i, 'product-' || i,
      initcap((${textArray(ADJECTIVES)})[1 + i % 30] || ' ' || (${textArray(NOUNS)})[1 + (i / 30) % 20]) || ' ' || i,
      '<p>Product ' || i || '</p>',
      case abs(hashint4(i)) % 20 when 0 then 'ARCHIVED' when 1 then 'DRAFT' when 2 then 'DRAFT' else 'ACTIVE' end,
      (${textArray(TYPES)})[1 + i % 20], (${textArray(VENDORS)})[1 + (i * 7) % 50],
      array[(${textArray(TAGS)})[1 + i % 40], (${textArray(TAGS)})[1 + (i * 13) % 40]],
      '[{"name":"Size","position":1,"values":["S","M","L"]}]'::jsonb,
      timestamptz '2024-01-01' + i * interval '5 minutes', timestamptz '2025-01-01' + ((i * 7919) % ${products}) * interval '3 minutes',
      case when i % 100 = 99 then now() end
    from generate_series(1, ${products}) i`);
  await db.execute(sql`
    insert into catalog_variants (org_id, id, connection_id, shopify_gid, product_gid, title, sku, barcode, price,
      compare_at_price, position, selected_options, inventory_policy, taxable, inventory_item_gid, tracked, shopify_updated_at, deleted_at)
    select ${orgId}, uuidv7(), ${connectionId}, 'gid://shopify/ProductVariant/' || (i * 10 + n), 'gid://shopify/Product/' || i,
      (array['S','M','L'])[n], 'SKU-' || i || '-' || n, lpad(((i * 10 + n)::bigint * 7919 % 1000000000)::text, 12, '40'),
      (5 + (i * 37 + n * 11) % 200) + 0.99, case when n = 1 then (10 + (i * 37) % 200) + 0.99 end, n,
      jsonb_build_array(jsonb_build_object('name', 'Size', 'value', (array['S','M','L'])[n])), 'DENY', true,
      'gid://shopify/InventoryItem/' || (i * 10 + n), true, timestamptz '2025-01-01',
      case when i % 100 = 99 then now() end
    from generate_series(1, ${products}) i, generate_series(1, 1 + i % 3) n`);
  await db.execute(sql`
    insert into catalog_images (org_id, id, connection_id, shopify_gid, product_gid, url, alt_text, width, height, position)
    select ${orgId}, uuidv7(), ${connectionId}, 'gid://shopify/MediaImage/' || (i * 10 + n), 'gid://shopify/Product/' || i,
      'https://cdn.example.com/p/' || i || '-' || n || '.jpg', case when n = 1 then 'Product ' || i end, 800, 600, n
    from generate_series(1, ${products}) i, generate_series(1, 1 + i % 2) n`);
  // Every variant at every location; about one product in ten has none available anywhere.
  await db.execute(sql`
    insert into catalog_inventory_levels (org_id, connection_id, inventory_item_gid, location_gid, available, on_hand,
      committed, incoming, reserved, damaged, safety_stock, quality_control)
    select ${orgId}, ${connectionId}, 'gid://shopify/InventoryItem/' || (i * 10 + n), 'gid://shopify/Location/' || loc,
      q, q + 2, 2, (i + loc) % 5, 0, (i % 11 = 0)::int, 1, 0
    from generate_series(1, ${products}) i, generate_series(1, 1 + i % 3) n, generate_series(1, 3) loc,
      lateral (select case when abs(hashint4(-i)) % 10 = 0 then 0 else (i * 31 + n * 7 + loc) % 40 end as q) quantity`);
  // Statistics first: planned against tables it believes empty, the aggregates' lateral joins become
  // sequential scans per product (3,000 products took over four minutes).
  await db.execute(
    sql`analyze catalog_products, catalog_variants, catalog_images, catalog_inventory_levels, catalog_locations`,
  );
  await withTenant(db, orgId, (tx) => refreshProductAggregates(tx, scope, null));
  await db.execute(
    sql`analyze catalog_products, catalog_variants, catalog_images, catalog_inventory_levels, catalog_locations`,
  );
  await db.execute(sql`vacuum (analyze) catalog_products`);
  return (performance.now() - started) / 1000;
}
