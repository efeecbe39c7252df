import type { Quantities } from './schema.ts';
import { QUANTITY_NAMES } from './schema.ts';

// The catalog as the sync writes it, whatever it was read from: a GraphQL page, a bulk export's
// JSONL lines, or a webhook's refetch. One normalizer per Shopify shape, so every path stores the
// same thing for the same data.

export interface ProductRecord {
  gid: string;
  handle: string;
  title: string;
  descriptionHtml: string;
  status: 'ACTIVE' | 'DRAFT' | 'ARCHIVED';
  productType: string;
  vendor: string;
  tags: string[];
  options: { name: string; position: number; values: string[] }[];
  createdAt: string;
  updatedAt: string;
}

export interface VariantRecord {
  gid: string;
  productGid: string;
  title: string;
  sku: string | null;
  barcode: string | null;
  /** Decimal strings, as Shopify sends them. */
  price: string;
  compareAtPrice: string | null;
  position: number;
  selectedOptions: { name: string; value: string }[];
  inventoryPolicy: 'DENY' | 'CONTINUE';
  taxable: boolean;
  inventoryItemGid: string | null;
  tracked: boolean | null;
  updatedAt: string;
}

export interface ImageRecord {
  gid: string;
  productGid: string;
  url: string;
  altText: string | null;
  width: number | null;
  height: number | null;
  /** 1-based, in the product's media order (images only). */
  position: number;
}

export interface LevelRecord {
  inventoryItemGid: string;
  locationGid: string;
  quantities: Quantities;
  updatedAt: string | null;
}

export interface LocationRecord {
  gid: string;
  name: string;
  isActive: boolean;
  fulfillsOnlineOrders: boolean;
  shipsInventory: boolean;
  address: Record<string, string | null> | null;
}

/** GraphQL shapes (the fields operations.ts selects). */
export interface GqlVariant {
  id: string;
  title: string;
  sku: string | null;
  barcode: string | null;
  price: string;
  compareAtPrice: string | null;
  position: number;
  updatedAt: string;
  inventoryPolicy: 'DENY' | 'CONTINUE';
  taxable: boolean;
  selectedOptions: { name: string; value: string }[];
  inventoryItem: { id: string; tracked: boolean } | null;
}

export interface GqlMedia {
  id: string;
  alt: string | null;
  mediaContentType: string;
  image?: { url: string; width: number | null; height: number | null } | null;
}

export interface GqlProduct {
  id: string;
  handle: string;
  title: string;
  descriptionHtml: string;
  status: ProductRecord['status'];
  productType: string;
  vendor: string;
  tags: string[];
  createdAt: string;
  updatedAt: string;
  options: { name: string; position: number; values: string[] }[];
}

export interface GqlLevel {
  id: string;
  updatedAt: string | null;
  item?: { id: string } | null;
  location?: { id: string } | null;
  quantities: { name: string; quantity: number }[];
}

export function productRecord(p: GqlProduct): ProductRecord {
  return {
    gid: p.id,
    handle: p.handle,
    title: p.title,
    descriptionHtml: p.descriptionHtml ?? '',
    status: p.status,
    productType: p.productType ?? '',
    vendor: p.vendor ?? '',
    tags: [...(p.tags ?? [])],
    options: (p.options ?? []).map((o) => ({ name: o.name, position: o.position, values: [...o.values] })),
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}

export function variantRecord(productGid: string, v: GqlVariant): VariantRecord {
  return {
    gid: v.id,
    productGid,
    title: v.title,
    sku: v.sku || null,
    barcode: v.barcode || null,
    price: v.price,
    compareAtPrice: v.compareAtPrice ?? null,
    position: v.position,
    selectedOptions: (v.selectedOptions ?? []).map((o) => ({ name: o.name, value: o.value })),
    inventoryPolicy: v.inventoryPolicy,
    taxable: v.taxable,
    inventoryItemGid: v.inventoryItem?.id ?? null,
    tracked: v.inventoryItem?.tracked ?? null,
    updatedAt: v.updatedAt,
  };
}

/** A product's media in their order; non-image media (video, 3D models) are not images. */
export function imageRecords(productGid: string, media: GqlMedia[], firstPosition = 1): ImageRecord[] {
  const images: ImageRecord[] = [];
  for (const m of media) {
    if (!m.image?.url) continue;
    images.push({
      gid: m.id,
      productGid,
      url: m.image.url,
      altText: m.alt || null,
      width: m.image.width ?? null,
      height: m.image.height ?? null,
      position: firstPosition + images.length,
    });
  }
  return images;
}

/** Every quantity name, zero where Shopify did not answer one. */
export function quantitiesOf(list: { name: string; quantity: number }[]): Quantities {
  const out = Object.fromEntries(QUANTITY_NAMES.map((n) => [n, 0])) as Quantities;
  for (const q of list)
    if ((QUANTITY_NAMES as readonly string[]).includes(q.name)) out[q.name as keyof Quantities] = q.quantity;
  return out;
}

/**
 * `gid://shopify/InventoryLevel/<location id>?inventory_item_id=<item id>`: the level's GID names
 * both its location and its item, which saves a point a level (docs/shopify.md §2).
 */
export function parseLevelGid(gid: string): { inventoryItemGid: string; locationGid: string } | undefined {
  const match = /^gid:\/\/shopify\/InventoryLevel\/(\d+)\?(.*)$/.exec(gid);
  if (!match) return undefined;
  const item = new URLSearchParams(match[2]).get('inventory_item_id');
  if (!item || !/^\d+$/.test(item)) return undefined;
  return { inventoryItemGid: `gid://shopify/InventoryItem/${item}`, locationGid: `gid://shopify/Location/${match[1]}` };
}

/** A level read from a location's list (its location known) or from `nodes` / a bulk line (its own). */
export function levelRecord(level: GqlLevel, locationGid?: string): LevelRecord | undefined {
  const parsed = parseLevelGid(level.id);
  const inventoryItemGid = level.item?.id ?? parsed?.inventoryItemGid;
  const location = level.location?.id ?? locationGid ?? parsed?.locationGid;
  if (!inventoryItemGid || !location) return undefined;
  return {
    inventoryItemGid,
    locationGid: location,
    quantities: quantitiesOf(level.quantities ?? []),
    updatedAt: level.updatedAt ?? null,
  };
}

export function locationRecord(l: {
  id: string;
  name: string;
  isActive: boolean;
  fulfillsOnlineOrders?: boolean;
  shipsInventory?: boolean;
  address?: Record<string, string | null> | null;
}): LocationRecord {
  return {
    gid: l.id,
    name: l.name,
    isActive: l.isActive,
    fulfillsOnlineOrders: l.fulfillsOnlineOrders ?? false,
    shipsInventory: l.shipsInventory ?? false,
    address: l.address ?? null,
  };
}
