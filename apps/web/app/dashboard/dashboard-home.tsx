'use client';

import { BarChart, DonutChart } from '@mantine/charts';
import { Anchor, Badge, Button, Card, Group, SimpleGrid, Skeleton, Stack, Text, Title } from '@mantine/core';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { useCurrentUser } from '../../components/current-user';
import { NoStoreConnected, QueryErrorState } from '../../components/states';
import { When } from '../../components/when';
import type { ShopifyConnection, StoreSync, SyncRun } from '../../lib/api-types';
import { roleLabel } from '../../lib/invitations';
import { useLocations } from '../../lib/locations';
import { LOW_STOCK_THRESHOLD, PRODUCT_STATUSES, statusColor, statusLabel, useProductCount } from '../../lib/products';
import { SHOPIFY_SETTINGS, stateColor, stateLabel, storeLabel, useShopifyStatus } from '../../lib/shopify';
import { SetupChecklist } from './setup-checklist';

const count = new Intl.NumberFormat();

/** A card of the dashboard, with a link to the screen that has the whole story. */
function Section({
  title,
  more,
  children,
}: {
  title: string;
  more?: { href: string; label: string };
  children: ReactNode;
}) {
  return (
    <Card withBorder padding="lg" component="section" aria-label={title}>
      <Group justify="space-between" mb="xs" gap="xs">
        <Title order={2} fz="h4">
          {title}
        </Title>
        {more && (
          <Button component={Link} href={more.href} variant="light" size="xs">
            {more.label}
          </Button>
        )}
      </Group>
      <Stack gap="sm">{children}</Stack>
    </Card>
  );
}

const runStateLabel: Record<SyncRun['state'], string> = {
  queued: 'Queued',
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
  cancelled: 'Cancelled',
};
const runStateColor: Record<SyncRun['state'], string> = {
  queued: 'gray',
  running: 'blue',
  succeeded: 'teal',
  failed: 'red',
  cancelled: 'orange',
};

/** Whether the copy can be trusted, in words: the one thing a merchant asks of a store's sync. */
function Freshness({ sync }: { sync: StoreSync }) {
  if (sync.fresh_at) {
    return (
      <>
        In step with Shopify as of <When iso={sync.fresh_at} />
      </>
    );
  }
  return sync.last_run ? 'Not yet in step with Shopify: the first sync has not finished' : 'Never synced';
}

function LastRun({ run }: { run: SyncRun | null }) {
  if (!run) return 'No sync yet';
  const at = run.finished_at ?? run.started_at ?? run.queued_at;
  return (
    <>
      <Badge color={runStateColor[run.state]} variant="light" size="sm" data-testid="store-last-run-state">
        {runStateLabel[run.state]}
      </Badge>{' '}
      {run.scope === 'full' ? 'full' : 'incremental'} sync, {run.finished_at ? 'finished' : 'started'} <When iso={at} />
    </>
  );
}

function StoreSummary({ store }: { store: ShopifyConnection & { sync: StoreSync } }) {
  const name = storeLabel(store);
  return (
    <Card withBorder padding="md" component="article" aria-label={name} data-testid="store-summary">
      <Stack gap={6}>
        <Group justify="space-between" gap="xs" align="flex-start">
          <Text fw={600} style={{ overflowWrap: 'anywhere' }}>
            {name}
          </Text>
          <Badge color={stateColor[store.state]} variant="light">
            {stateLabel[store.state]}
          </Badge>
        </Group>
        <Text size="sm" data-testid="store-freshness">
          <Freshness sync={store.sync} />
        </Text>
        <Text size="sm" data-testid="store-counts">
          {count.format(store.sync.product_count)} {store.sync.product_count === 1 ? 'product' : 'products'},{' '}
          {count.format(store.sync.variant_count)} {store.sync.variant_count === 1 ? 'variant' : 'variants'}
        </Text>
        <Text size="sm" c="dimmed" data-testid="store-last-run">
          Last run: <LastRun run={store.sync.last_run} />
        </Text>
      </Stack>
    </Card>
  );
}

