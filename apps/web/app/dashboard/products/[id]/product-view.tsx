'use client';

import {
  Alert,
  Anchor,
  Badge,
  Box,
  Button,
  Group,
  Image,
  Paper,
  SimpleGrid,
  Skeleton,
  Stack,
  Table,
  Text,
  Title,
  Typography,
  UnstyledButton,
} from '@mantine/core';
import Link from 'next/link';
import { type ReactNode, useMemo, useState } from 'react';
import { useCurrentUser } from '../../../../components/current-user';
import { QueryErrorState } from '../../../../components/states';
import { ApiError } from '../../../../lib/api-client';
import type { CatalogProductDetail, CatalogVariant } from '../../../../lib/api-types';
import { formatDate } from '../../../../lib/invitations';
import {
  formatMoney,
  QUANTITY_LABELS,
  QUANTITY_NAMES,
  shopifyAdminProductUrl,
  statusColor,
  statusLabel,
  useProduct,
} from '../../../../lib/products';
import { sanitizeDescription } from '../../../../lib/sanitize';
import { formatRelative, useShopifyStatus } from '../../../../lib/shopify';
import { IMAGE_FALLBACK } from '../product-thumb';

const BACK = (
  <Anchor component={Link} href="/dashboard/products" size="sm">
    ← All products
  </Anchor>
);

function Section({ title, children }: { title: string; children: ReactNode }) {
  const id = `section-${title.toLowerCase().replace(/\W+/g, '-')}`;
  return (
    <Paper withBorder p="md" component="section" aria-labelledby={id}>
      <Title order={2} fz="h4" id={id} mb="sm">
        {title}
      </Title>
      {children}
    </Paper>
  );
}

export function ProductView({ id }: { id: string }) {
  const user = useCurrentUser();
  const orgId = user.organization.id;
  const product = useProduct(orgId, id);
  const status = useShopifyStatus(orgId);

  if (product.isPending) {
    return (
      <Stack gap="md" role="status" aria-label="Loading the product">
        {BACK}
        <Skeleton h={40} w="60%" />
        <Skeleton h={240} />
      </Stack>
    );
  }
  if (product.isError) {
    const missing = product.error instanceof ApiError && (product.error.status === 404 || product.error.status === 400);
    return (
      <Stack gap="md">
        {BACK}
        {missing ? (
          <Paper withBorder p="xl" ta="center">
            <Title order={1} fz="h3" mb="xs">
              Product not found
            </Title>
            <Text c="dimmed" mb="md">
              This product is not in your catalog. It may belong to a store that was removed, or the link is wrong.
            </Text>
            <Button component={Link} href="/dashboard/products" variant="light">
              Back to products
            </Button>
          </Paper>
        ) : (
          <QueryErrorState query={product} title="Could not load the product" />
        )}
      </Stack>
    );
  }

  const p = product.data;
  const store = status.data?.stores.find((s) => s.id === p.store);
  const adminUrl = store ? shopifyAdminProductUrl(store.shop_domain, p.shopify_id) : null;
  const currency = store?.currency;

  return (
    <Stack gap="lg">
      {BACK}
      <Group justify="space-between" align="flex-start" gap="sm">
        <Stack gap={4} style={{ minWidth: 0 }}>
          <Title order={1} style={{ overflowWrap: 'anywhere' }}>
            {p.title}
          </Title>
          <Group gap="xs">
            <Badge color={statusColor[p.status]} variant="light">
              {statusLabel[p.status]}
            </Badge>
            {store && (
              <Text size="sm" c="dimmed">
                {store.shop_name ?? store.shop_domain}
              </Text>
            )}
            <Text size="sm" c="dimmed" data-testid="product-synced">
              Last synced{' '}
              <time dateTime={p.synced_at} title={formatDate(p.synced_at)}>
                {formatRelative(p.synced_at)}
              </time>
            </Text>
          </Group>
        </Stack>
        {adminUrl && (
          <Button component="a" href={adminUrl} target="_blank" rel="noopener noreferrer" variant="default">
            Open in Shopify admin
          </Button>
        )}
      </Group>

      {p.deleted_at && (
        <Alert color="red" variant="light" title="Deleted in Shopify" role="status">
          This product was deleted in Shopify {formatRelative(p.deleted_at)} ({formatDate(p.deleted_at)}). It is kept
          here for its history and no longer syncs.
        </Alert>
      )}

      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
        <Gallery images={p.images} title={p.title} />
        <Stack gap="lg">
          <Section title="Details">
            <SimpleGrid component="dl" cols={2} m={0} spacing="sm">
              <Detail label="Vendor">{p.vendor || '—'}</Detail>
              <Detail label="Type">{p.product_type || '—'}</Detail>
              <Detail label="Handle">{p.handle}</Detail>
              <Detail label="Stock">{p.total_inventory} available</Detail>
              <Detail label="Tags">{p.tags.length > 0 ? p.tags.join(', ') : '—'}</Detail>
              <Detail label="Updated in Shopify">
                <time dateTime={p.shopify_updated_at}>{formatDate(p.shopify_updated_at)}</time>
              </Detail>
            </SimpleGrid>
          </Section>
          {p.options.length > 0 && (
            <Section title="Options">
              <Stack gap="xs">
                {p.options.map((o) => (
                  <Group key={o.name} gap="xs">
                    <Text size="sm" fw={600}>
                      {o.name}:
                    </Text>
                    {o.values.map((v) => (
                      <Badge key={v} variant="outline" color="gray" tt="none">
                        {v}
                      </Badge>
                    ))}
                  </Group>
                ))}
              </Stack>
            </Section>
          )}
        </Stack>
      </SimpleGrid>

      <Description html={p.description} />
      <Variants variants={p.variants} currency={currency} />
      <StockByLocation variants={p.variants} />
    </Stack>
  );
}

