import { GraphQLError, type GraphQLFieldResolver, type GraphQLResolveInfo } from 'graphql';
import type { Key, Page, VariantRef } from './catalog.ts';
import { type BulkPaging, connectionArgs, pageArray, toConnection } from './connection.ts';
import {
  gid,
  iso,
  type LevelRecord,
  type LocationRecord,
  levelGid,
  type MediaRecord,
  type ProductRecord,
  QUANTITY_NAMES,
  type QuantityName,
  type VariantRecord,
} from './records.ts';
import type { AccessRequirement } from './schema.ts';
import { API_VERSION } from './schema.ts';
import { matches, parseSearch } from './search.ts';
import type { Sim } from './sim.ts';
import type { BulkOperationRecord, Installation, ShopState, WebhookSubscriptionRecord } from './state.ts';

// Resolvers return "view" objects shaped like the schema: plain values for scalar fields and functions
// (called with the field's arguments) for fields that take arguments or are expensive. One generic field
// resolver checks the token's scopes against the schema's access metadata before every field.

export interface ExecContext {
  sim: Sim;
  shop: ShopState;
  inst: Installation;
  scopes: Set<string>;
  bulk?: BulkPaging;
  accessDenied: number;
}

type Args = Record<string, unknown>;
type Resolver = (args: Args, ctx: ExecContext, info: GraphQLResolveInfo) => unknown;

export function accessDeniedError(fieldName: string, req: AccessRequirement): GraphQLError {
  return new GraphQLError(`Access denied for ${fieldName} field. Required access: ${req.text}`, {
    extensions: {
      code: 'ACCESS_DENIED',
      documentation: 'https://shopify.dev/api/usage/access-scopes',
      requiredAccess: req.text,
    },
  });
}

export const fieldResolver: GraphQLFieldResolver<unknown, ExecContext> = (source, args, ctx, info) => {
  const req = ctx.sim.schema.requirement(info.parentType.name, info.fieldName);
  if (req && !req.anyOf.some((s) => ctx.scopes.has(s))) {
    ctx.accessDenied++;
    throw accessDeniedError(info.fieldName, req);
  }
  const value = (source as Record<string, unknown> | null)?.[info.fieldName];
  if (typeof value === 'function') return (value as Resolver).call(source, args, ctx, info);
  if (value === undefined) {
    throw new GraphQLError(`${info.parentType.name}.${info.fieldName} is not implemented by shopify-sim.`, {
      extensions: { code: 'NOT_IMPLEMENTED' },
    });
  }
  return value;
};

// ---- GIDs ----

export function parseGid(id: unknown): { type: string; id: number; params: URLSearchParams } | null {
  if (typeof id !== 'string') return null;
  const m = /^gid:\/\/shopify\/([A-Za-z]+)\/(\d+)(?:\?(.*))?$/.exec(id);
  if (!m) return null;
  return { type: m[1] as string, id: Number(m[2]), params: new URLSearchParams(m[3] ?? '') };
}

function invalidId(id: unknown): GraphQLError {
  return new GraphQLError(`Invalid global id '${String(id)}'`, {
    extensions: { code: 'argumentLiteralsIncompatible', typeName: 'CoercionError' },
  });
}

function expectGid(id: unknown, type: string): number | null {
  const g = parseGid(id);
  if (!g) throw invalidId(id);
  return g.type === type ? g.id : null;
}

// ---- views ----

export function shopView(ctx: ExecContext): object {
  const s = ctx.shop;
  const planName = s.partnerDevelopment
    ? 'Development'
    : { standard: 'Basic', advanced: 'Advanced', plus: 'Plus', enterprise: 'Plus' }[s.plan];
  return {
    __typename: 'Shop',
    id: gid('Shop', s.id),
    name: s.name,
    myshopifyDomain: s.domain,
    email: s.email,
    contactEmail: s.email,
    currencyCode: s.currency,
    ianaTimezone: 'America/New_York',
    timezoneAbbreviation: 'EST',
    weightUnit: 'KILOGRAMS',
    url: `https://${s.domain}`,
    createdAt: iso(s.createdAt),
    updatedAt: iso(s.createdAt),
    primaryDomain: {
      __typename: 'Domain',
      id: gid('Domain', s.id + 7),
      host: s.domain,
      url: `https://${s.domain}`,
      sslEnabled: true,
      localization: null,
      marketWebPresence: null,
    },
    plan: {
      publicDisplayName: planName,
      displayName: planName,
      partnerDevelopment: s.partnerDevelopment,
      shopifyPlus: s.plan === 'plus' || s.plan === 'enterprise',
    },
  };
}

