import { numericId, type ProductInput, type ProductPatch } from './catalog.ts';
import {
  gid,
  iso,
  type LevelRecord,
  type LocationRecord,
  levelGid,
  type ProductRecord,
  QUANTITY_NAMES,
  type Quantities,
  type QuantityName,
} from './records.ts';
import type { Sim } from './sim.ts';
import { type BulkBehaviour, emptyStats, type ShopState, type ShopStats, type WebhookDelivery } from './state.ts';
import { inventoryLevelPayload, productDeletePayload, productPayload } from './webhooks.ts';

// The control side of a shop: ground truth for tests (catalog(), product()) and changes made "in the
// Shopify admin" (createProduct, setInventory…), each of which delivers signed webhooks like Shopify.

export interface SimLevel {
  id: string;
  location: { id: string; name: string };
  updatedAt: string;
  quantities: Quantities;
}

export interface SimVariant {
  id: string;
  legacyResourceId: string;
  title: string;
  sku: string | null;
  barcode: string | null;
  price: string;
  compareAtPrice: string | null;
  position: number;
  createdAt: string;
  updatedAt: string;
  taxable: boolean;
  inventoryPolicy: 'DENY' | 'CONTINUE';
  selectedOptions: Array<{ name: string; value: string }>;
  inventoryItem: {
    id: string;
    legacyResourceId: string;
    tracked: boolean;
    sku: string | null;
    inventoryLevels: SimLevel[];
  };
}

export interface SimProduct {
  id: string;
  legacyResourceId: string;
  handle: string;
  title: string;
  descriptionHtml: string;
  status: 'ACTIVE' | 'DRAFT' | 'ARCHIVED';
  productType: string;
  vendor: string;
  tags: string[];
  createdAt: string;
  updatedAt: string;
  publishedAt: string | null;
  options: Array<{ id: string; name: string; position: number; values: string[] }>;
  media: Array<{
    id: string;
    alt: string | null;
    mediaContentType: 'IMAGE';
    status: 'READY';
    image: { url: string; width: number; height: number };
  }>;
  variants: SimVariant[];
}

export interface SimLocation {
  id: string;
  legacyResourceId: string;
  name: string;
  isActive: boolean;
  fulfillsOnlineOrders: boolean;
  shipsInventory: boolean;
  address: LocationRecord['address'];
}

export interface ControlOptions {
  /** Deliver the resulting webhook twice, with the same X-Shopify-Event-Id. */
  duplicate?: boolean;
}

export interface ShopCredentials {
  domain: string;
  name: string;
  plan: string;
  /** The custom app's offline token (null after uninstall). */
  accessToken: string | null;
  scopes: string[];
  apiKey: string;
  apiSecret: string;
  currency: string;
  products: number;
  locations: SimLocation[];
}

export interface ThrottleSettings {
  currentlyAvailable?: number;
  restoreRate?: number;
  maximumAvailable?: number;
  /** The app whose bucket to change: a registered app's client id; default the shop's own app. */
  clientId?: string;
}

export interface ShopHandle {
  readonly domain: string;
  readonly name: string;
  readonly plan: string;
  /** The shop's own app's current offline token (addShop's accessToken, or generated); null after uninstall. */
  readonly accessToken: string | null;
  readonly scopes: string[];
  /** Client id / secret of the shop's own app: client_credentials grant, and the key its webhooks are signed with. */
  readonly apiKey: string;
  readonly apiSecret: string;
  readonly currency: string;
  credentials(): ShopCredentials;
  createProduct(input?: ProductInput, o?: ControlOptions): SimProduct;
  updateProduct(id: string | number, patch: ProductPatch, o?: ControlOptions): SimProduct;
  deleteProduct(id: string | number, o?: ControlOptions): void;
  /** Sets one quantity (default `available`) of one level; on_hand follows as on Shopify. */
  setInventory(
    o: {
      inventoryItemId: string | number;
      locationId: string | number;
      quantity: number;
      name?: QuantityName;
    } & ControlOptions,
  ): SimLevel;
  product(id: string | number): SimProduct | null;
  /** Ground truth: every live product in id order (generates the whole catalog; use `limit` on big shops). */
  catalog(o?: { limit?: number }): SimProduct[];
  productCount(): number;
  locations(): SimLocation[];
  stats(): ShopStats;
  resetStats(): void;
  /** Webhook deliveries so far (newest last), with their bodies and outcome. */
  deliveries(): WebhookDelivery[];
  uninstall(o?: { clientId?: string } & ControlOptions): void;
  /** New offline token for the shop's own app after an uninstall. */
  reinstall(o?: { accessToken?: string }): string;
  setThrottle(o: ThrottleSettings): void;
  setBulkBehaviour(o: Partial<BulkBehaviour>): void;
  setWebhookBehaviour(o: { duplicate?: boolean }): void;
  /** Waits for pending webhook deliveries and bulk operations. */
  idle(): Promise<void>;
}

function levelOut(l: LevelRecord, itemId: number, loc: LocationRecord | undefined): SimLevel {
  const quantities = {} as Quantities;
  for (const n of QUANTITY_NAMES) quantities[n] = l.quantities[n];
  return {
    id: levelGid(l.locationId, itemId),
    location: { id: gid('Location', l.locationId), name: loc?.name ?? '' },
    updatedAt: iso(l.updatedAt),
    quantities,
  };
}