/**
 * A chart with its numbers in words beside it: the picture is hidden from screen readers, the words
 * are not. Charts inside get `accessibilityLayer: false` (and a pie `rootTabIndex: -1`), or Recharts makes the
 * hidden picture a tab stop.
 */
function ChartFigure({ caption, summary, children }: { caption: string; summary: string; children: ReactNode }) {
  return (
    <Stack component="figure" gap="xs" m={0}>
      <div aria-hidden>{children}</div>
      <Text component="figcaption" size="sm" c="dimmed">
        <Text span fw={600} c="var(--mantine-color-text)">
          {caption}:
        </Text>{' '}
        <span data-testid="chart-summary">{summary}</span>
      </Text>
    </Stack>
  );
}

function StockByLocation({ orgId }: { orgId: string }) {
  const locations = useLocations(orgId);
  if (locations.isPending) return <Skeleton h={220} role="status" aria-label="Loading locations" />;
  if (locations.isError) return <QueryErrorState query={locations} title="Could not load the locations" />;
  // Inactive locations hold no sellable stock, which is what this chart is about.
  const data = locations.data.filter((l) => l.is_active).map((l) => ({ name: l.name, available: l.totals.available }));
  if (data.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        No active locations yet: they appear after the first sync.
      </Text>
    );
  }
  return (
    <ChartFigure
      caption="Available units by location"
      summary={data.map((d) => `${d.name}: ${count.format(d.available)}`).join('; ')}
    >
      <BarChart
        h={Math.max(160, data.length * 44)}
        data={data}
        dataKey="name"
        orientation="vertical"
        yAxisProps={{ width: 120 }}
        series={[{ name: 'available', label: 'Available', color: 'indigo.6' }]}
        withTooltip={false}
        withBarValueLabel
        barChartProps={{ accessibilityLayer: false }}
      />
    </ChartFigure>
  );
}

function ProductsByStatus({ orgId }: { orgId: string }) {
  const active = useProductCount(orgId, { status: 'active' });
  const draft = useProductCount(orgId, { status: 'draft' });
  const archived = useProductCount(orgId, { status: 'archived' });
  const counts = [active, draft, archived];
  const failed = counts.find((c) => c.isError);
  if (failed) return <QueryErrorState query={failed} title="Could not count the products" />;
  if (counts.some((c) => c.data === undefined))
    return <Skeleton h={220} role="status" aria-label="Counting products" />;
  const data = PRODUCT_STATUSES.map((s, i) => {
    const status = s.toUpperCase() as Uppercase<typeof s>;
    return { name: statusLabel[status], value: counts[i]?.data ?? 0, color: `${statusColor[status]}.6` };
  });
  const total = data.reduce((sum, d) => sum + d.value, 0);
  if (total === 0) {
    return (
      <Text size="sm" c="dimmed">
        No products yet: they appear after the first sync.
      </Text>
    );
  }
  return (
    <ChartFigure
      caption="Products by status"
      summary={data.map((d) => `${d.name}: ${count.format(d.value)}`).join('; ')}
    >
      <Group justify="center">
        <DonutChart
          data={data}
          withLabels
          withLabelsLine
          chartLabel={`${count.format(total)} products`}
          pieChartProps={{ accessibilityLayer: false }}
          pieProps={{ rootTabIndex: -1 }}
        />
      </Group>
    </ChartFigure>
  );
}

