'use client';

import { Badge, Group, Paper, SimpleGrid, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { useCurrentUser } from '../../../components/current-user';
import { NoStoreConnected, NotSyncedYet, QueryErrorState } from '../../../components/states';
import type { CatalogLocation } from '../../../lib/api-types';
import { useLocations } from '../../../lib/locations';
import { QUANTITY_LABELS, QUANTITY_NAMES } from '../../../lib/products';
import { storeLabel, useShopifyStatus } from '../../../lib/shopify';

const count = new Intl.NumberFormat();

// A squeezed table column would otherwise cut the word to "Act…".
const UNSHRUNK = { minWidth: 'max-content' } as const;

function ActiveBadge({ location }: { location: CatalogLocation }) {
  return location.is_active ? (
    <Badge color="teal" variant="light" size="sm" style={UNSHRUNK}>
      Active
    </Badge>
  ) : (
    <Badge color="gray" variant="light" size="sm" style={UNSHRUNK}>
      Inactive
    </Badge>
  );
}

// Twelve columns do not fit a tablet: the table scrolls inside its own box there, never the page.
function LocationsTable({ locations, stores }: { locations: CatalogLocation[]; stores: Map<string, string> }) {
  return (
    <Table.ScrollContainer
      minWidth={1100}
      visibleFrom="md"
      type="native"
      // A box that may scroll must be reachable and named for the keyboard and screen readers.
      tabIndex={0}
      role="region"
      aria-label="Locations table"
    >
      <Table highlightOnHover verticalSpacing="xs" aria-label="Locations" data-testid="locations-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Location</Table.Th>
            <Table.Th>Store</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th ta="right">Products</Table.Th>
            {QUANTITY_NAMES.map((name) => (
              <Table.Th key={name} ta="right">
                {QUANTITY_LABELS[name]}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {locations.map((l) => (
            <Table.Tr key={l.id} data-testid="location-row" data-location={l.name}>
              <Table.Th scope="row" fw={600}>
                {l.name}
              </Table.Th>
              <Table.Td>{stores.get(l.store) ?? '—'}</Table.Td>
              <Table.Td>
                <ActiveBadge location={l} />
              </Table.Td>
              <Table.Td ta="right" data-quantity="product_count">
                {l.product_count}
              </Table.Td>
              {QUANTITY_NAMES.map((name) => (
                <Table.Td key={name} ta="right" data-quantity={name}>
                  {l.totals[name]}
                </Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function Figure({ label, value, name }: { label: string; value: number; name: string }) {
  return (
    <div>
      <Text component="dt" size="xs" c="dimmed">
        {label}
      </Text>
      <Text component="dd" size="sm" fw={500} m={0} data-quantity={name}>
        {count.format(value)}
      </Text>
    </div>
  );
}

function LocationCards({ locations, stores }: { locations: CatalogLocation[]; stores: Map<string, string> }) {
  return (
    <Stack gap="xs" hiddenFrom="md" component="ul" m={0} p={0} style={{ listStyle: 'none' }} aria-label="Locations">
      {locations.map((l) => (
        <Paper key={l.id} withBorder p="sm" component="li" data-testid="location-card" data-location={l.name}>
          <Stack gap="xs">
            <Group justify="space-between" wrap="nowrap" align="flex-start">
              <div style={{ minWidth: 0 }}>
                <Title order={2} fz="md" style={{ overflowWrap: 'anywhere' }}>
                  {l.name}
                </Title>
                <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
                  {stores.get(l.store) ?? '—'}
                </Text>
              </div>
              <ActiveBadge location={l} />
            </Group>
            <SimpleGrid component="dl" cols={{ base: 2, xs: 3 }} spacing="xs" verticalSpacing={6} m={0}>
              <Figure label="Products" value={l.product_count} name="product_count" />
              {QUANTITY_NAMES.map((name) => (
                <Figure key={name} label={QUANTITY_LABELS[name]} value={l.totals[name]} name={name} />
              ))}
            </SimpleGrid>
          </Stack>
        </Paper>
      ))}
    </Stack>
  );
}

export function LocationsView() {
  const orgId = useCurrentUser().organization.id;
  const status = useShopifyStatus(orgId);
  const locations = useLocations(orgId);
  const stores = new Map((status.data?.stores ?? []).map((s) => [s.id, storeLabel(s)]));

  let body: ReactNode;
  if (locations.isPending || status.isPending) {
    body = (
      <Stack gap="xs" role="status" aria-label="Loading locations">
        {[0, 1, 2].map((i) => (
          <Skeleton key={i} h={56} />
        ))}
      </Stack>
    );
  } else if (locations.isError) {
    body = <QueryErrorState query={locations} title="Could not load the locations" />;
  } else if (locations.data.length === 0) {
    body =
      (status.data?.stores.length ?? 0) > 0 ? (
        <NotSyncedYet
          title="No locations yet"
          description="Your store's locations appear here after its first sync. Start it from the Shopify settings."
        />
      ) : (
        <NoStoreConnected description="Connect a Shopify store to bring in its locations and the stock held at each." />
      );
  } else {
    body = (
      <>
        <LocationsTable locations={locations.data} stores={stores} />
        <LocationCards locations={locations.data} stores={stores} />
      </>
    );
  }

  return (
    <Stack gap="md">
      <div>
        <Title order={1}>Locations</Title>
        <Text c="dimmed">
          Where your stores keep stock: the products stocked at each location and the sum of every quantity held there.
        </Text>
      </div>
      {status.isError && <QueryErrorState query={status} title="Could not load the stores" />}
      {body}
    </Stack>
  );
}
