// In-memory shapes of the fake shop's data. Ids are the numeric part of Shopify GIDs; times are epoch ms
// with whole seconds, as Shopify's timestamps have no fractions.

export const QUANTITY_NAMES = [
  'available',
  'on_hand',
  'committed',
  'incoming',
  'reserved',
  'damaged',
  'safety_stock',
  'quality_control',
] as const;
export type QuantityName = (typeof QUANTITY_NAMES)[number];
export type Quantities = Record<QuantityName, number>;

/** States that together make up on_hand (incoming is not on hand yet). */
export const ON_HAND_PARTS: readonly QuantityName[] = [
  'available',
  'committed',
  'reserved',
  'damaged',
  'safety_stock',
  'quality_control',
];

export type ProductStatus = 'ACTIVE' | 'DRAFT' | 'ARCHIVED';

export interface LocationRecord {
  id: number;
  name: string;
  isActive: boolean;
  fulfillsOnlineOrders: boolean;
  shipsInventory: boolean;
  address: {
    address1: string;
    address2: string | null;
    city: string;
    province: string;
    provinceCode: string;
    country: string;
    countryCode: string;
    zip: string;
    phone: string | null;
  };
  createdAt: number;
  updatedAt: number;
}

export interface LevelRecord {
  locationId: number;
  quantities: Quantities;
  createdAt: number;
  updatedAt: number;
}

export interface ItemRecord {
  id: number;
  tracked: boolean;
  requiresShipping: boolean;
  createdAt: number;
  updatedAt: number;
  /** Sorted by location id. */
  levels: LevelRecord[];
}

export interface VariantRecord {
  id: number;
  productId: number;
  title: string;
  sku: string | null;
  barcode: string | null;
  price: string;
  compareAtPrice: string | null;
  position: number;
  /** One value per product option, in option order. */
  optionValues: string[];
  taxable: boolean;
  inventoryPolicy: 'DENY' | 'CONTINUE';
  createdAt: number;
  updatedAt: number;
  item: ItemRecord;
}

export interface OptionRecord {
  id: number;
  name: string;
  position: number;
  values: string[];
}

export interface MediaRecord {
  id: number;
  alt: string | null;
  url: string;
  width: number;
  height: number;
  createdAt: number;
}

export interface ProductRecord {
  id: number;
  handle: string;
  title: string;
  descriptionHtml: string;
  status: ProductStatus;
  productType: string;
  vendor: string;
  /** Sorted, as Shopify returns them. */
  tags: string[];
  createdAt: number;
  updatedAt: number;
  publishedAt: number | null;
  options: OptionRecord[];
  media: MediaRecord[];
  /** Sorted by position. */
  variants: VariantRecord[];
}

export function emptyQuantities(): Quantities {
  return {
    available: 0,
    on_hand: 0,
    committed: 0,
    incoming: 0,
    reserved: 0,
    damaged: 0,
    safety_stock: 0,
    quality_control: 0,
  };
}

export function gid(type: string, id: number | string): string {
  return `gid://shopify/${type}/${id}`;
}

export function levelGid(locationId: number, itemId: number): string {
  return `gid://shopify/InventoryLevel/${locationId}?inventory_item_id=${itemId}`;
}

/** Whole-second ISO 8601, the way Shopify prints DateTime. */
export function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