export function installationView(ctx: ExecContext): object {
  const inst = ctx.inst;
  const app = {
    __typename: 'App',
    id: gid('App', inst.appId),
    apiKey: inst.apiKey,
    title: inst.appTitle,
    handle: inst.appTitle.toLowerCase().replace(/[^a-z0-9]+/g, '-'),
  };
  return {
    __typename: 'AppInstallation',
    id: gid('AppInstallation', inst.id),
    app,
    launchUrl: `https://${ctx.shop.domain}/admin/apps/${app.handle}`,
    accessScopes: [...ctx.scopes].sort().map((handle) => ({ handle, description: `Access scope ${handle}` })),
  };
}

function mediaView(m: MediaRecord): object {
  return {
    __typename: 'MediaImage',
    id: gid('MediaImage', m.id),
    alt: m.alt,
    mediaContentType: 'IMAGE',
    status: 'READY',
    fileStatus: 'READY',
    mimeType: 'image/jpeg',
    createdAt: iso(m.createdAt),
    updatedAt: iso(m.createdAt),
    image: { id: gid('ImageSource', m.id), url: m.url, width: m.width, height: m.height, altText: m.alt },
    preview: {
      status: 'READY',
      image: { id: gid('ImageSource', m.id), url: m.url, width: m.width, height: m.height, altText: m.alt },
    },
  };
}

export function productView(ctx: ExecContext, p: ProductRecord): object {
  return {
    __typename: 'Product',
    id: gid('Product', p.id),
    legacyResourceId: String(p.id),
    handle: p.handle,
    title: p.title,
    descriptionHtml: () => p.descriptionHtml,
    description: () => p.descriptionHtml.replace(/<[^>]*>/g, ''),
    status: p.status,
    productType: p.productType,
    vendor: p.vendor,
    tags: p.tags,
    createdAt: iso(p.createdAt),
    updatedAt: iso(p.updatedAt),
    publishedAt: p.publishedAt === null ? null : iso(p.publishedAt),
    onlineStoreUrl: p.status === 'ACTIVE' ? `https://${ctx.shop.domain}/products/${p.handle}` : null,
    // Functions, so that listing ids never generates a product's variants.
    hasOnlyDefaultVariant: () => p.variants.length === 1 && p.options[0]?.name === 'Title',
    tracksInventory: () => p.variants.some((v) => v.item.tracked),
    totalInventory: () =>
      p.variants.reduce((s, v) => s + v.item.levels.reduce((t, l) => t + l.quantities.available, 0), 0),
    variantsCount: () => ({ count: p.variants.length, precision: 'EXACT' }),
    options: (args: Args) =>
      p.options.slice(0, typeof args.first === 'number' ? args.first : undefined).map((o) => ({
        __typename: 'ProductOption',
        id: gid('ProductOption', o.id),
        name: o.name,
        position: o.position,
        values: o.values,
        linkedMetafield: null,
        optionValues: o.values.map((v, k) => ({
          id: gid('ProductOptionValue', o.id * 100 + k),
          name: v,
          hasVariants: true,
        })),
      })),
    featuredMedia: () => (p.media[0] ? mediaView(p.media[0]) : null),
    media: (args: Args, c: ExecContext, info: GraphQLResolveInfo) => {
      const a = connectionArgs(args, info, c.bulk);
      const list = p.media.map((m, k) => ({ m, k }));
      const page = pageArray(list, (x) => ({ v: x.k, id: x.m.id }), a);
      return toConnection(page, (x) => mediaView(x.m), info, c.bulk);
    },
    variants: (args: Args, c: ExecContext, info: GraphQLResolveInfo) => {
      const a = connectionArgs(args, info, c.bulk);
      const page = pageArray(p.variants, (v) => ({ v: v.position, id: v.id }), a);
      return toConnection(page, (v) => variantView(c, p, v), info, c.bulk);
    },
  };
}

