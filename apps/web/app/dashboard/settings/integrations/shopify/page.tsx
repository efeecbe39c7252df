import { Badge, Card, Group, Stack, Text, Title } from '@mantine/core';
import type { Metadata } from 'next';

export const metadata: Metadata = { title: 'Shopify integration' };

// A placeholder so the navigation already has its final shape; the connect flow comes later.
export default function ShopifyIntegrationPage() {
  return (
    <Stack gap="lg">
      <Group gap="sm">
        <Title order={1}>Shopify integration</Title>
        <Badge variant="light" color="gray">
          Coming soon
        </Badge>
      </Group>
      <Card withBorder padding="lg">
        <Text fw={600}>Coming soon</Text>
        <Text size="sm" c="dimmed">
          Connecting Shopify stores is on its way. Once it lands you will connect a store here and follow its syncs
          live.
        </Text>
      </Card>
    </Stack>
  );
}
