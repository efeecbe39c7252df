'use client';

import { Badge, Button, Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { useCurrentUser } from '../../components/current-user';
import { roleLabel } from '../../lib/invitations';
import { useShopifyStatus } from '../../lib/shopify';

function FeatureCard({ title, badge, children }: { title: string; badge?: string; children: ReactNode }) {
  return (
    <Card withBorder padding="lg" component="section" aria-label={title}>
      <Group justify="space-between" mb="xs">
        <Title order={2} fz="h4">
          {title}
        </Title>
        {badge && (
          <Badge variant="light" color="gray">
            {badge}
          </Badge>
        )}
      </Group>
      <Stack gap="sm">{children}</Stack>
    </Card>
  );
}

/** How many stores are connected, and whether any needs attention. */
function StoresSummary({ orgId }: { orgId: string }) {
  const status = useShopifyStatus(orgId);
  if (status.isPending)
    return (
      <Text size="sm" c="dimmed">
        Loading stores…
      </Text>
    );
  if (status.isError)
    return (
      <Text size="sm" c="red">
        The stores could not be loaded.
      </Text>
    );
  const stores = status.data.stores;
  const connected = stores.filter((s) => s.state === 'connected').length;
  const attention = stores.filter((s) => s.state === 'error' || s.state === 'uninstalled').length;
  if (stores.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        No store connected yet. Connect a Shopify store to bring in its products, locations and stock levels.
      </Text>
    );
  }
  return (
    <Text size="sm" data-testid="stores-summary">
      {connected} of {stores.length} store{stores.length === 1 ? '' : 's'} connected
      {attention > 0 ? `; ${attention} need${attention === 1 ? 's' : ''} attention.` : '.'}
    </Text>
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

      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
        <FeatureCard title="Organization">
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
        </FeatureCard>

        <FeatureCard title="Shopify stores">
          <StoresSummary orgId={user.organization.id} />
          <Group>
            <Button component={Link} href="/dashboard/settings/integrations/shopify" variant="light" size="xs">
              Shopify integration
            </Button>
          </Group>
        </FeatureCard>

        <FeatureCard title="Products">
          <Text size="sm" c="dimmed">
            Every product, variant and inventory level of your stores, searchable, after the first sync.
          </Text>
          <Group>
            <Button component={Link} href="/dashboard/products" variant="light" size="xs">
              Browse products
            </Button>
          </Group>
        </FeatureCard>
      </SimpleGrid>
    </Stack>
  );
}