export function variantView(ctx: ExecContext, p: ProductRecord, v: VariantRecord): object {
  return {
    __typename: 'ProductVariant',
    id: gid('ProductVariant', v.id),
    legacyResourceId: String(v.id),
    title: v.title,
    displayName: `${p.title} - ${v.title}`,
    sku: v.sku,
    barcode: v.barcode,
    price: v.price,
    compareAtPrice: v.compareAtPrice,
    position: v.position,
    taxable: v.taxable,
    inventoryPolicy: v.inventoryPolicy,
    availableForSale: p.status === 'ACTIVE',
    inventoryQuantity: v.item.levels.reduce((s, l) => s + l.quantities.available, 0),
    createdAt: iso(v.createdAt),
    updatedAt: iso(v.updatedAt),
    selectedOptions: p.options.map((o, d) => ({
      name: o.name,
      value: v.optionValues[d] ?? '',
      optionValue: {
        id: gid('ProductOptionValue', o.id * 100 + Math.max(0, o.values.indexOf(v.optionValues[d] ?? ''))),
        name: v.optionValues[d] ?? '',
        hasVariants: true,
      },
    })),
    product: () => productView(ctx, p),
    inventoryItem: () => itemView(ctx, p, v),
  };
}

export function itemView(ctx: ExecContext, p: ProductRecord, v: VariantRecord): object {
  const it = v.item;
  return {
    __typename: 'InventoryItem',
    id: gid('InventoryItem', it.id),
    legacyResourceId: String(it.id),
    sku: v.sku,
    tracked: it.tracked,
    requiresShipping: it.requiresShipping,
    createdAt: iso(it.createdAt),
    updatedAt: iso(it.updatedAt),
    duplicateSkuCount: 0,
    countryCodeOfOrigin: null,
    provinceCodeOfOrigin: null,
    harmonizedSystemCode: null,
    unitCost: null,
    inventoryHistoryUrl: `https://${ctx.shop.domain}/admin/products/inventory/${it.id}/inventory_history`,
    locationsCount: { count: it.levels.length, precision: 'EXACT' },
    measurement: { id: gid('InventoryItemMeasurement', it.id), weight: { unit: 'KILOGRAMS', value: 0.5 } },
    variant: () => variantView(ctx, p, v),
    inventoryLevels: (args: Args, c: ExecContext, info: GraphQLResolveInfo) => {
      const a = connectionArgs(args, info, c.bulk);
      const q = parseSearch(args.query as string | undefined);
      const list = it.levels.filter((l) =>
        matches(q, (f) => (f === 'updated_at' ? l.updatedAt : f === 'location_id' ? l.locationId : undefined)),
      );
      const page = pageArray(list, (l) => ({ v: l.locationId, id: l.locationId }), a);
      return toConnection(page, (l) => levelView(c, p, v, l), info, c.bulk);
    },
    inventoryLevel: (args: Args, c: ExecContext) => {
      const locId = expectGid(args.locationId, 'Location');
      const l = it.levels.find((x) => x.locationId === locId);
      return l ? levelView(c, p, v, l) : null;
    },
  };
}

export function quantityView(itemId: number, l: LevelRecord, name: string): object {
  if (!(QUANTITY_NAMES as readonly string[]).includes(name)) {
    throw new GraphQLError(`The quantity name '${name}' is not valid.`, { extensions: { code: 'BAD_REQUEST' } });
  }
  return {
    id: `gid://shopify/InventoryQuantity/${l.locationId}?inventory_item_id=${itemId}&name=${name}`,
    name,
    quantity: l.quantities[name as QuantityName],
    updatedAt: iso(l.updatedAt),
  };
}

export function levelView(ctx: ExecContext, p: ProductRecord, v: VariantRecord, l: LevelRecord): object {
  return {
    __typename: 'InventoryLevel',
    id: levelGid(l.locationId, v.item.id),
    createdAt: iso(l.createdAt),
    updatedAt: iso(l.updatedAt),
    isActive: true,
    canDeactivate: true,
    deactivationAlert: null,
    item: () => itemView(ctx, p, v),
    location: () => {
      const loc = ctx.shop.catalog.location(l.locationId);
      return loc ? locationView(ctx, loc) : null;
    },
    quantities: (args: Args) => (args.names as string[]).map((n) => quantityView(v.item.id, l, n)),
  };
}

