import {
  type ItemRecord,
  type LevelRecord,
  type LocationRecord,
  type MediaRecord,
  ON_HAND_PARTS,
  type OptionRecord,
  type ProductRecord,
  type ProductStatus,
  type Quantities,
  type VariantRecord,
} from './records.ts';
import { hash, Rng } from './rng.ts';

// Every product is a pure function of (seed, index): nothing is stored until a product changes, so a
// 100,000-product shop costs one typed array of variant offsets.

const DAY = 86_400_000;
/** Generated history ends here, safely before any clock the sim runs under, so live edits sort after it. */
export const GENERATED_UNTIL = Date.UTC(2026, 5, 1);
const GENERATED_SPAN = 3 * 365 * DAY;

const ADJECTIVES = [
  'Classic',
  'Modern',
  'Vintage',
  'Organic',
  'Premium',
  'Everyday',
  'Rugged',
  'Lightweight',
  'Deluxe',
  'Essential',
  'Urban',
  'Coastal',
  'Alpine',
  'Heritage',
  'Minimal',
  'Bold',
  'Soft',
  'Sturdy',
  'Elegant',
  'Compact',
];
const MATERIALS = [
  'Cotton',
  'Linen',
  'Wool',
  'Leather',
  'Canvas',
  'Denim',
  'Bamboo',
  'Ceramic',
  'Oak',
  'Steel',
  'Copper',
  'Glass',
  'Silk',
  'Hemp',
  'Merino',
  'Walnut',
];
const PRODUCT_TYPES = [
  'T-Shirt',
  'Hoodie',
  'Jacket',
  'Backpack',
  'Mug',
  'Candle',
  'Notebook',
  'Water Bottle',
  'Sneakers',
  'Scarf',
  'Hat',
  'Socks',
  'Blanket',
  'Lamp',
  'Wallet',
  'Belt',
  'Sunglasses',
  'Tote Bag',
  'Planter',
  'Cutting Board',
];
const VENDORS = [
  'Acme Goods',
  'Northwind Supply',
  'Blue Harbor',
  'Cedar & Pine',
  'Lumen Works',
  'Oak Street Co',
  'Atlas Outfitters',
  'Kite & Key',
  'Meridian Home',
  'Fable Studio',
  'Granite Gear',
  'Willow Lane',
];
const TAGS = [
  'new',
  'sale',
  'summer',
  'winter',
  'bestseller',
  'eco',
  'gift',
  'limited',
  'clearance',
  'featured',
  'handmade',
  'imported',
  'staff-pick',
  'bundle',
  'online-only',
];
const OPTION_VALUES: Record<string, readonly string[]> = {
  Color: [
    'Black',
    'White',
    'Navy',
    'Red',
    'Green',
    'Grey',
    'Beige',
    'Olive',
    'Burgundy',
    'Sky Blue',
    'Mustard',
    'Charcoal',
    'Coral',
    'Teal',
    'Lavender',
    'Sand',
  ],
  Size: ['XXS', 'XS', 'S', 'M', 'L', 'XL', 'XXL', '3XL', '4XL', '5XL', '6XL', '7XL'],
  Material: ['Cotton', 'Linen', 'Wool', 'Leather', 'Canvas', 'Denim', 'Bamboo', 'Silk', 'Hemp', 'Merino'],
  Style: ['Standard', 'Slim', 'Relaxed', 'Cropped', 'Long', 'Tall', 'Petite', 'Oversized', 'Fitted', 'Wide'],
};
const LOCATION_NAMES = [
  'Main Warehouse',
  'Downtown Store',
  'East Fulfillment Center',
  'Harbor Outlet',
  'West Coast Depot',
  'Airport Kiosk',
  'Mall Pop-up',
  'Returns Center',
];
const CITIES: Array<[string, string, string, string, string]> = [
  ['Toronto', 'Ontario', 'ON', 'Canada', 'CA'],
  ['New York', 'New York', 'NY', 'United States', 'US'],
  ['Boston', 'Massachusetts', 'MA', 'United States', 'US'],
  ['Seattle', 'Washington', 'WA', 'United States', 'US'],
  ['Los Angeles', 'California', 'CA', 'United States', 'US'],
  ['Chicago', 'Illinois', 'IL', 'United States', 'US'],
  ['Montreal', 'Quebec', 'QC', 'Canada', 'CA'],
  ['Austin', 'Texas', 'TX', 'United States', 'US'],
];

