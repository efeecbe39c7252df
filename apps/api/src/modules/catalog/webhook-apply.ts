import { sql } from 'drizzle-orm';
import type { Transaction } from '../../db/client.ts';
import { withTenant } from '../../db/tenant.ts';
import { QUEUES, sendInTransaction } from '../../jobs/boss.ts';
import { findConnection } from '../shopify/connections.queries.ts';
import type { ShopifyContext } from '../shopify/context.ts';
import { pendingCatalogEvents, settleEvents } from '../shopify/webhooks.service.ts';
import {
  type CatalogScope,
  productsOfItems,
  refreshProductAggregates,
  softDeleteProducts,
  upsertLevels,
  writeProductBundles,
} from './catalog.queries.ts';
import type { ImageRecord, LevelRecord, ProductRecord, VariantRecord } from './records.ts';
import { CatalogReader, type ProductBundle } from './shopify-reads.ts';

// Catalog webhooks are hints (docs/shopify.md §6). A batch of one connection's deliveries is
// applied at once:
// - an update of a product the copy already holds, newer than the copy and complete (all its
//   variants known, none truncated), is applied from the payload: no Shopify call;
// - anything else (a new product, more than 100 variants, a deletion, stock) is read back from
//   Shopify with the connection's own token, batched with `nodes(ids:)`: a burst of a thousand
//   deliveries costs a handful of calls;
// - nothing makes the copy older: payloads apply only over an older `updated_at`, and what Shopify
//   answers is the truth of now.
// A body signed for another store and replayed under this one names GIDs this store does not
// have: nothing in the copy matches, and Shopify answers null for them with this store's token.

const BATCH_EVENTS = 2_000;
/** Products read back per call (each completed to all its variants and media when it has more). */
const PRODUCTS_PER_READ = 10;
const LEVELS_PER_READ = 250;
const ITEMS_PER_READ = 50;

interface RestVariant {
  admin_graphql_api_id?: string;
  title?: string;
  sku?: string | null;
  barcode?: string | null;
  price?: string;
  compare_at_price?: string | null;
  position?: number;
  inventory_policy?: string;
  taxable?: boolean;
  inventory_item_id?: number | string;
  option1?: string | null;
  option2?: string | null;
  option3?: string | null;
  updated_at?: string;
}

interface RestProduct {
  admin_graphql_api_id?: string;
  id?: number | string;
  title?: string;
  body_html?: string | null;
  handle?: string;
  status?: string;
  product_type?: string;
  vendor?: string;
  tags?: string;
  options?: { name: string; position: number; values: string[] }[];
  variants?: RestVariant[];
  media?: {
    admin_graphql_api_id?: string;
    alt?: string | null;
    media_content_type?: string;
    preview_image?: { src?: string; width?: number; height?: number } | null;
  }[];
  created_at?: string;
  updated_at?: string;
}

const productGidOf = (payload: RestProduct): string | undefined =>
  payload.admin_graphql_api_id ?? (payload.id !== undefined ? `gid://shopify/Product/${payload.id}` : undefined);

/** Shopify caps a webhook's variants at 100: a product with that many may have more. */
const TRUNCATED_AT = 100;