export function locationView(ctx: ExecContext, loc: LocationRecord): object {
  const a = loc.address;
  return {
    __typename: 'Location',
    id: gid('Location', loc.id),
    legacyResourceId: String(loc.id),
    name: loc.name,
    isActive: loc.isActive,
    isPrimary: loc.id === ctx.shop.catalog.locations[0]?.id,
    isFulfillmentService: false,
    fulfillsOnlineOrders: loc.fulfillsOnlineOrders,
    shipsInventory: loc.shipsInventory,
    hasActiveInventory: loc.isActive,
    hasUnfulfilledOrders: false,
    activatable: !loc.isActive,
    deactivatable: loc.isActive,
    deletable: !loc.isActive,
    addressVerified: true,
    deactivatedAt: loc.isActive ? null : iso(loc.updatedAt),
    createdAt: iso(loc.createdAt),
    updatedAt: iso(loc.updatedAt),
    address: {
      ...a,
      formatted: [a.address1, a.address2, `${a.city} ${a.provinceCode} ${a.zip}`, a.country].filter(Boolean),
      latitude: null,
      longitude: null,
    },
    inventoryLevels: (args: Args, c: ExecContext, info: GraphQLResolveInfo) => {
      const ca = connectionArgs(args, info, c.bulk);
      const page = c.shop.catalog.pageLocationLevels(loc.id, {
        ...ca,
        sortKey: 'ID',
        query: parseSearch(args.query as string | undefined),
      });
      return toConnection(page, (r) => levelView(c, r.product, r.variant, r.level), info, c.bulk);
    },
    inventoryLevel: (args: Args, c: ExecContext) => {
      const itemId = expectGid(args.inventoryItemId, 'InventoryItem');
      const ref = itemId === null ? undefined : c.shop.catalog.level(itemId, loc.id);
      return ref ? levelView(c, ref.product, ref.variant, ref.level) : null;
    },
  };
}

export function webhookView(s: WebhookSubscriptionRecord): object {
  return {
    __typename: 'WebhookSubscription',
    id: gid('WebhookSubscription', s.id),
    legacyResourceId: String(s.id),
    topic: s.topic,
    uri: s.uri,
    callbackUrl: s.uri,
    format: s.format,
    filter: s.filter,
    includeFields: s.includeFields,
    metafieldNamespaces: [],
    metafields: [],
    name: s.name,
    createdAt: iso(s.createdAt),
    updatedAt: iso(s.updatedAt),
    apiVersion: { handle: API_VERSION, displayName: API_VERSION, supported: true },
  };
}

export function bulkView(op: BulkOperationRecord): object {
  return {
    __typename: 'BulkOperation',
    id: gid('BulkOperation', op.id),
    status: op.status,
    type: op.type,
    query: op.query,
    errorCode: op.errorCode,
    createdAt: iso(op.createdAt),
    completedAt: op.completedAt === null ? null : iso(op.completedAt),
    objectCount: String(op.objectCount),
    rootObjectCount: String(op.rootObjectCount),
    fileSize: op.fileSize === null ? null : String(op.fileSize),
    url: op.url,
    partialDataUrl: op.partialDataUrl,
  };
}

// ---- node lookup ----

export function nodeById(ctx: ExecContext, id: unknown): object | null {
  const g = parseGid(id);
  if (!g) throw invalidId(id);
  const c = ctx.shop.catalog;
  switch (g.type) {
    case 'Product': {
      const p = c.product(g.id);
      return p ? productView(ctx, p) : null;
    }
    case 'ProductVariant': {
      const r = c.variant(g.id);
      return r ? variantView(ctx, r.product, r.variant) : null;
    }
    case 'InventoryItem': {
      const r = c.item(g.id);
      return r ? itemView(ctx, r.product, r.variant) : null;
    }
    case 'InventoryLevel': {
      const itemId = Number(g.params.get('inventory_item_id'));
      const r = c.level(itemId, g.id);
      return r ? levelView(ctx, r.product, r.variant, r.level) : null;
    }
    case 'Location': {
      const loc = c.location(g.id);
      return loc ? locationView(ctx, loc) : null;
    }
    case 'MediaImage': {
      const found = c.media(g.id);
      return found ? mediaView(found.media) : null;
    }
    case 'WebhookSubscription': {
      const s = ctx.inst.subscriptions.find((x) => x.id === g.id);
      return s ? webhookView(s) : null;
    }
    case 'BulkOperation': {
      const op = ctx.inst.bulkOps.find((x) => x.id === g.id);
      return op ? bulkView(op) : null;
    }
    case 'Shop':
      return g.id === ctx.shop.id ? shopView(ctx) : null;
    case 'AppInstallation':
      return g.id === ctx.inst.id ? installationView(ctx) : null;
    default:
      return null;
  }
}

