'use client';

import {
  Anchor,
  Badge,
  Box,
  Button,
  Group,
  Pagination,
  Paper,
  Select,
  SimpleGrid,
  Skeleton,
  Stack,
  Switch,
  Table,
  Text,
  Title,
  UnstyledButton,
  VisuallyHidden,
} from '@mantine/core';
import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { type ReactNode, useId, useMemo, useState } from 'react';
import { useCurrentUser } from '../../../components/current-user';
import { DebouncedTextInput } from '../../../components/debounced-input';
import { EmptyBox, NoStoreConnected, NotSyncedYet, QueryErrorState } from '../../../components/states';
import type { CatalogProduct, ShopifyConnection } from '../../../lib/api-types';
import {
  DEFAULT_QUERY,
  formatPriceRange,
  LOW_STOCK_THRESHOLD,
  type ProductQuery,
  parseProductQuery,
  productQueryString,
  type SortField,
  statusColor,
  statusLabel,
  useProducts,
} from '../../../lib/products';
import { formatRelative, storeLabel, useShopifyStatus } from '../../../lib/shopify';
import { ProductThumb } from './product-thumb';

const STATUS_OPTIONS = [
  { value: 'active', label: 'Active' },
  { value: 'draft', label: 'Draft' },
  { value: 'archived', label: 'Archived' },
];
const STOCK_OPTIONS = [
  { value: 'in', label: 'In stock' },
  { value: 'low', label: `Low stock (1 to ${LOW_STOCK_THRESHOLD})` },
  { value: 'out', label: 'Out of stock' },
];
// The direction a column sorts in when first chosen: what one usually looks for first.
const FIRST_DESCENDING: Record<SortField, boolean> = { title: false, price: false, inventory: false, updated: true };
const SORT_OPTIONS = [
  { value: 'title', label: 'Title, A to Z' },
  { value: '-title', label: 'Title, Z to A' },
  { value: 'price', label: 'Price, low to high' },
  { value: '-price', label: 'Price, high to low' },
  { value: 'inventory', label: 'Stock, low to high' },
  { value: '-inventory', label: 'Stock, high to low' },
  { value: '-updated', label: 'Recently updated' },
  { value: 'updated', label: 'Least recently updated' },
];

const FILTER_KEYS = ['search', 'store', 'status', 'vendor', 'product_type', 'tag', 'stock', 'include_deleted'] as const;
const filtered = (q: ProductQuery) => FILTER_KEYS.some((k) => q[k] !== DEFAULT_QUERY[k]);

/** The view state of the list lives in the URL, so a copied link shows the same view and history works. */
function useProductQuery(): [ProductQuery, (patch: Partial<ProductQuery>) => void] {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const raw = searchParams.toString();
  const query = useMemo(() => parseProductQuery(new URLSearchParams(raw)), [raw]);
  const update = (patch: Partial<ProductQuery>) => {
    // Any change but turning the page starts from the first page: page 4 of another filter means nothing.
    const next = { ...query, page: 1, ...patch };
    const qs = productQueryString(next);
    router.push(qs ? `${pathname}?${qs}` : pathname, { scroll: false });
  };
  return [query, update];
}