function Detail({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text component="dt" size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text component="dd" size="sm" m={0} style={{ overflowWrap: 'anywhere' }}>
        {children}
      </Text>
    </div>
  );
}

function Gallery({ images, title }: { images: CatalogProductDetail['images']; title: string }) {
  const [selected, setSelected] = useState(0);
  if (images.length === 0) {
    return (
      <Paper withBorder p="xl" ta="center" bg="var(--mantine-color-gray-0)">
        <Text c="dimmed" size="sm">
          This product has no images.
        </Text>
      </Paper>
    );
  }
  const shown = images[Math.min(selected, images.length - 1)]!;
  return (
    <Stack gap="xs" component="section" aria-label="Images">
      <Image
        src={shown.url}
        fallbackSrc={IMAGE_FALLBACK}
        alt={shown.alt_text ?? title}
        radius="md"
        fit="contain"
        mah={420}
        bg="var(--mantine-color-gray-0)"
      />
      {images.length > 1 && (
        <Group gap="xs">
          {images.map((image, i) => (
            <UnstyledButton
              key={image.url}
              onClick={() => setSelected(i)}
              aria-label={`Show image ${i + 1} of ${images.length}`}
              aria-pressed={i === selected}
              style={{
                borderRadius: 'var(--mantine-radius-sm)',
                outline: i === selected ? '2px solid var(--mantine-color-indigo-6)' : undefined,
                outlineOffset: 2,
              }}
            >
              <Image src={image.url} fallbackSrc={IMAGE_FALLBACK} alt="" w={56} h={56} fit="cover" radius="sm" />
            </UnstyledButton>
          ))}
        </Group>
      )}
    </Stack>
  );
}

function Description({ html }: { html: string }) {
  const safe = useMemo(() => sanitizeDescription(html), [html]);
  return (
    <Section title="Description">
      {safe.trim() ? (
        <Typography>
          {/* Sanitised just above: never render the description as it came. */}
          {/* biome-ignore lint/security/noDangerouslySetInnerHtml: DOMPurify has cleaned it. */}
          <div data-testid="product-description" dangerouslySetInnerHTML={{ __html: safe }} />
        </Typography>
      ) : (
        <Text size="sm" c="dimmed">
          No description.
        </Text>
      )}
    </Section>
  );
}

const variantName = (v: CatalogVariant) => v.sku || v.title;