/** A REST payload as records, with what only the copy knows (inventory items' `tracked`). */
export function bundleFromPayload(
  payload: RestProduct,
  known: Map<string, { tracked: boolean | null }>,
): ProductBundle | undefined {
  const gid = productGidOf(payload);
  if (!gid || !payload.updated_at || !payload.title || !payload.handle) return undefined;
  const variantsIn = payload.variants ?? [];
  if (variantsIn.length >= TRUNCATED_AT) return undefined;
  const options = (payload.options ?? []).map((o) => ({ name: o.name, position: o.position, values: [...o.values] }));
  const variants: VariantRecord[] = [];
  for (const v of variantsIn) {
    if (!v.admin_graphql_api_id || !known.has(v.admin_graphql_api_id)) return undefined; // a new variant: read it
    const values = [v.option1, v.option2, v.option3];
    variants.push({
      gid: v.admin_graphql_api_id,
      productGid: gid,
      title: v.title ?? '',
      sku: v.sku || null,
      barcode: v.barcode || null,
      price: v.price ?? '0.00',
      compareAtPrice: v.compare_at_price ?? null,
      position: v.position ?? 0,
      selectedOptions: options
        .slice(0, 3)
        .map((o, i) => ({ name: o.name, value: values[i] ?? '' }))
        .filter((_o, i) => values[i] !== null && values[i] !== undefined),
      inventoryPolicy: v.inventory_policy?.toUpperCase() === 'CONTINUE' ? 'CONTINUE' : 'DENY',
      taxable: v.taxable ?? true,
      inventoryItemGid: v.inventory_item_id !== undefined ? `gid://shopify/InventoryItem/${v.inventory_item_id}` : null,
      tracked: known.get(v.admin_graphql_api_id)!.tracked,
      updatedAt: new Date(v.updated_at ?? payload.updated_at).toISOString(),
    });
  }
  const images: ImageRecord[] = [];
  for (const m of payload.media ?? []) {
    if (m.media_content_type !== 'IMAGE' || !m.admin_graphql_api_id || !m.preview_image?.src) continue;
    images.push({
      gid: m.admin_graphql_api_id,
      productGid: gid,
      url: m.preview_image.src,
      altText: m.alt || null,
      width: m.preview_image.width ?? null,
      height: m.preview_image.height ?? null,
      position: images.length + 1,
    });
  }
  const status = (payload.status ?? 'active').toUpperCase() as ProductRecord['status'];
  const product: ProductRecord = {
    gid,
    handle: payload.handle,
    title: payload.title,
    descriptionHtml: payload.body_html ?? '',
    status: ['ACTIVE', 'DRAFT', 'ARCHIVED'].includes(status) ? status : 'ACTIVE',
    productType: payload.product_type ?? '',
    vendor: payload.vendor ?? '',
    tags: (payload.tags ?? '')
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean),
    options,
    createdAt: new Date(payload.created_at ?? payload.updated_at).toISOString(),
    updatedAt: new Date(payload.updated_at).toISOString(),
  };
  return { product, variants, images };
}

export interface ApplyReport {
  events: number;
  appliedFromPayload: number;
  readBack: number;
  deleted: number;
  ignored: number;
  shopifyCalls: number;
}