export function ProductsView() {
  const user = useCurrentUser();
  const orgId = user.organization.id;
  const [query, setQuery] = useProductQuery();
  const status = useShopifyStatus(orgId);
  const products = useProducts(orgId, query);
  const stores = status.data?.stores ?? [];
  const storesById = new Map(stores.map((s) => [s.id, s]));

  let body: ReactNode;
  if (products.isPending || status.isPending) {
    body = (
      <Stack gap="xs" role="status" aria-label="Loading products">
        {[0, 1, 2, 3, 4].map((i) => (
          <Skeleton key={i} h={56} />
        ))}
      </Stack>
    );
  } else if (products.isError && !products.data) {
    body = <QueryErrorState query={products} title="Could not load the products" />;
  } else if (products.data.count === 0) {
    body = filtered(query) ? (
      <EmptyBox
        title="No products match"
        description="Nothing in your catalog matches this search and these filters."
        action={
          <Button variant="light" onClick={() => setQuery(clearedFilters)}>
            Clear filters
          </Button>
        }
      />
    ) : (
      <EmptyCatalog hasStores={stores.length > 0} />
    );
  } else {
    const { count, results } = products.data;
    const pages = Math.ceil(count / query.page_size);
    body = (
      <Stack gap="md">
        <ProductTable products={results} stores={storesById} query={query} onSort={setQuery} />
        <ProductCards products={results} stores={storesById} />
        {pages > 1 && (
          <Group justify="center" component="nav" aria-label="Pages">
            <Pagination
              total={pages}
              value={Math.min(query.page, pages)}
              onChange={(page) => setQuery({ page })}
              getControlProps={(control) => ({ 'aria-label': `${control} page` })}
              getItemProps={(page) => ({
                'aria-label': `Page ${page}`,
                'aria-current': page === query.page ? 'page' : undefined,
              })}
              siblings={1}
            />
          </Group>
        )}
      </Stack>
    );
  }

  const count = products.data?.count;
  return (
    <Stack gap="lg">
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={1}>Products</Title>
          <Text c="dimmed">Every product of your connected stores, as last synced.</Text>
        </div>
        {count !== undefined && (
          <Text size="sm" c="dimmed" role="status" aria-live="polite" data-testid="products-count">
            {count} {count === 1 ? 'product' : 'products'}
          </Text>
        )}
      </Group>
      {status.isError && <QueryErrorState query={status} title="Could not load your stores" />}
      <Filters query={query} onChange={setQuery} stores={stores} />
      <Box aria-busy={products.isFetching}>{body}</Box>
    </Stack>
  );
}

const clearedFilters: Partial<ProductQuery> = Object.fromEntries(FILTER_KEYS.map((k) => [k, DEFAULT_QUERY[k]]));

function Filters({
  query,
  onChange,
  stores,
}: {
  query: ProductQuery;
  onChange: (patch: Partial<ProductQuery>) => void;
  stores: ShopifyConnection[];
}) {
  // On a phone the filters would fill the first screen: there they fold behind a button that says
  // how many are set. The search stays in view, being what one reaches for first.
  const [opened, setOpened] = useState(false);
  const panelId = useId();
  const active = FILTER_KEYS.filter((k) => k !== 'search' && query[k] !== DEFAULT_QUERY[k]).length;
  return (
    <Paper withBorder p="md" component="section" aria-label="Search and filters">
      <Stack gap="sm">
        <Group gap="sm" align="flex-end" wrap="nowrap">
          <DebouncedTextInput
            label="Search"
            description="Title, vendor, type, tags, SKUs or barcodes"
            placeholder="Search products"
            type="search"
            value={query.search}
            onCommit={(search) => onChange({ search })}
            style={{ flex: 1, minWidth: 0 }}
          />
          <Button
            hiddenFrom="sm"
            variant="default"
            aria-label={active > 0 ? `Filters, ${active} active` : 'Filters'}
            aria-expanded={opened}
            aria-controls={panelId}
            onClick={() => setOpened((o) => !o)}
            data-testid="filters-toggle"
            rightSection={
              active > 0 ? (
                <Badge size="sm" circle aria-hidden="true">
                  {active}
                </Badge>
              ) : undefined
            }
          >
            Filters
          </Button>
        </Group>
        <Stack gap="sm" id={panelId} visibleFrom={opened ? undefined : 'sm'} data-testid="filters-panel">
          <SimpleGrid cols={{ base: 1, xs: 2, md: 3 }} spacing="sm">
            {stores.length > 0 && (
              <Select
                label="Store"
                placeholder="All stores"
                clearable
                data={stores.map((s) => ({ value: s.id, label: storeLabel(s) }))}
                value={query.store || null}
                onChange={(store) => onChange({ store: store ?? '' })}
              />
            )}
            <Select
              label="Status"
              placeholder="Any status"
              clearable
              data={STATUS_OPTIONS}
              value={query.status || null}
              onChange={(value) => onChange({ status: (value ?? '') as ProductQuery['status'] })}
            />
            <Select
              label="Stock"
              placeholder="Any stock"
              clearable
              data={STOCK_OPTIONS}
              value={query.stock || null}
              onChange={(value) => onChange({ stock: (value ?? '') as ProductQuery['stock'] })}
            />
            <DebouncedTextInput
              label="Vendor"
              placeholder="Exact vendor"
              value={query.vendor}
              onCommit={(vendor) => onChange({ vendor })}
            />
            <DebouncedTextInput
              label="Type"
              placeholder="Exact product type"
              value={query.product_type}
              onCommit={(product_type) => onChange({ product_type })}
            />
            <DebouncedTextInput
              label="Tag"
              placeholder="Exact tag"
              value={query.tag}
              onCommit={(tag) => onChange({ tag })}
            />
          </SimpleGrid>
          <Group justify="space-between" gap="sm">
            <Switch
              label="Show deleted"
              description="Products deleted in Shopify"
              checked={query.include_deleted}
              onChange={(event) => onChange({ include_deleted: event.currentTarget.checked })}
            />
            {/* Only as wide as a phone allows; the table's headers sort on wider screens. */}
            <Select
              hiddenFrom="sm"
              label="Sort by"
              data={SORT_OPTIONS}
              allowDeselect={false}
              value={`${query.descending ? '-' : ''}${query.sort}`}
              onChange={(value) =>
                value && onChange({ sort: value.replace('-', '') as SortField, descending: value.startsWith('-') })
              }
            />
            {filtered(query) && (
              <Button variant="subtle" size="xs" onClick={() => onChange(clearedFilters)}>
                Clear filters
              </Button>
            )}
          </Group>
        </Stack>
      </Stack>
    </Paper>
  );
}

