// The Admin GraphQL operations the catalog sync sends (docs/shopify.md §2), validated against the
// 2026-10 schema by operations.test.ts. Shapes are chosen for points: every object and connection
// costs, scalars are free, so each query selects only what the copy stores.

import { QUANTITY_NAMES } from './schema.ts';

export const QUANTITY_NAME_LIST = [...QUANTITY_NAMES];

const VARIANT_FIELDS = /* GraphQL */ `
fragment CatalogVariant on ProductVariant {
  id title sku barcode price compareAtPrice position updatedAt inventoryPolicy taxable
  selectedOptions { name value }
  inventoryItem { id tracked }
}`;

const MEDIA_FIELDS = /* GraphQL */ `
fragment CatalogMedia on Media {
  id alt mediaContentType
  ... on MediaImage { image { url width height } }
}`;

/**
 * A page of products with their first variants and media, without inventory (levels are read per
 * location, far cheaper per level). Requested cost `2 + first × (6 + 2·mediaFirst + 3·variantsFirst)`.
 */
export const CATALOG_PRODUCTS_PAGE = /* GraphQL */ `
query CatalogProductsPage($first: Int!, $after: String, $query: String, $variantsFirst: Int!, $mediaFirst: Int!) {
  products(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id legacyResourceId handle title descriptionHtml status productType vendor tags createdAt updatedAt
      options { name position values }
      media(first: $mediaFirst) { pageInfo { hasNextPage endCursor } nodes { ...CatalogMedia } }
      variants(first: $variantsFirst) { pageInfo { hasNextPage endCursor } nodes { ...CatalogVariant } }
    }
  }
}
${VARIANT_FIELDS}
${MEDIA_FIELDS}`;

/** The rest of one product's variants, when it has more than a page held. Cost `3 + first × 4`. */
export const CATALOG_PRODUCT_VARIANTS = /* GraphQL */ `
query CatalogProductVariants($id: ID!, $first: Int!, $after: String) {
  product(id: $id) {
    variants(first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { ...CatalogVariant } }
  }
}
${VARIANT_FIELDS}`;

/** The rest of one product's media. Cost `3 + first × 3`. */
export const CATALOG_PRODUCT_MEDIA = /* GraphQL */ `
query CatalogProductMedia($id: ID!, $first: Int!, $after: String) {
  product(id: $id) {
    media(first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { ...CatalogMedia } }
  }
}
${MEDIA_FIELDS}`;

/** Every location, inactive ones included (a deactivated location's levels leave the copy). */
export const CATALOG_LOCATIONS = /* GraphQL */ `
query CatalogLocations($after: String) {
  locations(first: 250, after: $after, includeInactive: true) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id name isActive fulfillsOnlineOrders shipsInventory
      address { address1 address2 city province countryCode zip }
    }
  }
}`;

/**
 * One location's levels, 250 a page, with every quantity name: 2 points a level. The level's GID
 * names its inventory item (`gid://shopify/InventoryLevel/<location>?inventory_item_id=<item>`), so
 * the item object (1 more point a level) is not selected; `CATALOG_LOCATION_LEVELS_WITH_ITEMS`
 * is the fallback should a GID ever not carry it.
 */
export const CATALOG_LOCATION_LEVELS = /* GraphQL */ `
query CatalogLocationLevels($locationId: ID!, $first: Int!, $after: String, $query: String, $names: [String!]!) {
  location(id: $locationId) {
    inventoryLevels(first: $first, after: $after, query: $query) {
      pageInfo { hasNextPage endCursor }
      nodes { id updatedAt quantities(names: $names) { name quantity } }
    }
  }
}`;

export const CATALOG_LOCATION_LEVELS_WITH_ITEMS = /* GraphQL */ `
query CatalogLocationLevelsWithItems($locationId: ID!, $first: Int!, $after: String, $query: String, $names: [String!]!) {
  location(id: $locationId) {
    inventoryLevels(first: $first, after: $after, query: $query) {
      pageInfo { hasNextPage endCursor }
      nodes { id updatedAt item { id } quantities(names: $names) { name quantity } }
    }
  }
}`;