/** Apply the connection's pending catalog deliveries; queue the next batch when more are waiting. */
export async function applyCatalogWebhooks(
  ctx: ShopifyContext,
  job: { orgId: string; connectionId: string },
): Promise<ApplyReport> {
  const { orgId, connectionId } = job;
  const scope: CatalogScope = { orgId, connectionId };
  const report: ApplyReport = {
    events: 0,
    appliedFromPayload: 0,
    readBack: 0,
    deleted: 0,
    ignored: 0,
    shopifyCalls: 0,
  };
  const loaded = await withTenant(ctx.db, orgId, async (tx) => ({
    connection: await findConnection(tx, orgId, connectionId),
    events: await pendingCatalogEvents(tx, orgId, connectionId, BATCH_EVENTS),
  }));
  const { connection, events } = loaded;
  report.events = events.length;
  if (events.length === 0) return report;
  const settle = new Map<string, { status: 'processed' | 'ignored'; error?: string }>();
  if (!connection || !['connected', 'error'].includes(connection.state)) {
    for (const e of events)
      settle.set(e.id, { status: 'ignored', error: `The store is ${connection?.state ?? 'gone'}.` });
    await withTenant(ctx.db, orgId, (tx) => settleEvents(tx, orgId, settle));
    report.ignored = events.length;
    return report;
  }

  // Per product: the newest payload (by its own updated_at), and whether any delivery was a deletion.
  // Shopify's updated_at has whole seconds: two different payloads of one second are ambiguous
  // (deliveries arrive in any order), and only a read tells which is the latest.
  const productHints = new Map<
    string,
    { payload: RestProduct | null; updatedAt: string; anyDelete: boolean; ambiguous: boolean; eventIds: string[] }
  >();
  const levelHints = new Map<string, { eventIds: string[] }>();
  for (const e of events) {
    const payload = e.payload as RestProduct;
    if (e.topic === 'products/create' || e.topic === 'products/update' || e.topic === 'products/delete') {
      const gid = productGidOf(payload);
      if (!gid) {
        settle.set(e.id, { status: 'ignored', error: 'The payload names no product.' });
        continue;
      }
      const hint = productHints.get(gid) ?? {
        payload: null,
        updatedAt: '',
        anyDelete: false,
        ambiguous: false,
        eventIds: [],
      };
      hint.eventIds.push(e.id);
      if (e.topic === 'products/delete') hint.anyDelete = true;
      else if (payload.updated_at) {
        const at = new Date(payload.updated_at).toISOString();
        if (at > hint.updatedAt) {
          hint.payload = payload;
          hint.updatedAt = at;
          hint.ambiguous = false;
        } else if (at === hint.updatedAt && JSON.stringify(payload) !== JSON.stringify(hint.payload)) {
          hint.ambiguous = true;
        }
      }
      productHints.set(gid, hint);
    } else if (e.topic === 'inventory_levels/update') {
      const gid = (e.payload as { admin_graphql_api_id?: string }).admin_graphql_api_id;
      if (!gid?.startsWith('gid://shopify/InventoryLevel/')) {
        settle.set(e.id, { status: 'ignored', error: 'The payload names no inventory level.' });
        continue;
      }
      const hint = levelHints.get(gid) ?? { eventIds: [] };
      hint.eventIds.push(e.id);
      levelHints.set(gid, hint);
    } else {
      settle.set(e.id, { status: 'processed' }); // bulk_operations/finish: the sync polls its operation
    }
  }

  // What the copy holds of those products and variants (this connection only).
  const gids = [...productHints.keys()];
  const copy = await withTenant(ctx.db, orgId, async (tx) => {
    const products = gids.length
      ? ((
          await tx.execute(sql`
            select shopify_gid, shopify_updated_at from catalog_products
            where org_id = ${orgId} and connection_id = ${connectionId} and shopify_gid = any(${sql.param(gids)}::text[])`)
        ).rows as { shopify_gid: string; shopify_updated_at: string }[])
      : [];
    const variants = gids.length
      ? ((
          await tx.execute(sql`
            select shopify_gid, tracked from catalog_variants
            where org_id = ${orgId} and connection_id = ${connectionId} and product_gid = any(${sql.param(gids)}::text[])`)
        ).rows as { shopify_gid: string; tracked: boolean | null }[])
      : [];
    return {
      products: new Map(products.map((p) => [p.shopify_gid, new Date(p.shopify_updated_at).toISOString()])),
      variants: new Map(variants.map((v) => [v.shopify_gid, { tracked: v.tracked }])),
    };
  });

  const fromPayload: ProductBundle[] = [];
  const toRead: string[] = [];
  for (const [gid, hint] of productHints) {
    const held = copy.products.get(gid);
    if (hint.anyDelete) {
      // Destructive: only Shopify's answer with this store's token may remove it.
      if (held) toRead.push(gid);
      else for (const id of hint.eventIds) settle.set(id, { status: 'ignored', error: 'Not a product of this store.' });
      continue;
    }
    if (held && hint.updatedAt < held) {
      for (const id of hint.eventIds) settle.set(id, { status: 'ignored', error: 'Older than the copy.' });
      continue;
    }
    // Same second as the copy, or as another payload: which one is the latest only Shopify knows.
    const certain = held && hint.payload && hint.updatedAt > held && !hint.ambiguous;
    const bundle = certain ? bundleFromPayload(hint.payload!, copy.variants) : undefined;
    if (bundle) fromPayload.push(bundle);
    else toRead.push(gid);
  }

  const reader = new CatalogReader({ ctx, orgId, connectionId, shop: connection.shopDomain });
  const readProducts = new Map<string, ProductBundle | null>();
  for (let i = 0; i < toRead.length; i += PRODUCTS_PER_READ) {
    for (const [gid, bundle] of await reader.productsById(toRead.slice(i, i + PRODUCTS_PER_READ))) {
      readProducts.set(gid, bundle);
    }
  }
  // Variants new to the copy bring stock the copy has never read: read their items' levels too.
  const newItems = [...readProducts.values()]
    .flatMap((b) => b?.variants ?? [])
    .filter((v) => !copy.variants.has(v.gid) && v.inventoryItemGid)
    .map((v) => v.inventoryItemGid!);
  const newItemLevels: LevelRecord[] = [];
  for (let i = 0; i < newItems.length; i += ITEMS_PER_READ) {
    newItemLevels.push(...(await reader.itemLevels(newItems.slice(i, i + ITEMS_PER_READ))));
  }
  const levelGids = [...levelHints.keys()];
  const readLevels = new Map<string, LevelRecord | null>();
  for (let i = 0; i < levelGids.length; i += LEVELS_PER_READ) {
    for (const [gid, level] of await reader.levelsById(levelGids.slice(i, i + LEVELS_PER_READ)))
      readLevels.set(gid, level);
  }
  report.shopifyCalls = reader.meter.requests;

  await withTenant(ctx.db, orgId, async (tx: Transaction) => {
    const bundles = [...fromPayload];
    const gone: string[] = [];
    for (const [gid, bundle] of readProducts) {
      if (bundle) bundles.push(bundle);
      else if (copy.products.has(gid)) gone.push(gid);
    }
    await writeProductBundles(tx, scope, bundles);
    await upsertLevels(tx, scope, newItemLevels);
    const removed = await softDeleteProducts(tx, scope, gone);
    report.appliedFromPayload = fromPayload.length;
    report.readBack = readProducts.size;
    report.deleted = removed.products;
    for (const [gid, hint] of productHints) {
      const answered = readProducts.get(gid);
      const outcome =
        readProducts.has(gid) && !answered && !copy.products.has(gid)
          ? { status: 'ignored' as const, error: 'Shopify has no such product in this store.' }
          : { status: 'processed' as const };
      for (const id of hint.eventIds) if (!settle.has(id)) settle.set(id, outcome);
    }

    // Stock: only items of variants this store's copy holds.
    const levels = [...readLevels.values()].filter((l): l is LevelRecord => l !== null);
    const items = new Set(
      await productsOfItemsKnown(
        tx,
        scope,
        levels.map((l) => l.inventoryItemGid),
      ),
    );
    const ours = levels.filter((l) => items.has(l.inventoryItemGid));
    const written = await upsertLevels(tx, scope, ours);
    const touched = [...written.changed.map((k) => k.split('|')[0]!), ...newItemLevels.map((l) => l.inventoryItemGid)];
    if (touched.length > 0) {
      const changedItems = [...new Set(touched)];
      await refreshProductAggregates(tx, scope, await productsOfItems(tx, scope, changedItems));
    }
    for (const [gid, hint] of levelHints) {
      const level = readLevels.get(gid);
      const outcome =
        level && items.has(level.inventoryItemGid)
          ? { status: 'processed' as const }
          : { status: 'ignored' as const, error: 'Not an inventory level of this store.' };
      for (const id of hint.eventIds) settle.set(id, outcome);
    }
    await settleEvents(tx, orgId, settle);
    report.ignored = [...settle.values()].filter((s) => s.status === 'ignored').length;
    if (events.length >= BATCH_EVENTS && ctx.jobs) {
      await sendInTransaction(
        tx,
        ctx.jobs,
        QUEUES.catalogWebhooks.name,
        { org_id: orgId, connection_id: connectionId },
        { singletonKey: connectionId },
      );
    }
  });
  return report;
}

/** Inventory items the copy holds a variant for. */
async function productsOfItemsKnown(tx: Transaction, scope: CatalogScope, itemGids: string[]): Promise<string[]> {
  if (itemGids.length === 0) return [];
  const result = await tx.execute(sql`
    select distinct inventory_item_gid from catalog_variants
    where org_id = ${scope.orgId} and connection_id = ${scope.connectionId} and inventory_item_gid = any(${sql.param(itemGids)}::text[])`);
  return (result.rows as { inventory_item_gid: string }[]).map((r) => r.inventory_item_gid);
}