function SortHeader({
  field,
  label,
  query,
  onSort,
  align = 'left',
  visibleFrom,
}: {
  field: SortField;
  label: string;
  query: ProductQuery;
  onSort: (patch: Partial<ProductQuery>) => void;
  align?: 'left' | 'right';
  visibleFrom?: 'md' | 'lg';
}) {
  const active = query.sort === field;
  const direction = active ? (query.descending ? 'descending' : 'ascending') : 'none';
  return (
    <Table.Th aria-sort={direction} ta={align} visibleFrom={visibleFrom}>
      <UnstyledButton
        onClick={() => onSort({ sort: field, descending: active ? !query.descending : FIRST_DESCENDING[field] })}
        fw={700}
        fz="sm"
        style={{ whiteSpace: 'nowrap' }}
      >
        {label}
        <Text span c={active ? undefined : 'dimmed'} aria-hidden="true" ml={4}>
          {active ? (query.descending ? '↓' : '↑') : '↕'}
        </Text>
      </UnstyledButton>
    </Table.Th>
  );
}

function DeletedBadge({ product }: { product: CatalogProduct }) {
  if (!product.deleted_at) return null;
  return (
    <Badge color="red" variant="outline" size="sm">
      Deleted
    </Badge>
  );
}

/** Kept products of a store that no longer syncs: browsable, but no longer kept up to date. */
function StoreGoneBadge({ store }: { store: ShopifyConnection | undefined }) {
  if (store?.state !== 'disconnected' && store?.state !== 'uninstalled') return null;
  return (
    <Badge color="gray" variant="outline" size="sm" data-testid="store-gone">
      {store.state === 'disconnected' ? 'From a disconnected store' : 'Store uninstalled'}
    </Badge>
  );
}

