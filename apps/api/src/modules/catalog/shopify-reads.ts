import type { CallStats } from '../shopify/client.ts';
import type { ShopifyContext } from '../shopify/context.ts';
import { ensureFreshAccessToken } from '../shopify/token-refresh.ts';
import {
  CATALOG_COUNTS,
  CATALOG_ITEM_LEVELS_BY_ID,
  CATALOG_LEVELS_BY_ID,
  CATALOG_LOCATION_LEVELS,
  CATALOG_LOCATION_LEVELS_WITH_ITEMS,
  CATALOG_LOCATIONS,
  CATALOG_PRODUCT_MEDIA,
  CATALOG_PRODUCT_VARIANTS,
  CATALOG_PRODUCTS_BY_ID,
  CATALOG_PRODUCTS_PAGE,
  QUANTITY_NAME_LIST,
} from './operations.ts';
import {
  type GqlLevel,
  type GqlMedia,
  type GqlProduct,
  type GqlVariant,
  type ImageRecord,
  imageRecords,
  type LevelRecord,
  type LocationRecord,
  levelRecord,
  locationRecord,
  type ProductRecord,
  parseLevelGid,
  productRecord,
  type VariantRecord,
  variantRecord,
} from './records.ts';

// Reading one store's catalog through the one Shopify client (throttle, retries), with the
// connection's own token, renewed when it is about to expire. Every call is counted on the run's
// meter. Each call says what it will cost (Shopify reserves the requested cost up front), so the
// client waits exactly as long as the bucket needs and the store is never throttled.

export interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}

/** A product read whole: all its variants and images, however many pages they took. */
export interface ProductBundle {
  product: ProductRecord;
  variants: VariantRecord[];
  images: ImageRecord[];
}

export interface PageSizes {
  products: number;
  variants: number;
  media: number;
}

/** Shopify refuses a query whose requested cost is above this (docs/shopify.md §2). */
export const MAX_QUERY_COST = 1000;

/** Requested cost of a products page (the documented rule; checked against Shopify's answer in tests). */
export const productsPageCost = (s: PageSizes) => 2 + s.products * (6 + 2 * s.media + 3 * s.variants);

/** The largest page of products that stays under the query cost limit with these nested sizes. */
export function pageSizesFor(variants: number, media: number): PageSizes {
  const perProduct = 6 + 2 * media + 3 * variants;
  return { products: Math.max(1, Math.min(250, Math.floor((MAX_QUERY_COST - 2) / perProduct))), variants, media };
}

const REST_PAGE = 250;

interface Gql<T> {
  nodes: T[];
  pageInfo: PageInfo;
}

type GqlProductNode = GqlProduct & { media: Gql<GqlMedia>; variants: Gql<GqlVariant> };

export class CatalogReader {
  /** Set when a level GID did not name its item: levels are then read with the item object (1 point more). */
  private levelItemsSelected = false;

  private readonly ctx: ShopifyContext;
  private readonly orgId: string;
  private readonly connectionId: string;
  private readonly shop: string;
  private readonly signal: AbortSignal | undefined;
  /** The run's own tally of requests, retries, points and throttle waits. */
  readonly meter: CallStats;

  constructor(p: {
    ctx: ShopifyContext;
    orgId: string;
    connectionId: string;
    shop: string;
    meter?: CallStats;
    signal?: AbortSignal;
  }) {
    this.ctx = p.ctx;
    this.orgId = p.orgId;
    this.connectionId = p.connectionId;
    this.shop = p.shop;
    this.signal = p.signal;
    this.meter = p.meter ?? { requests: 0, retries: 0, throttledWaitMs: 0, pointsUsed: 0 };
  }

  private async call<T>(query: string, variables: Record<string, unknown>, cost: number): Promise<T> {
    const token = await ensureFreshAccessToken(this.ctx, this.orgId, this.connectionId);
    if (!token) throw new Error(`${this.shop} holds no access token: connect it again.`);
    return this.ctx.client.graphql<T>(this.shop, token, query, variables, cost, {
      meter: this.meter,
      ...(this.signal ? { signal: this.signal } : {}),
    });
  }

  /** Any operation of ours, counted like the rest (bulk operations' mutations and polls). */
  raw<T>(query: string, variables: Record<string, unknown>, cost: number): Promise<T> {
    return this.call<T>(query, variables, cost);
  }

  async counts(filter: string | null): Promise<{ products: number; variants: number }> {
    const data = await this.call<{
      productsCount: { count: number } | null;
      productVariantsCount: { count: number } | null;
    }>(CATALOG_COUNTS, { query: filter }, 2);
    return { products: data.productsCount?.count ?? 0, variants: data.productVariantsCount?.count ?? 0 };
  }

  async locations(): Promise<LocationRecord[]> {
    const all: LocationRecord[] = [];
    let after: string | null = null;
    do {
      const data: {
        locations: Gql<Parameters<typeof locationRecord>[0]>;
      } = await this.call(CATALOG_LOCATIONS, { after }, 502);
      all.push(...data.locations.nodes.map(locationRecord));
      after = data.locations.pageInfo.hasNextPage ? data.locations.pageInfo.endCursor : null;
    } while (after);
    return all;
  }

