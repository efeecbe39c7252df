'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { ApiError, apiFetch } from './api-client';
import type { CatalogProduct, CatalogProductDetail, CatalogQuantities, Page, ProductStatus } from './api-types';

export const productKeys = {
  list: (orgId: string, query: string) => ['org', orgId, 'products', 'list', query] as const,
  detail: (orgId: string, id: string) => ['org', orgId, 'products', 'detail', id] as const,
};

export const PRODUCT_STATUSES = ['active', 'draft', 'archived'] as const;
export const STOCK_FILTERS = ['in', 'out', 'low'] as const;
/** The API's "low": 1 to this many available units (products.queries.ts). */
export const LOW_STOCK_THRESHOLD = 5;
export const SORT_FIELDS = ['title', 'price', 'inventory', 'updated'] as const;
export type SortField = (typeof SORT_FIELDS)[number];
export const DEFAULT_PAGE_SIZE = 50;
const PAGE_SIZES = [25, 50, 100, 250];

/**
 * The products view as the URL holds it. The keys are the API's own query parameters, so the page's
 * query string, minus what is invalid or default, is exactly what the list request sends.
 */
export interface ProductQuery {
  page: number;
  page_size: number;
  search: string;
  store: string;
  status: '' | (typeof PRODUCT_STATUSES)[number];
  vendor: string;
  product_type: string;
  tag: string;
  stock: '' | (typeof STOCK_FILTERS)[number];
  include_deleted: boolean;
  sort: SortField;
  descending: boolean;
}

