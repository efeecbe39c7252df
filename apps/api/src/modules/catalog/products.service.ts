import type { Database } from '../../db/client.ts';
import { withTenant } from '../../db/tenant.ts';
import { AppError } from '../../http/errors.ts';
import { assertMember } from '../accounts/team.service.ts';
import {
  findProduct,
  type LocationRow,
  levelsOfItems,
  listLocations as listLocationRows,
  listProducts as listProductRows,
  type Ordering,
  type ProductFilters,
  type ProductRow,
  productImages,
  productVariants,
} from './products.queries.ts';
import type { Quantities } from './schema.ts';

interface Actor {
  userId: string;
  orgId: string;
}

interface PageParams {
  limit: number;
  offset: number;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function productView(row: ProductRow) {
  return {
    id: row.id,
    shopify_id: row.shopifyGid,
    store: row.connectionId,
    title: row.title,
    handle: row.handle,
    description: row.descriptionHtml,
    status: row.status,
    product_type: row.productType,
    vendor: row.vendor,
    tags: row.tags,
    image: row.image,
    price_min: row.priceMin,
    price_max: row.priceMax,
    total_inventory: row.totalInventory,
    variants_count: row.variantsCount,
    shopify_created_at: row.shopifyCreatedAt.toISOString(),
    shopify_updated_at: row.shopifyUpdatedAt.toISOString(),
    synced_at: row.syncedAt.toISOString(),
    deleted_at: iso(row.deletedAt),
  };
}

/**
 * Inside the tenant, after asking the database whether the actor still belongs to it: a token
 * stays valid for minutes after its holder was removed.
 */
function asMember<T>(db: Database, actor: Actor, work: Parameters<typeof withTenant<T>>[2]): Promise<T> {
  return withTenant(
    db,
    actor.orgId,
    async (tx) => {
      await assertMember(tx, actor);
      return work(tx);
    },
    actor.userId,
  );
}

export async function listProducts(
  db: Database,
  actor: Actor,
  filters: Omit<ProductFilters, 'orgId'>,
  page: PageParams & { ordering: Ordering },
) {
  const { count, rows } = await asMember(db, actor, (tx) =>
    listProductRows(tx, { ...filters, orgId: actor.orgId }, page),
  );
  return { count, results: rows.map(productView) };
}

export async function getProduct(db: Database, actor: Actor, id: string) {
  return asMember(db, actor, async (tx) => {
    const product = await findProduct(tx, actor.orgId, id);
    if (!product) throw new AppError('not_found', 'No product with that id in this organization.');
    const key = { orgId: actor.orgId, connectionId: product.connectionId, productGid: product.shopifyGid };
    const [images, variants] = [await productImages(tx, key), await productVariants(tx, key)];
    const items = variants.map((v) => v.inventoryItemGid).filter((gid): gid is string => gid !== null);
    const levels = await levelsOfItems(tx, key, items);
    return {
      ...productView(product),
      options: product.options.map((o) => ({ name: o.name, values: o.values })),
      images: images.map((i) => ({
        url: i.url,
        alt_text: i.altText,
        width: i.width,
        height: i.height,
        position: i.position,
      })),
      variants: variants.map((v) => {
        const own = levels.filter((l) => v.inventoryItemGid !== null && l.inventoryItemGid === v.inventoryItemGid);
        return {
          id: v.id,
          shopify_id: v.shopifyGid,
          title: v.title,
          sku: v.sku,
          barcode: v.barcode,
          price: v.price,
          compare_at_price: v.compareAtPrice,
          position: v.position,
          selected_options: v.selectedOptions,
          // Sellable stock: what is available at locations that are active, as total_inventory counts it.
          inventory_quantity: own
            .filter((l) => l.location.isActive)
            .reduce((sum, l) => sum + l.quantities.available, 0),
          inventory_levels: own.map((l) => ({
            location: {
              id: l.location.id,
              shopify_id: l.location.shopifyGid,
              name: l.location.name,
              is_active: l.location.isActive,
            },
            quantities: l.quantities as Quantities,
          })),
        };
      }),
    };
  });
}

function locationView(row: LocationRow) {
  return {
    id: row.id,
    shopify_id: row.shopifyGid,
    store: row.connectionId,
    name: row.name,
    is_active: row.isActive,
    fulfills_online_orders: row.fulfillsOnlineOrders,
    ships_inventory: row.shipsInventory,
    address: row.address,
    product_count: row.productCount,
    totals: row.totals,
  };
}

export async function listLocations(
  db: Database,
  actor: Actor,
  filters: { store?: string | undefined },
  page: PageParams,
) {
  const { count, rows } = await asMember(db, actor, (tx) =>
    listLocationRows(tx, { ...filters, orgId: actor.orgId }, page),
  );
  return { count, results: rows.map(locationView) };
}