// ---- root query ----

function count(n: number, limit: unknown): object {
  // Shopify caps counts at 10,000 unless the caller passes limit: null.
  const cap = limit === null ? Number.POSITIVE_INFINITY : typeof limit === 'number' ? limit : 10_000;
  return { count: Math.min(n, cap), precision: n > cap ? 'AT_LEAST' : 'EXACT' };
}

export function queryRoot(): Record<string, Resolver> {
  return {
    shop: (_a, ctx) => shopView(ctx),
    currentAppInstallation: (_a, ctx) => installationView(ctx),
    node: (args, ctx) => nodeById(ctx, args.id),
    nodes: (args, ctx) => (args.ids as unknown[]).map((id) => nodeById(ctx, id)),
    product: (args, ctx) => {
      const id = expectGid(args.id, 'Product');
      const p = id === null ? undefined : ctx.shop.catalog.product(id);
      return p ? productView(ctx, p) : null;
    },
    productByHandle: (args, ctx) => {
      const page = ctx.shop.catalog.pageProducts({
        sortKey: 'ID',
        query: parseSearch(`handle:'${args.handle}'`),
        first: 1,
      });
      const p = page.items[0]?.item;
      return p ? productView(ctx, p) : null;
    },
    products: (args, ctx, info) => {
      const a = connectionArgs(args, info, ctx.bulk);
      const page = ctx.shop.catalog.pageProducts({
        ...a,
        sortKey: (args.sortKey as string) ?? 'ID',
        query: parseSearch(args.query as string | undefined),
      });
      return toConnection(page, (p) => productView(ctx, p), info, ctx.bulk);
    },
    productsCount: (args, ctx) => {
      const q = parseSearch(args.query as string | undefined);
      if (!q.length) return count(ctx.shop.catalog.productCount(), args.limit);
      const page = ctx.shop.catalog.pageProducts({ sortKey: 'ID', query: q, first: Number.POSITIVE_INFINITY });
      return count(page.items.length, args.limit);
    },
    productVariant: (args, ctx) => {
      const id = expectGid(args.id, 'ProductVariant');
      const r = id === null ? undefined : ctx.shop.catalog.variant(id);
      return r ? variantView(ctx, r.product, r.variant) : null;
    },
    productVariants: (args, ctx, info) => {
      const a = connectionArgs(args, info, ctx.bulk);
      const page: Page<VariantRef> = ctx.shop.catalog.pageVariants({
        ...a,
        sortKey: (args.sortKey as string) ?? 'ID',
        query: parseSearch(args.query as string | undefined),
      });
      return toConnection(page, (r) => variantView(ctx, r.product, r.variant), info, ctx.bulk);
    },
    productVariantsCount: (args, ctx) => {
      const page = ctx.shop.catalog.pageVariants({
        sortKey: 'ID',
        query: parseSearch(args.query as string | undefined),
        first: Number.POSITIVE_INFINITY,
      });
      return count(page.items.length, args.limit);
    },
    inventoryItem: (args, ctx) => {
      const id = expectGid(args.id, 'InventoryItem');
      const r = id === null ? undefined : ctx.shop.catalog.item(id);
      return r ? itemView(ctx, r.product, r.variant) : null;
    },
    inventoryLevel: (args, ctx) => nodeById(ctx, args.id),
    location: (args, ctx) => {
      const loc =
        args.id === undefined || args.id === null
          ? ctx.shop.catalog.locations[0]
          : ctx.shop.catalog.location(expectGid(args.id, 'Location') ?? -1);
      return loc ? locationView(ctx, loc) : null;
    },
    locations: (args, ctx, info) => {
      const a = connectionArgs(args, info, ctx.bulk);
      const q = parseSearch(args.query as string | undefined);
      const byName = ((args.sortKey as string) ?? 'NAME') === 'NAME';
      const keyOf = (l: LocationRecord): Key =>
        byName ? { v: l.name.toLowerCase(), id: l.id } : { v: l.id, id: l.id };
      const list = ctx.shop.catalog.locations
        .filter((l) => l.isActive || args.includeInactive === true)
        .filter((l) =>
          matches(q, (f) =>
            f === 'name'
              ? l.name
              : f === 'id'
                ? l.id
                : f === 'active'
                  ? String(l.isActive)
                  : f === 'default'
                    ? [l.name]
                    : undefined,
          ),
        )
        .sort((x, y) => {
          const kx = keyOf(x);
          const ky = keyOf(y);
          return kx.v === ky.v ? kx.id - ky.id : kx.v < ky.v ? -1 : 1;
        });
      return toConnection(pageArray(list, keyOf, a), (l) => locationView(ctx, l), info, ctx.bulk);
    },
    locationsCount: (args, ctx) => count(ctx.shop.catalog.locations.filter((l) => l.isActive).length, args.limit),
    webhookSubscription: (args, ctx) => {
      const id = expectGid(args.id, 'WebhookSubscription');
      const s = ctx.inst.subscriptions.find((x) => x.id === id);
      return s ? webhookView(s) : null;
    },
    webhookSubscriptions: (args, ctx, info) => {
      const a = connectionArgs(args, info, ctx.bulk);
      const topics = args.topics as string[] | undefined;
      const uri = (args.uri ?? args.callbackUrl) as string | undefined;
      const byId = args.sortKey === 'ID';
      const list = ctx.inst.subscriptions
        .filter(
          (s) =>
            (!topics || topics.includes(s.topic)) &&
            (!uri || s.uri === uri) &&
            (!args.format || s.format === args.format),
        )
        .sort((x, y) => (byId ? x.id - y.id : x.createdAt - y.createdAt || x.id - y.id));
      const keyOf = (s: WebhookSubscriptionRecord): Key =>
        byId ? { v: s.id, id: s.id } : { v: s.createdAt, id: s.id };
      return toConnection(pageArray(list, keyOf, a), webhookView, info, ctx.bulk);
    },
    bulkOperation: (args, ctx) => {
      const id = expectGid(args.id, 'BulkOperation');
      const op = ctx.inst.bulkOps.find((x) => x.id === id);
      return op ? bulkView(op) : null;
    },
    currentBulkOperation: (args, ctx) => {
      const type = (args.type as string) ?? 'QUERY';
      const ops = ctx.inst.bulkOps.filter((o) => o.type === type);
      const op = ops[ops.length - 1];
      return op ? bulkView(op) : null;
    },
    bulkOperations: (args, ctx, info) => {
      const a = connectionArgs(args, info, ctx.bulk);
      const q = parseSearch(args.query as string | undefined);
      const byCompleted = args.sortKey === 'COMPLETED_AT';
      const keyOf = (o: BulkOperationRecord): Key => ({
        v: byCompleted ? (o.completedAt ?? 0) : o.createdAt,
        id: o.id,
      });
      // Newest first unless reversed, as the schema documents for this connection.
      const list = ctx.inst.bulkOps
        .filter((o) =>
          matches(q, (f) =>
            f === 'status'
              ? o.status
              : f === 'operation_type'
                ? o.type
                : f === 'created_at'
                  ? o.createdAt
                  : f === 'id'
                    ? o.id
                    : undefined,
          ),
        )
        .sort((x, y) => {
          const kx = keyOf(x);
          const ky = keyOf(y);
          return kx.v === ky.v ? ky.id - kx.id : (ky.v as number) - (kx.v as number);
        });
      const flipped = { ...a, reverse: !a.reverse };
      const page = pageArray([...list].reverse(), keyOf, flipped);
      return toConnection(page, bulkView, info, ctx.bulk);
    },
  };
}