export interface GenParams {
  seed: number;
  count: number;
  shopNumber: number;
  productBase: number;
  variantBase: number;
  itemBase: number;
  mediaBase: number;
  optionBase: number;
  locations: LocationRecord[];
  /** variantOffset[i] = number of generated variants before product i; length count + 1. */
  variantOffset: Float64Array;
}

export function buildParams(o: {
  seed: number;
  count: number;
  domainHash: number;
  locations: number;
  inactiveLocations: number;
  /** Mean variants per product; unset: the merchant mix of `variantCount` (about 9). */
  variantsPerProduct?: number | undefined;
}): GenParams {
  const slot = o.domainHash % 1000;
  const variantOffset = new Float64Array(o.count + 1);
  const count = (i: number) =>
    o.variantsPerProduct === undefined ? variantCount(o.seed, i) : smallVariantCount(o.seed, i, o.variantsPerProduct);
  for (let i = 0; i < o.count; i++) variantOffset[i + 1] = (variantOffset[i] ?? 0) + count(i);
  const locations: LocationRecord[] = [];
  const total = o.locations + o.inactiveLocations;
  for (let k = 0; k < total; k++) {
    const r = new Rng(hash(o.seed, k, 11));
    const city = CITIES[(k + (o.domainHash % CITIES.length)) % CITIES.length] as (typeof CITIES)[number];
    const created = GENERATED_UNTIL - GENERATED_SPAN - (total - k) * 30 * DAY;
    locations.push({
      id: 60_000_000_000 + slot * 1000 + k + 1,
      name: LOCATION_NAMES[k % LOCATION_NAMES.length] + (k >= LOCATION_NAMES.length ? ` ${k + 1}` : ''),
      isActive: k < o.locations,
      fulfillsOnlineOrders: k === 0 || r.chance(0.5),
      shipsInventory: k === 0 || r.chance(0.7),
      address: {
        address1: `${r.int(1, 999)} ${r.pick(['King', 'Queen', 'Main', 'Harbor', 'Market', 'Elm'])} St`,
        address2: r.chance(0.3) ? `Unit ${r.int(1, 40)}` : null,
        city: city[0],
        province: city[1],
        provinceCode: city[2],
        country: city[3],
        countryCode: city[4],
        zip: city[4] === 'CA' ? `M5V ${r.int(1, 9)}A${r.int(1, 9)}` : String(r.int(10000, 99999)),
        phone: r.chance(0.6) ? `+1${r.int(2000000000, 9999999999)}` : null,
      },
      createdAt: created,
      updatedAt: created,
    });
  }
  return {
    seed: o.seed,
    count: o.count,
    shopNumber: 10_000 + (o.domainHash % 90_000),
    productBase: 7_000_000_000_000 + slot * 1_000_000_000,
    variantBase: 40_000_000_000_000 + slot * 10_000_000_000,
    itemBase: 43_000_000_000_000 + slot * 10_000_000_000,
    mediaBase: 30_000_000_000_000 + slot * 1_000_000_000,
    optionBase: 9_000_000_000_000 + slot * 1_000_000_000,
    locations,
    variantOffset,
  };
}

/** Mostly small products, some medium, 0.1 % (and index 3 of every shop) with more than 100 variants. */
export function variantCount(seed: number, i: number): number {
  const r = new Rng(hash(seed, i, 2));
  if (i % 1000 === 3) return r.int(101, 250);
  const x = r.next();
  if (x < 0.55) return r.int(1, 3);
  if (x < 0.85) return r.int(4, 12);
  if (x < 0.97) return r.int(13, 40);
  return r.int(41, 100);
}

/**
 * A catalog of smaller products (benchmarks sized like a merchant's "100,000 products, 250,000
 * variants"): 1 to 2×mean−1 variants, uniform; index 3 of every 1,000 still has more than 100.
 */
export function smallVariantCount(seed: number, i: number, mean: number): number {
  const r = new Rng(hash(seed, i, 2));
  if (i % 1000 === 3) return r.int(101, 250);
  return r.int(1, Math.max(1, Math.round(2 * mean - 1)));
}

