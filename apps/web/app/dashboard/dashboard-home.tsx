'use client';

import { Badge, Button, Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { useCurrentUser } from '../../components/current-user';
import { roleLabel } from '../../lib/invitations';

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

        <FeatureCard title="Shopify stores" badge="Coming soon">
          <Text size="sm" c="dimmed">
            No store connected yet. Connect a Shopify store to bring in its products, locations and stock levels.
          </Text>
          <Group>
            <Button component={Link} href="/dashboard/settings/integrations/shopify" variant="light" size="xs">
              Shopify integration
            </Button>
          </Group>
        </FeatureCard>

        <FeatureCard title="Products" badge="Coming soon">
          <Text size="sm" c="dimmed">
            Your catalog will appear here after the first sync: every product, variant and inventory level, searchable.
          </Text>
        </FeatureCard>
      </SimpleGrid>
    </Stack>
  );
}
