'use client';

import { Alert, Stack, Text, Title } from '@mantine/core';
import { canManageTeam, useCurrentUser } from '../../../../../components/current-user';
import { useShopifyStatus } from '../../../../../lib/shopify';
import { ConnectForm } from './connect-form';
import { StoresSection } from './stores-section';

export function ShopifySettings() {
  const user = useCurrentUser();
  // The API lets owners and admins manage connections; members only look.
  const manager = canManageTeam(user);
  const status = useShopifyStatus(user.organization.id);

  return (
    <Stack gap="xl">
      <div>
        <Title order={1}>Shopify</Title>
        <Text c="dimmed">
          Connect the Shopify stores of {user.organization.name} to sync their products and inventory.
        </Text>
      </div>
      {!manager && (
        <Alert variant="light" color="gray">
          Only owners and admins can connect, test or disconnect stores. You can see how they are doing here.
        </Alert>
      )}
      <StoresSection orgId={user.organization.id} status={status} manager={manager} />
      {manager && <ConnectForm orgId={user.organization.id} oauthAvailable={status.data?.oauth_available ?? false} />}
    </Stack>
  );
}