  /** One page of products, each completed to all its variants and images. */
  async productsPage(
    after: string | null,
    filter: string | null,
    sizes: PageSizes,
  ): Promise<{ bundles: ProductBundle[]; pageInfo: PageInfo; maxUpdatedAt: string | null }> {
    const data = await this.call<{ products: Gql<GqlProductNode> }>(
      CATALOG_PRODUCTS_PAGE,
      { first: sizes.products, after, query: filter, variantsFirst: sizes.variants, mediaFirst: sizes.media },
      productsPageCost(sizes),
    );
    const bundles: ProductBundle[] = [];
    let maxUpdatedAt: string | null = null;
    for (const node of data.products.nodes) {
      bundles.push(await this.complete(node));
      if (!maxUpdatedAt || node.updatedAt > maxUpdatedAt) maxUpdatedAt = node.updatedAt;
    }
    return { bundles, pageInfo: data.products.pageInfo, maxUpdatedAt };
  }

  /** Products by GID (webhook hints), read in one call; missing ones (deleted, or not this store's) are null. */
  async productsById(gids: string[], sizes = { variants: 100, media: 20 }): Promise<Map<string, ProductBundle | null>> {
    const out = new Map<string, ProductBundle | null>(gids.map((g) => [g, null]));
    if (gids.length === 0) return out;
    const data = await this.call<{ nodes: (GqlProductNode | null)[] }>(
      CATALOG_PRODUCTS_BY_ID,
      { ids: gids, variantsFirst: sizes.variants, mediaFirst: sizes.media },
      6 + 2 * sizes.media + 3 * sizes.variants,
    );
    for (const node of data.nodes) {
      if (node?.id && out.has(node.id)) out.set(node.id, await this.complete(node));
    }
    return out;
  }

  /** Levels by GID (inventory webhook hints); missing ones are null. */
  async levelsById(gids: string[]): Promise<Map<string, LevelRecord | null>> {
    const out = new Map<string, LevelRecord | null>(gids.map((g) => [g, null]));
    if (gids.length === 0) return out;
    const data = await this.call<{ nodes: (GqlLevel | null)[] }>(
      CATALOG_LEVELS_BY_ID,
      { ids: gids, names: QUANTITY_NAME_LIST },
      4,
    );
    for (const node of data.nodes) {
      if (!node?.id || !out.has(node.id)) continue;
      out.set(node.id, levelRecord(node) ?? null);
    }
    return out;
  }

  /** Every level of these inventory items (items new to the copy). */
  async itemLevels(itemGids: string[]): Promise<LevelRecord[]> {
    if (itemGids.length === 0) return [];
    const data = await this.call<{ nodes: ({ id: string; inventoryLevels: Gql<GqlLevel> } | null)[] }>(
      CATALOG_ITEM_LEVELS_BY_ID,
      { ids: itemGids, names: QUANTITY_NAME_LIST },
      3 + 50 * 3,
    );
    const out: LevelRecord[] = [];
    for (const item of data.nodes) {
      for (const level of item?.inventoryLevels.nodes ?? []) {
        const record = levelRecord({ ...level, item: { id: item!.id } });
        if (record) out.push(record);
      }
    }
    return out;
  }

  private async complete(node: GqlProductNode): Promise<ProductBundle> {
    const product = productRecord(node);
    const variants = node.variants.nodes.map((v) => variantRecord(product.gid, v));
    const media = [...node.media.nodes];
    let variantsPage = node.variants.pageInfo;
    while (variantsPage.hasNextPage) {
      const more: { product: { variants: Gql<GqlVariant> } | null } = await this.call(
        CATALOG_PRODUCT_VARIANTS,
        { id: product.gid, first: REST_PAGE, after: variantsPage.endCursor },
        3 + 3 * REST_PAGE,
      );
      if (!more.product) break;
      variants.push(...more.product.variants.nodes.map((v) => variantRecord(product.gid, v)));
      variantsPage = more.product.variants.pageInfo;
    }
    let mediaPage = node.media.pageInfo;
    while (mediaPage.hasNextPage) {
      const more: { product: { media: Gql<GqlMedia> } | null } = await this.call(
        CATALOG_PRODUCT_MEDIA,
        { id: product.gid, first: REST_PAGE, after: mediaPage.endCursor },
        3 + 2 * REST_PAGE,
      );
      if (!more.product) break;
      media.push(...more.product.media.nodes);
      mediaPage = more.product.media.pageInfo;
    }
    return { product, variants, images: imageRecords(product.gid, media) };
  }

  /** One page of a location's levels (250), every quantity name. */
  async locationLevels(
    locationGid: string,
    after: string | null,
    filter: string | null,
  ): Promise<{ levels: LevelRecord[]; pageInfo: PageInfo; found: boolean }> {
    const query = this.levelItemsSelected ? CATALOG_LOCATION_LEVELS_WITH_ITEMS : CATALOG_LOCATION_LEVELS;
    const perLevel = this.levelItemsSelected ? 3 : 2;
    const data = await this.call<{ location: { inventoryLevels: Gql<GqlLevel> } | null }>(
      query,
      { locationId: locationGid, first: REST_PAGE, after, query: filter, names: QUANTITY_NAME_LIST },
      3 + perLevel * REST_PAGE,
    );
    if (!data.location) return { levels: [], pageInfo: { hasNextPage: false, endCursor: null }, found: false };
    const nodes = data.location.inventoryLevels.nodes;
    if (!this.levelItemsSelected && nodes.some((n) => !parseLevelGid(n.id))) {
      // This store's level ids do not name their item: read this page again with the item object.
      this.levelItemsSelected = true;
      return this.locationLevels(locationGid, after, filter);
    }
    const levels = nodes.map((n) => levelRecord(n, locationGid)).filter((l): l is LevelRecord => l !== undefined);
    return { levels, pageInfo: data.location.inventoryLevels.pageInfo, found: true };
  }
}