export function productOut(shop: ShopState, p: ProductRecord): SimProduct {
  return {
    id: gid('Product', p.id),
    legacyResourceId: String(p.id),
    handle: p.handle,
    title: p.title,
    descriptionHtml: p.descriptionHtml,
    status: p.status,
    productType: p.productType,
    vendor: p.vendor,
    tags: [...p.tags],
    createdAt: iso(p.createdAt),
    updatedAt: iso(p.updatedAt),
    publishedAt: p.publishedAt === null ? null : iso(p.publishedAt),
    options: p.options.map((o) => ({
      id: gid('ProductOption', o.id),
      name: o.name,
      position: o.position,
      values: [...o.values],
    })),
    media: p.media.map((m) => ({
      id: gid('MediaImage', m.id),
      alt: m.alt,
      mediaContentType: 'IMAGE',
      status: 'READY',
      image: { url: m.url, width: m.width, height: m.height },
    })),
    variants: p.variants.map((v) => ({
      id: gid('ProductVariant', v.id),
      legacyResourceId: String(v.id),
      title: v.title,
      sku: v.sku,
      barcode: v.barcode,
      price: v.price,
      compareAtPrice: v.compareAtPrice,
      position: v.position,
      createdAt: iso(v.createdAt),
      updatedAt: iso(v.updatedAt),
      taxable: v.taxable,
      inventoryPolicy: v.inventoryPolicy,
      selectedOptions: p.options.map((o, d) => ({ name: o.name, value: v.optionValues[d] ?? '' })),
      inventoryItem: {
        id: gid('InventoryItem', v.item.id),
        legacyResourceId: String(v.item.id),
        tracked: v.item.tracked,
        sku: v.sku,
        inventoryLevels: v.item.levels.map((l) => levelOut(l, v.item.id, shop.catalog.location(l.locationId))),
      },
    })),
  };
}

export function locationOut(l: LocationRecord): SimLocation {
  return {
    id: gid('Location', l.id),
    legacyResourceId: String(l.id),
    name: l.name,
    isActive: l.isActive,
    fulfillsOnlineOrders: l.fulfillsOnlineOrders,
    shipsInventory: l.shipsInventory,
    address: { ...l.address },
  };
}

function requireProduct(shop: ShopState, id: string | number): ProductRecord {
  const p = shop.catalog.product(numericId(id));
  if (!p) throw new Error(`product ${id} not found on ${shop.domain}`);
  return p;
}

export function shopHandle(sim: Sim, shop: ShopState): ShopHandle {
  const c = shop.catalog;
  return {
    domain: shop.domain,
    name: shop.name,
    plan: shop.plan,
    get accessToken() {
      return sim.customToken(shop.domain);
    },
    get scopes() {
      return [...(shop.installations.get('custom')?.scopes ?? [])];
    },
    apiKey: shop.apiKey,
    apiSecret: shop.apiSecret,
    currency: shop.currency,
    credentials: () => ({
      domain: shop.domain,
      name: shop.name,
      plan: shop.plan,
      accessToken: sim.customToken(shop.domain),
      scopes: [...(shop.installations.get('custom')?.scopes ?? [])],
      apiKey: shop.apiKey,
      apiSecret: shop.apiSecret,
      currency: shop.currency,
      products: c.productCount(),
      locations: c.locations.map(locationOut),
    }),
    createProduct: (input, o) => {
      const p = c.createProduct(input);
      sim.webhooks.emit(shop, 'PRODUCTS_CREATE', productPayload(p), o);
      return productOut(shop, p);
    },
    updateProduct: (id, patch, o) => {
      requireProduct(shop, id);
      const p = c.updateProduct(numericId(id), patch) as ProductRecord;
      sim.webhooks.emit(shop, 'PRODUCTS_UPDATE', productPayload(p), o);
      return productOut(shop, p);
    },
    deleteProduct: (id, o) => {
      requireProduct(shop, id);
      const p = c.deleteProduct(numericId(id)) as ProductRecord;
      sim.webhooks.emit(shop, 'PRODUCTS_DELETE', productDeletePayload(p), o);
    },
    setInventory: (o) => {
      const name = o.name ?? 'available';
      if (!(QUANTITY_NAMES as readonly string[]).includes(name)) throw new Error(`unknown quantity name ${name}`);
      const itemId = numericId(o.inventoryItemId);
      const locationId = numericId(o.locationId);
      const res = c.setQuantity(itemId, locationId, name, Math.trunc(o.quantity));
      if (!res) throw new Error(`no inventory level for item ${o.inventoryItemId} at location ${o.locationId}`);
      sim.webhooks.emit(shop, 'INVENTORY_LEVELS_UPDATE', inventoryLevelPayload(itemId, res.ref.level), o);
      return levelOut(res.ref.level, itemId, c.location(locationId));
    },
    product: (id) => {
      const p = c.product(numericId(id));
      return p ? productOut(shop, p) : null;
    },
    catalog: (o = {}) => {
      const out: SimProduct[] = [];
      for (const p of c.allProducts()) {
        if (o.limit !== undefined && out.length >= o.limit) break;
        out.push(productOut(shop, p));
      }
      return out;
    },
    productCount: () => c.productCount(),
    locations: () => c.locations.map(locationOut),
    stats: () => structuredClone(shop.stats),
    resetStats: () => {
      shop.stats = emptyStats();
    },
    deliveries: () => [...shop.deliveries],
    uninstall: (o = {}) => {
      sim.uninstall(shop.domain, o);
    },
    reinstall: (o = {}) => sim.reinstallCustom(shop.domain, o.accessToken),
    setThrottle: (o) => {
      const inst = shop.installations.get(o.clientId ?? 'custom');
      if (!inst) throw new Error(`app ${o.clientId} is not installed on ${shop.domain}`);
      inst.bucket.set(o);
    },
    setBulkBehaviour: (o) => {
      shop.bulk = { ...shop.bulk, ...o };
    },
    setWebhookBehaviour: (o) => {
      if (o.duplicate !== undefined) shop.duplicateWebhooks = o.duplicate;
    },
    idle: () => sim.idle(),
  };
}