function Variants({ variants, currency }: { variants: CatalogVariant[]; currency: string | null | undefined }) {
  return (
    <Section title={`Variants (${variants.length})`}>
      <Table verticalSpacing="xs" aria-label="Variants" data-testid="variants-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Variant</Table.Th>
            <Table.Th visibleFrom="sm">SKU</Table.Th>
            <Table.Th visibleFrom="sm">Barcode</Table.Th>
            <Table.Th ta="right">Price</Table.Th>
            <Table.Th ta="right" visibleFrom="sm">
              Compare at
            </Table.Th>
            <Table.Th ta="right">Stock</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {variants.map((v) => (
            <Table.Tr key={v.id} data-testid="variant-row">
              <Table.Td style={{ overflowWrap: 'anywhere' }}>
                {v.title}
                <PhoneOnlyDetails variant={v} currency={currency} />
              </Table.Td>
              <Table.Td visibleFrom="sm" style={{ overflowWrap: 'anywhere' }} data-testid="variant-sku">
                {v.sku ?? '—'}
              </Table.Td>
              <Table.Td visibleFrom="sm">{v.barcode ?? '—'}</Table.Td>
              <Table.Td ta="right">{formatMoney(v.price, currency)}</Table.Td>
              <Table.Td ta="right" visibleFrom="sm">
                {v.compare_at_price ? formatMoney(v.compare_at_price, currency) : '—'}
              </Table.Td>
              <Table.Td ta="right">{v.inventory_quantity}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Section>
  );
}

/** What the columns hidden on phones hold, under the variant's name there, so a phone loses nothing. */
function PhoneOnlyDetails({ variant, currency }: { variant: CatalogVariant; currency: string | null | undefined }) {
  const details = [
    variant.sku ? `SKU ${variant.sku}` : null,
    variant.barcode ? `Barcode ${variant.barcode}` : null,
    variant.compare_at_price ? `Compare at ${formatMoney(variant.compare_at_price, currency)}` : null,
  ].filter(Boolean);
  if (details.length === 0) return null;
  return (
    <Text size="xs" c="dimmed" hiddenFrom="sm">
      {details.join(' · ')}
    </Text>
  );
}

/** One table per location: eight quantities per variant do not fit beside each other on a phone otherwise. */
function StockByLocation({ variants }: { variants: CatalogVariant[] }) {
  const locations = new Map<string, { name: string; active: boolean }>();
  for (const v of variants) {
    for (const level of v.inventory_levels) {
      locations.set(level.location.id, { name: level.location.name, active: level.location.is_active });
    }
  }
  return (
    <Section title="Stock by location">
      {locations.size === 0 ? (
        <Text size="sm" c="dimmed">
          No stock is recorded at any location.
        </Text>
      ) : (
        <Stack gap="lg">
          {[...locations].map(([locationId, location]) => (
            <Box key={locationId} data-testid="location-stock">
              <Group gap="xs" mb={4}>
                <Title order={3} fz="h5">
                  {location.name}
                </Title>
                {!location.active && (
                  <Badge size="sm" color="gray" variant="light">
                    Inactive
                  </Badge>
                )}
              </Group>
              {/* Eight quantities never fit a phone: the table scrolls in its own box, which the
                  keyboard can reach (a tab stop) and a screen reader names. */}
              <Table.ScrollContainer
                minWidth={640}
                type="native"
                tabIndex={0}
                role="region"
                aria-label={`Stock at ${location.name}`}
              >
                <Table verticalSpacing={4} fz="sm" aria-label={`Stock at ${location.name}`}>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Variant</Table.Th>
                      {QUANTITY_NAMES.map((n) => (
                        <Table.Th key={n} ta="right">
                          {QUANTITY_LABELS[n]}
                        </Table.Th>
                      ))}
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {variants.map((v) => {
                      const level = v.inventory_levels.find((l) => l.location.id === locationId);
                      return (
                        <Table.Tr key={v.id} data-sku={v.sku ?? undefined}>
                          <Table.Td style={{ overflowWrap: 'anywhere' }}>{variantName(v)}</Table.Td>
                          {QUANTITY_NAMES.map((n) => (
                            <Table.Td key={n} ta="right" data-quantity={n}>
                              {level ? level.quantities[n] : '—'}
                            </Table.Td>
                          ))}
                        </Table.Tr>
                      );
                    })}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            </Box>
          ))}
        </Stack>
      )}
    </Section>
  );
}