/** A stock filter's count, linking to the products list filtered the same way. */
function StockCount({
  orgId,
  stock,
  title,
  detail,
}: {
  orgId: string;
  stock: 'low' | 'out';
  title: string;
  detail: string;
}) {
  const products = useProductCount(orgId, { stock });
  return (
    <Stack gap={2}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {title}
      </Text>
      {products.isError ? (
        <QueryErrorState query={products} title={`Could not count the products: ${title.toLowerCase()}`} />
      ) : products.data === undefined ? (
        <Skeleton h={32} w={60} role="status" aria-label={`Counting products: ${title.toLowerCase()}`} />
      ) : (
        <Anchor
          component={Link}
          href={`/dashboard/products?stock=${stock}`}
          fz="xl"
          fw={700}
          data-testid={`${stock}-stock-link`}
        >
          {count.format(products.data)} {products.data === 1 ? 'product' : 'products'}
          <Text span size="sm" fw={400}>
            {' '}
            {detail}
          </Text>
        </Anchor>
      )}
    </Stack>
  );
}

function StockAlerts({ orgId }: { orgId: string }) {
  return (
    <SimpleGrid cols={2}>
      <StockCount orgId={orgId} stock="low" title="Low stock" detail={`with 1 to ${LOW_STOCK_THRESHOLD} left`} />
      <StockCount orgId={orgId} stock="out" title="Out of stock" detail="with none left" />
    </SimpleGrid>
  );
}

/** The stores, their freshness and what their copies hold; or the way to connect the first one. */
function Catalog({ orgId }: { orgId: string }) {
  const status = useShopifyStatus(orgId);
  if (status.isPending) return <Skeleton h={160} role="status" aria-label="Loading stores" />;
  if (status.isError) return <QueryErrorState query={status} title="Could not load the stores" />;
  const stores = status.data.stores;
  if (stores.length === 0) {
    return (
      <NoStoreConnected description="Connect a Shopify store to bring in its products, locations and stock levels." />
    );
  }
  const connected = stores.filter((s) => s.state === 'connected').length;
  const attention = stores.filter((s) => s.state === 'error' || s.state === 'uninstalled').length;
  return (
    <Stack gap="lg">
      <Section title="Shopify stores" more={{ href: SHOPIFY_SETTINGS, label: 'Manage stores' }}>
        <Text size="sm" data-testid="stores-summary">
          {connected} of {stores.length} store{stores.length === 1 ? '' : 's'} connected
          {attention > 0 ? `; ${attention} need${attention === 1 ? 's' : ''} attention.` : '.'}
        </Text>
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
          {stores.map((s) => (
            <StoreSummary key={s.id} store={s} />
          ))}
        </SimpleGrid>
      </Section>

      <Section title="Stock" more={{ href: '/dashboard/products', label: 'Browse products' }}>
        <StockAlerts orgId={orgId} />
      </Section>

      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Section title="Stock by location" more={{ href: '/dashboard/locations', label: 'All locations' }}>
          <StockByLocation orgId={orgId} />
        </Section>
        <Section title="Products by status">
          <ProductsByStatus orgId={orgId} />
        </Section>
      </SimpleGrid>
    </Stack>
  );
}

export function DashboardHome() {
  const user = useCurrentUser();
  const otherOrgs = user.organizations.length - 1;

  return (
    <Stack gap="lg">
      <div>
        <Title order={1}>Welcome, {user.username}</Title>
        <Text c="dimmed">
          You are working in <strong>{user.organization.name}</strong> as {roleLabel[user.role] ?? user.role}.
        </Text>
      </div>

      <SetupChecklist user={user} />

      <Catalog orgId={user.organization.id} />

      <Section title="Organization">
        <Text fw={600} size="lg" data-testid="active-organization">
          {user.organization.name}
        </Text>
        <Text size="sm" c="dimmed">
          {otherOrgs > 0
            ? `You belong to ${otherOrgs} other organization${otherOrgs === 1 ? '' : 's'}; switch in the header.`
            : 'This is your only organization.'}
        </Text>
        <Group>
          <Button component={Link} href="/dashboard/settings/team" variant="light" size="xs">
            Manage team
          </Button>
        </Group>
      </Section>
    </Stack>
  );
}