function ProductTable({
  products,
  stores,
  query,
  onSort,
}: {
  products: CatalogProduct[];
  stores: Map<string, ShopifyConnection>;
  query: ProductQuery;
  onSort: (patch: Partial<ProductQuery>) => void;
}) {
  // Image, title, status, price and stock at every width that shows the table; the rest as room allows.
  return (
    <Table visibleFrom="sm" highlightOnHover verticalSpacing="xs" aria-label="Products" data-testid="products-table">
      <Table.Thead>
        <Table.Tr>
          <Table.Th w={64}>
            <VisuallyHidden>Image</VisuallyHidden>
          </Table.Th>
          <SortHeader field="title" label="Title" query={query} onSort={onSort} />
          <Table.Th>Status</Table.Th>
          <Table.Th visibleFrom="md">Vendor</Table.Th>
          <Table.Th visibleFrom="lg">Type</Table.Th>
          <Table.Th visibleFrom="md" ta="right">
            Variants
          </Table.Th>
          <SortHeader field="price" label="Price" query={query} onSort={onSort} align="right" />
          <SortHeader field="inventory" label="Stock" query={query} onSort={onSort} align="right" />
          <SortHeader field="updated" label="Updated" query={query} onSort={onSort} visibleFrom="lg" />
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {products.map((p) => (
          <Table.Tr key={p.id} data-testid="product-row">
            <Table.Td>
              <ProductThumb image={p.image} />
            </Table.Td>
            <Table.Td>
              <Group gap="xs" wrap="nowrap">
                <Anchor component={Link} href={`/dashboard/products/${p.id}`} fw={600} size="sm">
                  {p.title}
                </Anchor>
                <DeletedBadge product={p} />
                <StoreGoneBadge store={stores.get(p.store)} />
              </Group>
              <FoldedColumns product={p} />
            </Table.Td>
            <Table.Td>
              <Badge color={statusColor[p.status]} variant="light">
                {statusLabel[p.status]}
              </Badge>
            </Table.Td>
            <Table.Td visibleFrom="md">{p.vendor || '—'}</Table.Td>
            <Table.Td visibleFrom="lg">{p.product_type || '—'}</Table.Td>
            <Table.Td visibleFrom="md" ta="right">
              {p.variants_count}
            </Table.Td>
            <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
              {formatPriceRange(p.price_min, p.price_max, stores.get(p.store)?.currency) ?? '—'}
            </Table.Td>
            <Table.Td ta="right" data-testid="product-stock">
              {p.total_inventory}
            </Table.Td>
            <Table.Td visibleFrom="lg" style={{ whiteSpace: 'nowrap' }}>
              <time dateTime={p.shopify_updated_at}>{formatRelative(p.shopify_updated_at)}</time>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** What the columns hidden at narrower widths hold, under the title there, so no width loses it. */
function FoldedColumns({ product }: { product: CatalogProduct }) {
  const variants = `${product.variants_count} ${product.variants_count === 1 ? 'variant' : 'variants'}`;
  return (
    <Text size="xs" c="dimmed" hiddenFrom="lg">
      {/* Vendor and variants have their columns from md, type and updated from lg. */}
      <Text span inherit hiddenFrom="md">
        {[product.vendor, variants].filter(Boolean).join(' · ')} ·{' '}
      </Text>
      {product.product_type ? `${product.product_type} · ` : ''}updated{' '}
      <time dateTime={product.shopify_updated_at}>{formatRelative(product.shopify_updated_at)}</time>
    </Text>
  );
}

/** Phones get one card per product: a table would scroll sideways. */
function ProductCards({ products, stores }: { products: CatalogProduct[]; stores: Map<string, ShopifyConnection> }) {
  return (
    <Stack gap="xs" hiddenFrom="sm" component="ul" m={0} p={0} style={{ listStyle: 'none' }} aria-label="Products">
      {products.map((p) => (
        <Paper key={p.id} withBorder p="sm" component="li">
          <Group gap="sm" wrap="nowrap" align="flex-start">
            <ProductThumb image={p.image} size={56} />
            <Stack gap={4} style={{ minWidth: 0 }}>
              <Anchor
                component={Link}
                href={`/dashboard/products/${p.id}`}
                fw={600}
                size="sm"
                style={{ overflowWrap: 'anywhere' }}
              >
                {p.title}
              </Anchor>
              <Group gap={6}>
                <Badge color={statusColor[p.status]} variant="light" size="sm">
                  {statusLabel[p.status]}
                </Badge>
                <DeletedBadge product={p} />
                <StoreGoneBadge store={stores.get(p.store)} />
              </Group>
              <Text size="xs" c="dimmed">
                {formatPriceRange(p.price_min, p.price_max, stores.get(p.store)?.currency) ?? 'No price'} ·{' '}
                {p.total_inventory} in stock · {p.variants_count} {p.variants_count === 1 ? 'variant' : 'variants'}
              </Text>
            </Stack>
          </Group>
        </Paper>
      ))}
    </Stack>
  );
}

function EmptyCatalog({ hasStores }: { hasStores: boolean }) {
  return hasStores ? (
    <NotSyncedYet
      title="No products yet"
      description="Your store is connected, but no products have been synced yet. A store's first sync starts when it is connected: follow it, or start another, in the Shopify settings. Products appear here as it runs."
    />
  ) : (
    <NoStoreConnected description="Connect a Shopify store to bring in its products, variants and stock levels." />
  );
}
