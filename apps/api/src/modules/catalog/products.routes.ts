import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authOf, requireAuth } from '../../http/auth.ts';
import { conditionalGet } from '../../http/caching.ts';
import { offsetOf, pageOf, pageQuery, paginated } from '../../http/pagination.ts';
import { errorResponses, text, uuidParam } from '../../http/schemas.ts';
import { LOW_STOCK_THRESHOLD, ORDERINGS, STOCK_FILTERS } from './products.queries.ts';
import { getProduct, listLocations, listProducts } from './products.service.ts';
import { PRODUCT_STATUSES, QUANTITY_NAMES } from './schema.ts';

const money = z.string().meta({ description: 'A decimal string, never a float', example: '19.99' });
const timestamp = z.string().meta({ format: 'date-time' });

const imageFields = {
  url: z.string(),
  alt_text: z.string().nullable(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
};
const catalogImage = z.object(imageFields).meta({ id: 'CatalogImage' });

const productFields = {
  id: z.string(),
  shopify_id: z.string().meta({ example: 'gid://shopify/Product/123' }),
  store: z.string().meta({ description: 'The store connection id' }),
  title: z.string(),
  handle: z.string(),
  description: z.string().meta({ description: 'HTML' }),
  status: z.enum(PRODUCT_STATUSES),
  product_type: z.string(),
  vendor: z.string(),
  tags: z.array(z.string()),
  image: catalogImage.nullable().meta({ description: 'The first image' }),
  price_min: money.nullable(),
  price_max: money.nullable(),
  total_inventory: z.number().int().meta({ description: 'Available units at active locations' }),
  variants_count: z.number().int(),
  shopify_created_at: timestamp,
  shopify_updated_at: timestamp,
  synced_at: timestamp.meta({ description: 'When this product was last known to equal Shopify' }),
  deleted_at: timestamp.nullable(),
};
const catalogProduct = z.object(productFields).meta({ id: 'CatalogProduct' });

const quantities = z
  .object(
    Object.fromEntries(QUANTITY_NAMES.map((n) => [n, z.number().int()])) as Record<
      (typeof QUANTITY_NAMES)[number],
      z.ZodNumber
    >,
  )
  .meta({ id: 'CatalogQuantities' });

const inventoryLevel = z
  .object({
    location: z.object({ id: z.string(), shopify_id: z.string(), name: z.string(), is_active: z.boolean() }),
    quantities,
  })
  .meta({ id: 'CatalogInventoryLevel' });

const catalogVariant = z
  .object({
    id: z.string(),
    shopify_id: z.string(),
    title: z.string(),
    sku: z.string().nullable(),
    barcode: z.string().nullable(),
    price: money,
    compare_at_price: money.nullable(),
    position: z.number().int(),
    selected_options: z.array(z.object({ name: z.string(), value: z.string() })),
    inventory_quantity: z.number().int().meta({ description: 'Available units at active locations' }),
    inventory_levels: z.array(inventoryLevel),
  })
  .meta({ id: 'CatalogVariant' });

const catalogProductDetail = z
  .object({
    ...productFields,
    options: z.array(z.object({ name: z.string(), values: z.array(z.string()) })),
    images: z.array(z.object({ ...imageFields, position: z.number().int() }).meta({ id: 'CatalogProductImage' })),
    variants: z.array(catalogVariant),
  })
  .meta({ id: 'CatalogProductDetail' });

const catalogLocation = z
  .object({
    id: z.string(),
    shopify_id: z.string(),
    store: z.string(),
    name: z.string(),
    is_active: z.boolean(),
    fulfills_online_orders: z.boolean(),
    ships_inventory: z.boolean(),
    address: z.record(z.string(), z.string().nullable()).nullable(),
    product_count: z.number().int().meta({ description: 'Live products with stock rows here' }),
    totals: quantities.meta({ description: "Sums over live variants' levels here" }),
  })
  .meta({ id: 'CatalogLocation' });

const oneOf = (name: string, values: readonly string[]) => `${name} must be one of: ${values.join(', ')}.`;

/** Free text of a filter: bounded, without NUL (which PostgreSQL text cannot hold). */
const filterText = (name: string) => text(200, name).trim();

const storeFilter = uuidParam('store').optional().meta({ description: 'A store connection id' });

const productsQuery = pageQuery
  .extend({
    search: filterText('search')
      .optional()
      .meta({ description: 'A substring of the title, vendor, type, tags, SKUs or barcodes (any case)' }),
    store: storeFilter,
    status: z
      .string()
      .transform((s) => s.toUpperCase())
      .pipe(z.enum(PRODUCT_STATUSES, { error: oneOf('status', PRODUCT_STATUSES) }))
      .optional()
      .meta({ description: 'ACTIVE, DRAFT or ARCHIVED (any case)' }),
    vendor: filterText('vendor').optional().meta({ description: 'Exact, any case' }),
    product_type: filterText('product_type').optional().meta({ description: 'Exact, any case' }),
    tag: filterText('tag').optional().meta({ description: 'Exact, any case' }),
    stock: z
      .enum(STOCK_FILTERS, { error: oneOf('stock', STOCK_FILTERS) })
      .optional()
      .meta({ description: `in: some available; out: none; low: 1 to ${LOW_STOCK_THRESHOLD}` }),
    include_deleted: z
      .enum(['true', 'false'], { error: 'include_deleted must be true or false.' })
      .default('false')
      .transform((v) => v === 'true'),
    ordering: z
      .enum(ORDERINGS, { error: oneOf('ordering', ORDERINGS) })
      .default('title')
      .meta({ description: 'A leading "-" sorts descending; ties are broken by id' }),
  })
  .strict();

export const catalogRoutes: FastifyPluginAsyncZod = async (app) => {
  app.addHook('preHandler', requireAuth);
  const tags = ['catalog'];
  const security = [{ bearer: [] }];

  app.get(
    '/api/shopify/products/',
    {
      schema: {
        tags,
        security,
        summary: "The organization's products, searched, filtered and ordered",
        querystring: productsQuery,
        response: { 200: pageOf(catalogProduct), ...errorResponses(400, 401) },
      },
      onSend: conditionalGet,
    },
    async (request) => {
      const { page, page_size, ordering, product_type, include_deleted, ...filters } = request.query;
      const { count, results } = await listProducts(
        app.db,
        authOf(request),
        { ...filters, productType: product_type, includeDeleted: include_deleted },
        { ordering, limit: page_size, offset: offsetOf(request.query) },
      );
      return paginated(request, request.query, count, results);
    },
  );

  app.get(
    '/api/shopify/products/:id/',
    {
      schema: {
        tags,
        security,
        summary: 'One product with its options, images, variants and per-location stock (deleted ones too)',
        params: z.object({ id: uuidParam('id') }),
        response: { 200: catalogProductDetail, ...errorResponses(400, 401, 404) },
      },
      onSend: conditionalGet,
    },
    async (request) => getProduct(app.db, authOf(request), request.params.id),
  );

  app.get(
    '/api/shopify/locations/',
    {
      schema: {
        tags,
        security,
        summary: "The stores' locations, with the products and quantities stocked at each",
        querystring: pageQuery.extend({ store: storeFilter }).strict(),
        response: { 200: pageOf(catalogLocation), ...errorResponses(400, 401) },
      },
    },
    async (request) => {
      const q = request.query;
      const { count, results } = await listLocations(
        app.db,
        authOf(request),
        { store: q.store },
        { limit: q.page_size, offset: offsetOf(q) },
      );
      return paginated(request, q, count, results);
    },
  );
};