export const DEFAULT_QUERY: ProductQuery = {
  page: 1,
  page_size: DEFAULT_PAGE_SIZE,
  search: '',
  store: '',
  status: '',
  vendor: '',
  product_type: '',
  tag: '',
  stock: '',
  include_deleted: false,
  sort: 'title',
  descending: false,
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function oneOf<T extends string>(values: readonly T[], value: string | null): T | '' {
  const v = (value ?? '').toLowerCase();
  return (values as readonly string[]).includes(v) ? (v as T) : '';
}

/** Free text as the API accepts it: trimmed, at most 200 characters. */
const filterText = (value: string | null) => (value ?? '').trim().slice(0, 200);

/**
 * Reads the view from a query string. A hand-edited or stale link with a bad value falls back to the
 * default for that value rather than failing the whole page with the API's 400.
 */
export function parseProductQuery(params: URLSearchParams): ProductQuery {
  const page = Number(params.get('page'));
  const size = Number(params.get('page_size'));
  const ordering = params.get('ordering') ?? '';
  const descending = ordering.startsWith('-');
  const sort = oneOf(SORT_FIELDS, descending ? ordering.slice(1) : ordering);
  const store = params.get('store') ?? '';
  return {
    page: Number.isInteger(page) && page >= 1 ? page : 1,
    page_size: PAGE_SIZES.includes(size) ? size : DEFAULT_PAGE_SIZE,
    search: filterText(params.get('search')),
    store: UUID.test(store) ? store : '',
    status: oneOf(PRODUCT_STATUSES, params.get('status')),
    vendor: filterText(params.get('vendor')),
    product_type: filterText(params.get('product_type')),
    tag: filterText(params.get('tag')),
    stock: oneOf(STOCK_FILTERS, params.get('stock')),
    include_deleted: params.get('include_deleted') === 'true',
    sort: sort || 'title',
    descending: sort ? descending : false,
  };
}

/** The query string of a view, without defaults (so the plain list is the plain URL). */
export function productQueryString(query: ProductQuery): string {
  const params = new URLSearchParams();
  for (const key of ['search', 'store', 'status', 'vendor', 'product_type', 'tag', 'stock'] as const) {
    if (query[key]) params.set(key, query[key]);
  }
  if (query.include_deleted) params.set('include_deleted', 'true');
  if (query.sort !== 'title' || query.descending) params.set('ordering', `${query.descending ? '-' : ''}${query.sort}`);
  if (query.page_size !== DEFAULT_PAGE_SIZE) params.set('page_size', String(query.page_size));
  if (query.page > 1) params.set('page', String(query.page));
  return params.toString();
}

/**
 * How the catalog screens follow changes made in Shopify (webhooks update the copy within seconds):
 * the product queries are asked again every 10 s while the tab is visible (TanStack pauses the
 * interval in the background, and refetches on focus). Chosen over a stream of catalog changes,
 * which the API does not have: a page of products is one indexed query, and 10 s is well inside
 * what a merchant expects of "live" stock.
 */
export const PRODUCTS_POLL_MS = 10_000;

export function useProducts(orgId: string, query: ProductQuery) {
  const qs = productQueryString(query);
  return useQuery({
    queryKey: productKeys.list(orgId, qs),
    queryFn: ({ signal }) => apiFetch<Page<CatalogProduct>>(`/api/shopify/products/${qs ? `?${qs}` : ''}`, { signal }),
    // The old page stays on screen while the next one loads: typing a search must not flash a spinner.
    placeholderData: keepPreviousData,
    refetchInterval: PRODUCTS_POLL_MS,
  });
}

export function useProduct(orgId: string, id: string) {
  return useQuery({
    queryKey: productKeys.detail(orgId, id),
    queryFn: ({ signal }) =>
      apiFetch<CatalogProductDetail>(`/api/shopify/products/${encodeURIComponent(id)}/`, { signal }),
    // A missing product stays missing: asking again only delays the not-found state.
    retry: (count, error) =>
      !(error instanceof ApiError && (error.status === 404 || error.status === 400)) && count < 2,
    // A product deleted in Shopify is still answered (with deleted_at); one that is not there at all stops asking.
    refetchInterval: (query) => (query.state.status === 'error' ? false : PRODUCTS_POLL_MS),
  });
}

export const statusLabel: Record<ProductStatus, string> = { ACTIVE: 'Active', DRAFT: 'Draft', ARCHIVED: 'Archived' };
export const statusColor: Record<ProductStatus, string> = { ACTIVE: 'teal', DRAFT: 'gray', ARCHIVED: 'orange' };

/** Every quantity name of an inventory level, in the order Shopify's admin shows them. */
export const QUANTITY_LABELS: Record<keyof CatalogQuantities, string> = {
  available: 'Available',
  on_hand: 'On hand',
  committed: 'Committed',
  incoming: 'Incoming',
  reserved: 'Reserved',
  damaged: 'Damaged',
  safety_stock: 'Safety stock',
  quality_control: 'Quality control',
};
export const QUANTITY_NAMES = Object.keys(QUANTITY_LABELS) as Array<keyof CatalogQuantities>;

/** Prices are decimal strings; shown in the store's currency when it is known. */
export function formatMoney(amount: string, currency: string | null | undefined): string {
  const value = Number(amount);
  if (!Number.isFinite(value)) return amount;
  if (!currency) return value.toFixed(2);
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(value);
  } catch {
    return `${value.toFixed(2)} ${currency}`;
  }
}

export function formatPriceRange(
  min: string | null,
  max: string | null,
  currency: string | null | undefined,
): string | null {
  if (min === null) return null;
  const low = formatMoney(min, currency);
  return max === null || max === min ? low : `${low} – ${formatMoney(max, currency)}`;
}

/**
 * The product in the Shopify admin. The admin addresses a store by the name in its myshopify.com
 * domain and a product by the number at the end of its GID.
 */
export function shopifyAdminProductUrl(shopDomain: string, gid: string): string | null {
  const store = shopDomain.toLowerCase().replace(/\.myshopify\.com$/, '');
  const id = /\/(\d+)$/.exec(gid)?.[1];
  if (!id || !/^[a-z0-9][a-z0-9-]*$/.test(store)) return null;
  return `https://admin.shopify.com/store/${store}/products/${id}`;
}

/** How many live products match a filter: a one-row page, whose `count` is all the dashboard needs. */
export function useProductCount(orgId: string, filter: Partial<Pick<ProductQuery, 'status' | 'stock'>>) {
  const qs = productQueryString({ ...DEFAULT_QUERY, ...filter, page_size: 1 });
  return useQuery({
    queryKey: productKeys.list(orgId, qs),
    queryFn: ({ signal }) => apiFetch<Page<CatalogProduct>>(`/api/shopify/products/?${qs}`, { signal }),
    select: (page) => page.count,
  });
}