/** Non-decreasing in i, so "updated_at > t" over untouched products is a binary search. */
export function generatedUpdatedAt(p: GenParams, i: number): number {
  const start = GENERATED_UNTIL - GENERATED_SPAN;
  const step = GENERATED_SPAN / (p.count + 1);
  return Math.floor((start + (i + 1) * step) / 1000) * 1000;
}

export function isStocked(p: GenParams, variantIndex: number, locationIndex: number): boolean {
  const loc = p.locations[locationIndex];
  if (!loc?.isActive) return false;
  return locationIndex === 0 || hash(p.seed, variantIndex, locationIndex, 7) % 100 < 65;
}

function slug(s: string): string {
  return s
    .toLowerCase()
    .replace(/&/g, 'and')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

function money(n: number): string {
  return (Math.round(n * 100) / 100).toFixed(2);
}

export interface ProductHeader {
  title: string;
  handle: string;
  vendor: string;
  productType: string;
  status: ProductStatus;
  tags: string[];
  createdAt: number;
  updatedAt: number;
}

/** The cheap part of a product (no variants), enough to filter and sort on. */
export function generateHeader(p: GenParams, i: number): ProductHeader {
  const r = new Rng(hash(p.seed, i, 1));
  const productType = r.pick(PRODUCT_TYPES);
  const title = `${r.pick(ADJECTIVES)} ${r.pick(MATERIALS)} ${productType}`;
  const vendor = r.pick(VENDORS);
  const x = r.next();
  const status: ProductStatus = x < 0.85 ? 'ACTIVE' : x < 0.95 ? 'DRAFT' : 'ARCHIVED';
  const tags = r.sample(TAGS, r.int(0, 4)).sort();
  const updatedAt = generatedUpdatedAt(p, i);
  const createdAt = updatedAt - r.int(0, 400) * DAY - r.int(0, 86_399) * 1000;
  return { title, handle: `${slug(title)}-${i + 1}`, vendor, productType, status, tags, createdAt, updatedAt };
}

function optionLayout(n: number, r: Rng): Array<{ name: string; size: number }> {
  if (n === 1) return [];
  if (n <= 12) return [{ name: r.pick(['Size', 'Color', 'Material', 'Style']), size: n }];
  if (n <= 144) {
    const a = Math.ceil(Math.sqrt(n));
    return [
      { name: 'Color', size: a },
      { name: 'Size', size: Math.ceil(n / a) },
    ];
  }
  const a = Math.ceil(Math.cbrt(n));
  const b = Math.ceil(Math.sqrt(n / a));
  return [
    { name: 'Color', size: a },
    { name: 'Size', size: b },
    { name: 'Material', size: Math.ceil(n / (a * b)) },
  ];
}

export function optionValue(name: string, k: number): string {
  const list = OPTION_VALUES[name];
  return list && k < list.length ? (list[k] as string) : `${name} ${k + 1}`;
}

/** Combination `k` of the option layout, first option varying slowest like Shopify's variant order. */
export function combination(sizes: readonly number[], k: number): number[] {
  const out = new Array<number>(sizes.length);
  let rest = k;
  for (let d = sizes.length - 1; d >= 0; d--) {
    const size = sizes[d] as number;
    out[d] = rest % size;
    rest = Math.floor(rest / size);
  }
  return out;
}

export function generateQuantities(r: Rng): Quantities {
  const q: Quantities = {
    available: r.chance(0.12) ? 0 : r.chance(0.03) ? -r.int(1, 3) : r.int(1, 150),
    on_hand: 0,
    committed: r.chance(0.6) ? 0 : r.int(1, 10),
    incoming: r.chance(0.7) ? 0 : r.int(5, 50),
    reserved: r.chance(0.85) ? 0 : r.int(1, 3),
    damaged: r.chance(0.9) ? 0 : r.int(1, 3),
    safety_stock: r.chance(0.9) ? 0 : r.int(1, 5),
    quality_control: r.chance(0.95) ? 0 : r.int(1, 2),
  };
  q.on_hand = ON_HAND_PARTS.reduce((sum, name) => sum + q[name], 0);
  return q;
}

export function generateProduct(p: GenParams, i: number): ProductRecord {
  const h = generateHeader(p, i);
  const r = new Rng(hash(p.seed, i, 3));
  const id = p.productBase + i;
  const n = (p.variantOffset[i + 1] as number) - (p.variantOffset[i] as number);
  const firstVariant = p.variantOffset[i] as number;

  const layout = optionLayout(n, r);
  const sizes = layout.map((o) => o.size);
  const combos = Array.from({ length: n }, (_, k) => (layout.length ? combination(sizes, k) : []));
  const options: OptionRecord[] = layout.length
    ? layout.map((o, d) => {
        const used = [...new Set(combos.map((c) => c[d] as number))].sort((a, b) => a - b);
        return {
          id: p.optionBase + i * 4 + d,
          name: o.name,
          position: d + 1,
          values: used.map((k) => optionValue(o.name, k)),
        };
      })
    : [{ id: p.optionBase + i * 4, name: 'Title', position: 1, values: ['Default Title'] }];

  const basePrice = r.int(5, 300) + r.pick([0.99, 0, 0.5, 0.95]);
  const onSale = r.chance(0.3);
  const vendorCode = h.vendor
    .replace(/[^A-Za-z]/g, '')
    .slice(0, 3)
    .toUpperCase();
  const variants: VariantRecord[] = combos.map((combo, k) => {
    const vr = new Rng(hash(p.seed, firstVariant + k, 4));
    const price = basePrice + (k % 3);
    const optionValues = layout.length ? combo.map((v, d) => optionValue(layout[d]?.name ?? '', v)) : ['Default Title'];
    const variantIndex = firstVariant + k;
    const levels: LevelRecord[] = [];
    p.locations.forEach((loc, li) => {
      if (!isStocked(p, variantIndex, li)) return;
      levels.push({
        locationId: loc.id,
        quantities: generateQuantities(new Rng(hash(p.seed, variantIndex, li, 5))),
        createdAt: h.createdAt,
        updatedAt: h.updatedAt,
      });
    });
    const item: ItemRecord = {
      id: p.itemBase + variantIndex,
      tracked: vr.chance(0.95),
      requiresShipping: true,
      createdAt: h.createdAt,
      updatedAt: h.updatedAt,
      levels,
    };
    return {
      id: p.variantBase + variantIndex,
      productId: id,
      title: optionValues.join(' / '),
      sku: vr.chance(0.94) ? `${vendorCode}-${String(i + 1).padStart(6, '0')}-${k + 1}` : null,
      barcode: vr.chance(0.7)
        ? `${String(hash(p.seed, variantIndex, 9))
            .padStart(10, '0')
            .slice(0, 10)}012`
        : null,
      price: money(price),
      compareAtPrice: onSale ? money(price * 1.25) : null,
      position: k + 1,
      optionValues,
      taxable: vr.chance(0.9),
      inventoryPolicy: vr.chance(0.85) ? 'DENY' : 'CONTINUE',
      createdAt: h.createdAt,
      updatedAt: h.updatedAt,
      item,
    };
  });

  const mediaCount = r.chance(0.15) ? 0 : r.int(1, 5);
  const media: MediaRecord[] = Array.from({ length: mediaCount }, (_, k) => ({
    id: p.mediaBase + i * 8 + k,
    alt: r.chance(0.6) ? `${h.title} image ${k + 1}` : null,
    url: imageUrl(p.shopNumber, `${h.handle}-${k + 1}`, h.createdAt),
    width: r.pick([800, 1200, 1600, 2048]),
    height: r.pick([800, 1200, 1600, 2048]),
    createdAt: h.createdAt,
  }));

  return {
    id,
    handle: h.handle,
    title: h.title,
    descriptionHtml: `<p>${h.title} by ${h.vendor}. ${r.pick(['Made to last.', 'A customer favourite.', 'Limited run.', 'Designed in-house.'])}</p>`,
    status: h.status,
    productType: h.productType,
    vendor: h.vendor,
    tags: h.tags,
    createdAt: h.createdAt,
    updatedAt: h.updatedAt,
    publishedAt: h.status === 'ACTIVE' ? h.createdAt : null,
    options,
    media,
    variants,
  };
}

export function imageUrl(shopNumber: number, name: string, version: number): string {
  return `https://cdn.shopify.com/s/files/1/0${shopNumber}/files/${name}.jpg?v=${Math.floor(version / 1000)}`;
}

export { ADJECTIVES, MATERIALS, money, OPTION_VALUES, PRODUCT_TYPES, slug, TAGS, VENDORS };