/**
 * How big is the catalog (for `auto`'s choice of path and the progress bar's total)? `limit: null`:
 * Shopify stops counting at 10,000 otherwise, and a 5,000-product store with 44,000 variants was
 * planned as a third of its points.
 */
export const CATALOG_COUNTS = /* GraphQL */ `
query CatalogCounts($query: String) {
  productsCount(query: $query, limit: null) { count precision }
  productVariantsCount(limit: null) { count precision }
}`;

/**
 * Products named by webhooks, read in one call with the connection's own token (`nodes(ids:)`):
 * the truth behind a burst of hints. Products with more variants or media than fit are completed
 * with the per-product queries.
 */
export const CATALOG_PRODUCTS_BY_ID = /* GraphQL */ `
query CatalogProductsById($ids: [ID!]!, $variantsFirst: Int!, $mediaFirst: Int!) {
  nodes(ids: $ids) {
    ... on Product {
      id legacyResourceId handle title descriptionHtml status productType vendor tags createdAt updatedAt
      options { name position values }
      media(first: $mediaFirst) { pageInfo { hasNextPage endCursor } nodes { ...CatalogMedia } }
      variants(first: $variantsFirst) { pageInfo { hasNextPage endCursor } nodes { ...CatalogVariant } }
    }
  }
}
${VARIANT_FIELDS}
${MEDIA_FIELDS}`;

/** Levels named by inventory webhooks, read back for the truth (`nodes(ids:)` on InventoryLevel GIDs). */
export const CATALOG_LEVELS_BY_ID = /* GraphQL */ `
query CatalogLevelsById($ids: [ID!]!, $names: [String!]!) {
  nodes(ids: $ids) {
    ... on InventoryLevel { id updatedAt location { id } item { id } quantities(names: $names) { name quantity } }
  }
}`;

/** The stock of inventory items new to the copy (a product created or grown since the last sync). */
export const CATALOG_ITEM_LEVELS_BY_ID = /* GraphQL */ `
query CatalogItemLevelsById($ids: [ID!]!, $names: [String!]!) {
  nodes(ids: $ids) {
    ... on InventoryItem {
      id
      inventoryLevels(first: 50) { nodes { id updatedAt location { id } quantities(names: $names) { name quantity } } }
    }
  }
}`;

/** The bulk export (docs/shopify.md §5): free of points, one JSONL line per connection node. */
export const BULK_CATALOG_QUERY = (filter: string | null) => /* GraphQL */ `
{
  products${filter ? `(query: ${JSON.stringify(filter)})` : ''} {
    edges { node {
      id legacyResourceId handle title descriptionHtml status productType vendor tags createdAt updatedAt
      options { name position values }
      media { edges { node { id alt mediaContentType ... on MediaImage { image { url width height } } } } }
      variants { edges { node {
        id title sku barcode price compareAtPrice position updatedAt inventoryPolicy taxable
        selectedOptions { name value }
        inventoryItem {
          id tracked
          inventoryLevels { edges { node {
            id updatedAt location { id }
            quantities(names: ${JSON.stringify(QUANTITY_NAME_LIST)}) { name quantity }
          } } }
        }
      } } }
    } }
  }
}`;

export const BULK_RUN_QUERY = /* GraphQL */ `
mutation CatalogBulkRun($query: String!) {
  bulkOperationRunQuery(query: $query) {
    bulkOperation { id status createdAt }
    userErrors { field message code }
  }
}`;

export const BULK_OPERATION_STATUS = /* GraphQL */ `
query CatalogBulkStatus($id: ID!) {
  bulkOperation(id: $id) {
    id status errorCode createdAt completedAt objectCount rootObjectCount fileSize url partialDataUrl
  }
}`;

export const RECENT_BULK_OPERATIONS = /* GraphQL */ `
query CatalogRecentBulkOperations {
  bulkOperations(first: 10) { nodes { id status type createdAt objectCount query } }
}`;

export const BULK_OPERATION_CANCEL = /* GraphQL */ `
mutation CatalogBulkCancel($id: ID!) {
  bulkOperationCancel(id: $id) {
    bulkOperation { id status }
    userErrors { field message }
  }
}`;
