import {
  combination,
  GENERATED_UNTIL,
  type GenParams,
  generatedUpdatedAt,
  generateHeader,
  generateProduct,
  imageUrl,
  isStocked,
  money,
  optionValue,
  type ProductHeader,
  slug,
} from './generate.ts';
import {
  emptyQuantities,
  type ItemRecord,
  type LevelRecord,
  type LocationRecord,
  type MediaRecord,
  ON_HAND_PARTS,
  type ProductRecord,
  type ProductStatus,
  type Quantities,
  type QuantityName,
  type VariantRecord,
} from './records.ts';
import { boundsFor, matches, type SearchQuery } from './search.ts';

// The shop's catalog. Untouched products are generated on demand from (seed, index); a product that
// changes (control edit, inventory change) is materialized into `touched` and lives there from then on.
// A page is a merge of the two sorted streams: generated products, whose ids and timestamps are monotonic
// in their index (so a cursor or an updated_at filter is a binary search), and the touched ones.

export interface Key {
  v: number | string;
  id: number;
}

export function compareKeys(a: Key, b: Key): number {
  if (a.v !== b.v) return a.v < b.v ? -1 : 1;
  return a.id - b.id;
}

export interface PageArgs {
  first?: number;
  last?: number;
  after?: Key;
  before?: Key;
  reverse?: boolean;
  query: SearchQuery;
  sortKey: string;
}

export interface Page<T> {
  items: Array<{ item: T; key: Key }>;
  hasNext: boolean;
  hasPrevious: boolean;
}

export interface VariantRef {
  product: ProductRecord;
  variant: VariantRecord;
}

export interface LevelRef {
  product: ProductRecord;
  variant: VariantRecord;
  level: LevelRecord;
}

export interface VariantInput {
  /** Updates only: the variant to change (numeric id or GID). Without it a new variant is added. */
  id?: string | number;
  optionValues?: string[];
  sku?: string | null;
  barcode?: string | null;
  price?: string;
  compareAtPrice?: string | null;
  taxable?: boolean;
  inventoryPolicy?: 'DENY' | 'CONTINUE';
  tracked?: boolean;
  /** New variants only: stock per location (numeric id, GID or index), as `available` or full quantities. */
  inventory?: Record<string, number | Partial<Quantities>>;
}

export interface ProductInput {
  title?: string;
  handle?: string;
  descriptionHtml?: string;
  status?: ProductStatus;
  vendor?: string;
  productType?: string;
  tags?: string[];
  options?: Array<{ name: string; values: string[] }>;
  /** Variant specs, or a count of generated variants. */
  variants?: VariantInput[] | number;
  media?: Array<{ url?: string; alt?: string | null; width?: number; height?: number }>;
}

export interface ProductPatch extends Omit<ProductInput, 'variants' | 'options'> {
  variants?: VariantInput[];
  removeVariants?: Array<string | number>;
}

const GEN_CACHE_SIZE = 3000;

export function numericId(id: string | number): number {
  if (typeof id === 'number') return id;
  const m = /(\d+)(?:\?.*)?$/.exec(id);
  return m ? Number(m[1]) : Number.NaN;
}

export class Catalog {
  readonly params: GenParams;
  readonly locations: LocationRecord[];
  /** Bumped on every change; sorted views of touched products are cached against it. */
  version = 0;
  private readonly now: () => number;
  private readonly deleted = new Set<number>();
  private readonly touched = new Map<number, ProductRecord>();
  /** Owner of each variant created after generation (generated ones are found by arithmetic). */
  private readonly variantOwner = new Map<number, number>();
  private readonly genCache = new Map<number, ProductRecord>();
  private readonly totalGeneratedVariants: number;
  private createdProducts = 0;
  private createdVariants = 0;
  private createdMedia = 0;
  private createdOptions = 0;
  private lastStamp = 0;
  private sortedCache = new Map<string, { version: number; value: unknown }>();

  constructor(params: GenParams, now: () => number) {
    this.params = params;
    this.locations = params.locations;
    this.now = now;
    this.totalGeneratedVariants = params.variantOffset[params.count] as number;
  }

  /** A whole-second timestamp that never goes backwards and always sorts after generated history. */
  stamp(): number {
    const t = Math.max(Math.floor(this.now() / 1000) * 1000, GENERATED_UNTIL + 1000, this.lastStamp);
    this.lastStamp = t;
    return t;
  }

  // ---- lookups ----

  private generatedIndex(productId: number): number {
    const i = productId - this.params.productBase;
    return Number.isInteger(i) && i >= 0 && i < this.params.count ? i : -1;
  }

  private generated(i: number): ProductRecord {
    const hit = this.genCache.get(i);
    if (hit) return hit;
    const p = generateProduct(this.params, i);
    if (this.genCache.size >= GEN_CACHE_SIZE) {
      const oldest = this.genCache.keys().next().value;
      if (oldest !== undefined) this.genCache.delete(oldest);
    }
    this.genCache.set(i, p);
    return p;
  }

  product(id: number): ProductRecord | undefined {
    if (this.deleted.has(id)) return undefined;
    const t = this.touched.get(id);
    if (t) return t;
    const i = this.generatedIndex(id);
    return i >= 0 ? this.generated(i) : undefined;
  }

  private productIndexOfVariantOffset(off: number): number {
    const offsets = this.params.variantOffset;
    let lo = 0;
    let hi = this.params.count - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((offsets[mid] as number) <= off) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private ownerOfVariant(variantId: number): number | undefined {
    const off = variantId - this.params.variantBase;
    if (!Number.isInteger(off) || off < 0) return undefined;
    if (off < this.totalGeneratedVariants) {
      return this.params.productBase + this.productIndexOfVariantOffset(off);
    }
    return this.variantOwner.get(variantId);
  }

  variant(id: number): VariantRef | undefined {
    const owner = this.ownerOfVariant(id);
    const product = owner === undefined ? undefined : this.product(owner);
    const variant = product?.variants.find((v) => v.id === id);
    return product && variant ? { product, variant } : undefined;
  }

  /** Inventory items map 1:1 onto variants: same offset from a different base. */
  item(id: number): VariantRef | undefined {
    return this.variant(id - this.params.itemBase + this.params.variantBase);
  }

  /** A media item by id: arithmetic for generated ones, a scan of changed products for the rest. */
  media(id: number): { product: ProductRecord; media: MediaRecord } | undefined {
    const off = id - this.params.mediaBase;
    if (Number.isInteger(off) && off >= 0 && off < this.params.count * 8) {
      const product = this.product(this.params.productBase + Math.floor(off / 8));
      const media = product?.media.find((m) => m.id === id);
      if (product && media) return { product, media };
    }
    for (const product of this.touched.values()) {
      const media = product.media.find((m) => m.id === id);
      if (media) return { product, media };
    }
    return undefined;
  }

  location(id: number): LocationRecord | undefined {
    return this.locations.find((l) => l.id === id);
  }

  level(itemId: number, locationId: number): LevelRef | undefined {
    const ref = this.item(itemId);
    const level = ref?.variant.item.levels.find((l) => l.locationId === locationId);
    return ref && level ? { ...ref, level } : undefined;
  }

  productCount(): number {
    let deletedGenerated = 0;
    for (const id of this.deleted) if (this.generatedIndex(id) >= 0) deletedGenerated++;
    let created = 0;
    for (const id of this.touched.keys()) if (this.generatedIndex(id) < 0) created++;
    return this.params.count - deletedGenerated + created;
  }

  /** Every live product in id order, generated as it is consumed (ground truth for tests). */
  *allProducts(): Generator<ProductRecord> {
    const args: PageArgs = { sortKey: 'ID', query: [] };
    const touched = this.touchedStream(
      this.touchedProducts('ID'),
      (p) => this.productKey(p, 'ID'),
      undefined,
      () => true,
    );
    for (const { item } of merge(this.generatedProducts(args), touched)) yield item;
  }

  // ---- search fields ----

  private productField(h: ProductHeader & { id: number }, full: () => ProductRecord, field: string) {
    switch (field) {
      case 'id':
        return h.id;
      case 'updated_at':
        return h.updatedAt;
      case 'created_at':
        return h.createdAt;
      case 'published_at':
        return full().publishedAt;
      case 'status':
        return h.status;
      case 'vendor':
        return h.vendor;
      case 'product_type':
        return h.productType;
      case 'tag':
        return h.tags;
      case 'title':
        return h.title;
      case 'handle':
        return h.handle;
      case 'sku':
        return full().variants.map((v) => v.sku ?? '');
      case 'barcode':
        return full().variants.map((v) => v.barcode ?? '');
      case 'gift_card':
        return 'false';
      case 'default':
        return [h.title, h.vendor, h.productType, ...h.tags];
      default:
        return undefined;
    }
  }

  private variantField(product: ProductRecord, v: VariantRecord, field: string) {
    switch (field) {
      case 'id':
        return v.id;
      case 'product_id':
        return product.id;
      case 'updated_at':
        return v.updatedAt;
      case 'created_at':
        return v.createdAt;
      case 'sku':
        return v.sku ?? '';
      case 'barcode':
        return v.barcode ?? '';
      case 'title':
        return v.title;
      case 'product_status':
        return product.status;
      case 'inventory_item_id':
        return v.item.id;
      case 'default':
        return [v.title, v.sku ?? '', v.barcode ?? '', product.title];
      default:
        return undefined;
    }
  }

  private levelField(v: VariantRecord, l: LevelRecord, field: string) {
    switch (field) {
      case 'inventory_item_id':
        return v.item.id;
      case 'updated_at':
        return l.updatedAt;
      case 'created_at':
        return l.createdAt;
      case 'sku':
        return v.sku ?? '';
      default:
        return undefined;
    }
  }

  // ---- index ranges over the generated stream ----

  /** First generated index whose timestamp is >= t. */
  private firstIndexUpdatedFrom(t: number): number {
    let lo = 0;
    let hi = this.params.count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (generatedUpdatedAt(this.params, mid) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private generatedProductRange(query: SearchQuery, idField: string): [number, number] {
    const b = boundsFor(query, 'updated_at', idField);
    let lo = 0;
    let hi = this.params.count;
    if (b.updatedFrom !== undefined) lo = Math.max(lo, this.firstIndexUpdatedFrom(b.updatedFrom));
    if (b.updatedTo !== undefined) hi = Math.min(hi, this.firstIndexUpdatedFrom(b.updatedTo));
    if (idField === 'id' && b.ids) {
      if (b.ids.from !== undefined)
        lo = Math.max(lo, Math.min(this.params.count, b.ids.from - this.params.productBase));
      if (b.ids.to !== undefined) hi = Math.min(hi, Math.max(0, b.ids.to - this.params.productBase));
    }
    return [lo, hi];
  }

  private cached<T>(name: string, build: () => T): T {
    const hit = this.sortedCache.get(name);
    if (hit && hit.version === this.version) return hit.value as T;
    const value = build();
    this.sortedCache.set(name, { version: this.version, value });
    if (this.sortedCache.size > 64) {
      const oldest = this.sortedCache.keys().next().value;
      if (oldest !== undefined) this.sortedCache.delete(oldest);
    }
    return value;
  }

  // ---- products ----

  private productKey(p: { id: number; updatedAt: number }, sortKey: string): Key {
    return sortKey === 'UPDATED_AT' ? { v: p.updatedAt, id: p.id } : { v: p.id, id: p.id };
  }

  private *generatedProducts(args: PageArgs): Generator<{ item: ProductRecord; key: Key }> {
    const p = this.params;
    let [lo, hi] = this.generatedProductRange(args.query, 'id');
    if (args.after) {
      // Keys grow with the index for both ID and UPDATED_AT, so the cursor position is a binary search.
      const after = args.after;
      let a = lo;
      let b = hi;
      while (a < b) {
        const mid = (a + b) >> 1;
        const key = this.productKey({ id: p.productBase + mid, updatedAt: generatedUpdatedAt(p, mid) }, args.sortKey);
        if (compareKeys(key, after) <= 0) a = mid + 1;
        else b = mid;
      }
      lo = a;
    }
    for (let i = lo; i < hi; i++) {
      const id = p.productBase + i;
      if (this.deleted.has(id) || this.touched.has(id)) continue;
      if (args.query.length) {
        const h = { ...generateHeader(p, i), id };
        if (!matches(args.query, (f) => this.productField(h, () => this.generated(i), f))) continue;
      }
      const item = new LazyProduct(p, i, () => this.generated(i));
      yield { item, key: this.productKey(item, args.sortKey) };
    }
  }

  private touchedProducts(sortKey: string): ProductRecord[] {
    return this.cached(`touched-products-${sortKey}`, () =>
      [...this.touched.values()].sort((a, b) => compareKeys(this.productKey(a, sortKey), this.productKey(b, sortKey))),
    );
  }

  private *touchedStream<T>(
    sorted: T[],
    keyOf: (t: T) => Key,
    after: Key | undefined,
    keep: (t: T) => boolean,
  ): Generator<{ item: T; key: Key }> {
    let lo = 0;
    if (after) {
      let hi = sorted.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (compareKeys(keyOf(sorted[mid] as T), after) <= 0) lo = mid + 1;
        else hi = mid;
      }
    }
    for (let i = lo; i < sorted.length; i++) {
      const t = sorted[i] as T;
      if (keep(t)) yield { item: t, key: keyOf(t) };
    }
  }

  pageProducts(args: PageArgs): Page<ProductRecord> {
    const fast = (args.sortKey === 'ID' || args.sortKey === 'UPDATED_AT') && !args.reverse && !args.before;
    if (fast && args.last === undefined) {
      const touched = this.touchedStream(
        this.touchedProducts(args.sortKey),
        (p) => this.productKey(p, args.sortKey),
        args.after,
        (p) => matches(args.query, (f) => this.productField({ ...p, id: p.id }, () => p, f)),
      );
      return takePage(merge(this.generatedProducts(args), touched), args);
    }
    return this.slowPage(
      `products|${args.sortKey}|${JSON.stringify(args.query)}`,
      () => this.allProductKeys(args),
      (id) => this.product(id),
      args,
    );
  }

  private productSortValue(p: ProductRecord, sortKey: string): number | string {
    switch (sortKey) {
      case 'UPDATED_AT':
        return p.updatedAt;
      case 'CREATED_AT':
        return p.createdAt;
      case 'TITLE':
        return p.title.toLowerCase();
      case 'VENDOR':
        return p.vendor.toLowerCase();
      case 'PRODUCT_TYPE':
        return p.productType.toLowerCase();
      case 'PUBLISHED_AT':
        return p.publishedAt ?? 0;
      case 'INVENTORY_TOTAL':
        return totalAvailable(p);
      default:
        return p.id;
    }
  }

  private allProductKeys(args: PageArgs): Key[] {
    const keys: Key[] = [];
    for (const { item } of merge(
      this.generatedProducts({ ...args, sortKey: 'ID', after: undefined }),
      this.touchedStream(
        this.touchedProducts('ID'),
        (p) => ({ v: p.id, id: p.id }),
        undefined,
        (p) => matches(args.query, (f) => this.productField({ ...p, id: p.id }, () => p, f)),
      ),
    )) {
      keys.push({ v: this.productSortValue(item, args.sortKey), id: item.id });
    }
    return keys.sort(compareKeys);
  }

  /** Any sort order, `last`/`before` and `reverse`: sort every matching key (cached until the next change). */
  private slowPage<T>(name: string, build: () => Key[], load: (id: number) => T | undefined, args: PageArgs): Page<T> {
    const asc = this.cached(name, build);
    const keys = args.reverse ? [...asc].reverse() : asc;
    const cmp = (a: Key, b: Key) => (args.reverse ? -compareKeys(a, b) : compareKeys(a, b));
    const firstAfter = (k: Key) => {
      let lo = 0;
      let hi = keys.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cmp(keys[mid] as Key, k) <= 0) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    const firstAtOrAfter = (k: Key) => {
      let lo = 0;
      let hi = keys.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cmp(keys[mid] as Key, k) < 0) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    const start = args.after ? firstAfter(args.after) : 0;
    const end = args.before ? firstAtOrAfter(args.before) : keys.length;
    let from = start;
    let to = end;
    if (args.first !== undefined) to = Math.min(to, from + args.first);
    if (args.last !== undefined) from = Math.max(from, to - args.last);
    const items: Array<{ item: T; key: Key }> = [];
    for (let i = from; i < to; i++) {
      const key = keys[i] as Key;
      const item = load(key.id);
      if (item !== undefined) items.push({ item, key });
    }
    return { items, hasNext: to < end, hasPrevious: from > start || (args.after !== undefined && from === start) };
  }

  // ---- variants ----

  private variantKey(v: VariantRecord): Key {
    return { v: v.id, id: v.id };
  }

  /** Generated variant offsets [lo, hi) that can match the query (product_id, id and updated_at bounds). */
  private generatedVariantRange(query: SearchQuery): [number, number] {
    const offsets = this.params.variantOffset;
    const [plo, phi] = this.generatedProductRange(query, 'product_id');
    let lo = offsets[plo] as number;
    let hi = offsets[phi] as number;
    const byProduct = boundsFor(query, 'updated_at', 'product_id').ids;
    if (byProduct) {
      const from = byProduct.from !== undefined ? byProduct.from - this.params.productBase : 0;
      const to = byProduct.to !== undefined ? byProduct.to - this.params.productBase : this.params.count;
      const clamp = (i: number) => Math.min(this.params.count, Math.max(0, i));
      lo = Math.max(lo, offsets[clamp(from)] as number);
      hi = Math.min(hi, offsets[clamp(to)] as number);
    }
    const byId = boundsFor(query, 'updated_at', 'id').ids;
    if (byId) {
      if (byId.from !== undefined) lo = Math.max(lo, byId.from - this.params.variantBase);
      if (byId.to !== undefined) hi = Math.min(hi, byId.to - this.params.variantBase);
    }
    return [Math.max(0, lo), Math.min(this.totalGeneratedVariants, hi)];
  }

  private *generatedVariants(query: SearchQuery, after: Key | undefined): Generator<{ item: VariantRef; key: Key }> {
    const p = this.params;
    const offsets = p.variantOffset;
    let [lo, hi] = this.generatedVariantRange(query);
    if (after) lo = Math.max(lo, Number(after.id) - p.variantBase + 1);
    for (const { pi, j } of this.untouchedVariantSlots(lo, hi)) {
      const product = this.generated(pi);
      const variant = product.variants[j - (offsets[pi] as number)] as VariantRecord;
      if (!query.length || matches(query, (f) => this.variantField(product, variant, f))) {
        yield { item: { product, variant }, key: this.variantKey(variant) };
      }
    }
  }

  /**
   * Generated-variant positions in [lo, hi) (product index, global variant offset), skipping the
   * products that were deleted or changed: those are served from the overlay instead.
   */
  private *untouchedVariantSlots(lo: number, hi: number): Generator<{ pi: number; j: number }> {
    const p = this.params;
    const offsets = p.variantOffset;
    if (lo >= hi) return;
    let pi = this.productIndexOfVariantOffset(lo);
    for (let j = lo; j < hi; ) {
      const end = offsets[pi + 1] as number;
      const pid = p.productBase + pi;
      if (this.deleted.has(pid) || this.touched.has(pid)) {
        j = end;
        pi++;
        continue;
      }
      yield { pi, j };
      j++;
      if (j >= end) pi++;
    }
  }

  private touchedVariants(): VariantRef[] {
    return this.cached('touched-variants', () => {
      const out: VariantRef[] = [];
      for (const product of this.touched.values())
        for (const variant of product.variants) out.push({ product, variant });
      return out.sort((a, b) => a.variant.id - b.variant.id);
    });
  }

  pageVariants(args: PageArgs): Page<VariantRef> {
    const keep = (r: VariantRef) => matches(args.query, (f) => this.variantField(r.product, r.variant, f));
    if (args.sortKey === 'ID' && !args.reverse && !args.before && args.last === undefined) {
      const touched = this.touchedStream(this.touchedVariants(), (r) => this.variantKey(r.variant), args.after, keep);
      return takePage(merge(this.generatedVariants(args.query, args.after), touched), args);
    }
    const build = () => {
      const keys: Key[] = [];
      const all = merge(
        this.generatedVariants(args.query, undefined),
        this.touchedStream(this.touchedVariants(), (r) => this.variantKey(r.variant), undefined, keep),
      );
      for (const { item } of all) keys.push({ v: variantSortValue(item, args.sortKey), id: item.variant.id });
      return keys.sort(compareKeys);
    };
    return this.slowPage(
      `variants|${args.sortKey}|${JSON.stringify(args.query)}`,
      build,
      (id) => this.variant(id),
      args,
    );
  }

  // ---- inventory levels of one location, in inventory item order ----

  private *generatedLevels(
    locationIndex: number,
    query: SearchQuery,
    after: Key | undefined,
  ): Generator<{ item: LevelRef; key: Key }> {
    const p = this.params;
    const offsets = p.variantOffset;
    const location = this.locations[locationIndex];
    if (!location) return;
    let [lo, hi] = this.generatedVariantRange(withoutField(query, 'id'));
    const byItem = boundsFor(query, 'updated_at', 'inventory_item_id').ids;
    if (byItem) {
      if (byItem.from !== undefined) lo = Math.max(lo, byItem.from - p.itemBase);
      if (byItem.to !== undefined) hi = Math.min(hi, byItem.to - p.itemBase);
    }
    if (after) lo = Math.max(lo, Number(after.id) - p.itemBase + 1);
    for (const { pi, j } of this.untouchedVariantSlots(lo, hi)) {
      if (!isStocked(p, j, locationIndex)) continue;
      const product = this.generated(pi);
      const variant = product.variants[j - (offsets[pi] as number)] as VariantRecord;
      const level = variant.item.levels.find((l) => l.locationId === location.id) as LevelRecord;
      if (!query.length || matches(query, (f) => this.levelField(variant, level, f))) {
        yield { item: { product, variant, level }, key: { v: variant.item.id, id: variant.item.id } };
      }
    }
  }

  private touchedLevels(locationId: number): LevelRef[] {
    return this.cached(`touched-levels-${locationId}`, () => {
      const out: LevelRef[] = [];
      for (const product of this.touched.values()) {
        for (const variant of product.variants) {
          const level = variant.item.levels.find((l) => l.locationId === locationId);
          if (level) out.push({ product, variant, level });
        }
      }
      return out.sort((a, b) => a.variant.item.id - b.variant.item.id);
    });
  }

  pageLocationLevels(locationId: number, args: PageArgs): Page<LevelRef> {
    const index = this.locations.findIndex((l) => l.id === locationId);
    const keep = (r: LevelRef) => matches(args.query, (f) => this.levelField(r.variant, r.level, f));
    const keyOf = (r: LevelRef) => ({ v: r.variant.item.id, id: r.variant.item.id });
    if (!args.reverse && !args.before && args.last === undefined) {
      const touched = this.touchedStream(this.touchedLevels(locationId), keyOf, args.after, keep);
      return takePage(merge(this.generatedLevels(index, args.query, args.after), touched), args);
    }
    const build = () => {
      const keys: Key[] = [];
      const all = merge(
        this.generatedLevels(index, args.query, undefined),
        this.touchedStream(this.touchedLevels(locationId), keyOf, undefined, keep),
      );
      for (const { key } of all) keys.push(key);
      return keys;
    };
    return this.slowPage(
      `levels|${locationId}|${JSON.stringify(args.query)}`,
      build,
      (itemId) => this.level(itemId, locationId),
      args,
    );
  }

  // ---- changes ----

  /** Moves a product out of the generated stream so it can be changed. */
  touch(productId: number): ProductRecord | undefined {
    if (this.deleted.has(productId)) return undefined;
    const existing = this.touched.get(productId);
    if (existing) return existing;
    const i = this.generatedIndex(productId);
    if (i < 0) return undefined;
    // A fresh copy: the cached one may still be referenced by a response being serialized.
    const p = generateProduct(this.params, i);
    this.genCache.delete(i);
    this.touched.set(productId, p);
    this.version++;
    return p;
  }

  private newVariant(
    product: ProductRecord,
    input: VariantInput,
    position: number,
    optionValues: string[],
    at: number,
  ): VariantRecord {
    const index = this.totalGeneratedVariants + this.createdVariants++;
    const id = this.params.variantBase + index;
    this.variantOwner.set(id, product.id);
    const levels: LevelRecord[] = [];
    const stock = input.inventory;
    this.locations.forEach((loc, li) => {
      if (!loc.isActive) return;
      let spec: number | Partial<Quantities> | undefined;
      if (stock) {
        spec = stock[String(loc.id)] ?? stock[`gid://shopify/Location/${loc.id}`] ?? stock[String(li)];
        if (spec === undefined) return;
      }
      const q = emptyQuantities();
      if (typeof spec === 'number') q.available = spec;
      else if (spec) Object.assign(q, spec);
      q.on_hand = ON_HAND_PARTS.reduce((s, n) => s + q[n], 0);
      levels.push({ locationId: loc.id, quantities: q, createdAt: at, updatedAt: at });
    });
    const item: ItemRecord = {
      id: this.params.itemBase + index,
      tracked: input.tracked ?? true,
      requiresShipping: true,
      createdAt: at,
      updatedAt: at,
      levels,
    };
    return {
      id,
      productId: product.id,
      title: optionValues.join(' / '),
      sku: input.sku === undefined ? `SIM-${product.id}-${position}` : input.sku,
      barcode: input.barcode ?? null,
      price: input.price ?? '10.00',
      compareAtPrice: input.compareAtPrice ?? null,
      position,
      optionValues,
      taxable: input.taxable ?? true,
      inventoryPolicy: input.inventoryPolicy ?? 'DENY',
      createdAt: at,
      updatedAt: at,
      item,
    };
  }

  createProduct(input: ProductInput = {}): ProductRecord {
    const at = this.stamp();
    const n = this.createdProducts++;
    const id = this.params.productBase + this.params.count + n;
    const title = input.title ?? `Sim Product ${this.params.count + n + 1}`;
    const product: ProductRecord = {
      id,
      handle: input.handle ?? `${slug(title)}-${id}`,
      title,
      descriptionHtml: input.descriptionHtml ?? `<p>${title}</p>`,
      status: input.status ?? 'ACTIVE',
      productType: input.productType ?? '',
      vendor: input.vendor ?? 'Sim Vendor',
      tags: [...(input.tags ?? [])].sort(),
      createdAt: at,
      updatedAt: at,
      publishedAt: (input.status ?? 'ACTIVE') === 'ACTIVE' ? at : null,
      options: [],
      media: [],
      variants: [],
    };
    let specs: VariantInput[];
    let optionDefs = input.options;
    if (typeof input.variants === 'number') {
      const count = Math.max(1, Math.min(2048, Math.floor(input.variants)));
      const sizes = count === 1 ? [] : count <= 12 ? [count] : [Math.ceil(count / 12), 12];
      const names = ['Color', 'Size'].slice(2 - sizes.length);
      optionDefs = sizes.length
        ? names.map((name, d) => ({
            name,
            values: Array.from({ length: sizes[d] as number }, (_, k) => optionValue(name, k)),
          }))
        : undefined;
      specs = Array.from({ length: count }, (_, k) => ({
        optionValues: sizes.length
          ? combination(sizes, k).map((v, d) => optionValue(names[d] as string, v))
          : undefined,
        price: money(10 + k),
      }));
    } else specs = input.variants?.length ? input.variants : [{}];
    const options = optionDefs?.length ? optionDefs : [{ name: 'Title', values: ['Default Title'] }];
    product.options = options.map((o, d) => ({
      id: this.params.optionBase + this.params.count * 4 + this.createdOptions++,
      name: o.name,
      position: d + 1,
      values: [...o.values],
    }));
    product.variants = specs.map((spec, k) => {
      const values =
        spec.optionValues ??
        (optionDefs?.length
          ? combination(
              options.map((o) => o.values.length),
              k,
            ).map((v, d) => options[d]?.values[v] ?? '')
          : ['Default Title']);
      return this.newVariant(product, spec, k + 1, values, at);
    });
    product.media = (input.media ?? []).map((m, k) => this.newMedia(product, m, k, at));
    this.touched.set(id, product);
    this.version++;
    return product;
  }

  private newMedia(product: ProductRecord, m: NonNullable<ProductInput['media']>[number], k: number, at: number) {
    return {
      id: this.params.mediaBase + this.params.count * 8 + this.createdMedia++,
      alt: m.alt ?? null,
      url: m.url ?? imageUrl(this.params.shopNumber, `${product.handle}-${k + 1}`, at),
      width: m.width ?? 1200,
      height: m.height ?? 1200,
      createdAt: at,
    };
  }

  updateProduct(id: number, patch: ProductPatch): ProductRecord | undefined {
    const product = this.touch(id);
    if (!product) return undefined;
    const at = this.stamp();
    if (patch.title !== undefined) product.title = patch.title;
    if (patch.handle !== undefined) product.handle = patch.handle;
    if (patch.descriptionHtml !== undefined) product.descriptionHtml = patch.descriptionHtml;
    if (patch.status !== undefined) {
      product.status = patch.status;
      if (patch.status === 'ACTIVE' && product.publishedAt === null) product.publishedAt = at;
    }
    if (patch.vendor !== undefined) product.vendor = patch.vendor;
    if (patch.productType !== undefined) product.productType = patch.productType;
    if (patch.tags !== undefined) product.tags = [...patch.tags].sort();
    if (patch.media !== undefined) product.media = patch.media.map((m, k) => this.newMedia(product, m, k, at));
    if (patch.removeVariants?.length) {
      const remove = new Set(patch.removeVariants.map(numericId));
      product.variants = product.variants.filter((v) => !remove.has(v.id));
      product.variants.forEach((v, k) => {
        v.position = k + 1;
      });
    }
    for (const spec of patch.variants ?? []) {
      if (spec.id !== undefined) {
        const v = product.variants.find((x) => x.id === numericId(spec.id as string | number));
        if (!v) throw new Error(`variant ${spec.id} is not on product ${id}`);
        if (spec.sku !== undefined) v.sku = spec.sku;
        if (spec.barcode !== undefined) v.barcode = spec.barcode;
        if (spec.price !== undefined) v.price = spec.price;
        if (spec.compareAtPrice !== undefined) v.compareAtPrice = spec.compareAtPrice;
        if (spec.taxable !== undefined) v.taxable = spec.taxable;
        if (spec.inventoryPolicy !== undefined) v.inventoryPolicy = spec.inventoryPolicy;
        if (spec.tracked !== undefined) v.item.tracked = spec.tracked;
        if (spec.optionValues !== undefined) {
          v.optionValues = spec.optionValues;
          v.title = spec.optionValues.join(' / ');
        }
        v.updatedAt = at;
      } else {
        const position = product.variants.length + 1;
        const values = spec.optionValues ?? product.options.map((o) => `${o.name} ${position}`);
        product.variants.push(this.newVariant(product, spec, position, values, at));
      }
    }
    // Keep option values in step with the variants that use them.
    product.options.forEach((o, d) => {
      const used = [...new Set(product.variants.map((v) => v.optionValues[d]).filter((x): x is string => !!x))];
      const known = o.values.filter((x) => used.includes(x));
      o.values = [...known, ...used.filter((x) => !known.includes(x))];
    });
    product.updatedAt = at;
    this.version++;
    return product;
  }

  deleteProduct(id: number): ProductRecord | undefined {
    const product = this.product(id);
    if (!product) return undefined;
    this.touched.delete(id);
    this.genCache.delete(this.generatedIndex(id));
    this.deleted.add(id);
    this.version++;
    return product;
  }

  /**
   * Sets one quantity of one level and keeps on_hand consistent: changing a state that is part of on_hand
   * moves on_hand by the same delta, and changing on_hand moves available.
   */
  setQuantity(
    itemId: number,
    locationId: number,
    name: QuantityName,
    value: number,
  ): { ref: LevelRef; changes: Array<{ name: QuantityName; delta: number; after: number }> } | undefined {
    const found = this.item(itemId);
    if (!found) return undefined;
    const product = this.touch(found.product.id);
    const variant = product?.variants.find((v) => v.item.id === itemId);
    const level = variant?.item.levels.find((l) => l.locationId === locationId);
    if (!product || !variant || !level) return undefined;
    const delta = value - level.quantities[name];
    const changes: Array<{ name: QuantityName; delta: number; after: number }> = [];
    level.quantities[name] = value;
    changes.push({ name, delta, after: value });
    if (name === 'on_hand') {
      level.quantities.available += delta;
      changes.push({ name: 'available', delta, after: level.quantities.available });
    } else if (ON_HAND_PARTS.includes(name)) {
      level.quantities.on_hand += delta;
      changes.push({ name: 'on_hand', delta, after: level.quantities.on_hand });
    }
    level.updatedAt = this.stamp();
    this.version++;
    return { ref: { product, variant, level }, changes };
  }
}

/**
 * A generated product whose header is known and whose variants, options and media are generated only
 * when read: listing ids or titles of 250 products then costs microseconds, not milliseconds.
 */
class LazyProduct implements ProductRecord {
  readonly id: number;
  readonly handle: string;
  readonly title: string;
  readonly status: ProductStatus;
  readonly productType: string;
  readonly vendor: string;
  readonly tags: string[];
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly publishedAt: number | null;
  private readonly load: () => ProductRecord;

  constructor(p: GenParams, i: number, load: () => ProductRecord) {
    const h = generateHeader(p, i);
    this.id = p.productBase + i;
    this.handle = h.handle;
    this.title = h.title;
    this.status = h.status;
    this.productType = h.productType;
    this.vendor = h.vendor;
    this.tags = h.tags;
    this.createdAt = h.createdAt;
    this.updatedAt = h.updatedAt;
    this.publishedAt = h.status === 'ACTIVE' ? h.createdAt : null;
    this.load = load;
  }

  get descriptionHtml() {
    return this.load().descriptionHtml;
  }

  get options() {
    return this.load().options;
  }

  get media() {
    return this.load().media;
  }

  get variants() {
    return this.load().variants;
  }
}

function withoutField(query: SearchQuery, field: string): SearchQuery {
  return query.map((g) => g.filter((t) => t.field !== field));
}

function variantSortValue(r: VariantRef, sortKey: string): number | string {
  switch (sortKey) {
    case 'SKU':
      return r.variant.sku ?? '';
    case 'TITLE':
      return r.variant.title.toLowerCase();
    case 'FULL_TITLE':
    case 'NAME':
      return `${r.product.title} - ${r.variant.title}`.toLowerCase();
    case 'POSITION':
      return r.product.id * 10_000 + r.variant.position;
    case 'INVENTORY_QUANTITY':
      return r.variant.item.levels.reduce((s, l) => s + l.quantities.available, 0);
    default:
      return r.variant.id;
  }
}

export function totalAvailable(p: ProductRecord): number {
  let sum = 0;
  for (const v of p.variants) for (const l of v.item.levels) sum += l.quantities.available;
  return sum;
}

function* merge<T>(
  a: Iterator<{ item: T; key: Key }>,
  b: Iterator<{ item: T; key: Key }>,
): Generator<{ item: T; key: Key }> {
  let x = a.next();
  let y = b.next();
  while (!x.done || !y.done) {
    if (y.done || (!x.done && compareKeys(x.value.key, y.value.key) <= 0)) {
      yield (x as IteratorYieldResult<{ item: T; key: Key }>).value;
      x = a.next();
    } else {
      yield y.value;
      y = b.next();
    }
  }
}

function takePage<T>(stream: Iterator<{ item: T; key: Key }>, args: PageArgs): Page<T> {
  const limit = args.first ?? Number.POSITIVE_INFINITY;
  const items: Array<{ item: T; key: Key }> = [];
  let hasNext = false;
  for (let r = stream.next(); !r.done; r = stream.next()) {
    if (items.length >= limit) {
      hasNext = true;
      break;
    }
    items.push(r.value);
  }
  return { items, hasNext, hasPrevious: args.after !== undefined };
}
