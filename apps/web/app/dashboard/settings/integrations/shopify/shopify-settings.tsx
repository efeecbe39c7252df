'use client';

import { Alert, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useEffect, useState } from 'react';
import { canManageTeam, useCurrentUser } from '../../../../../components/current-user';
import { readOauthReturn, useShopifyStatus } from '../../../../../lib/shopify';
import { ConnectForm } from './connect-form';
import { StoresSection } from './stores-section';

export function ShopifySettings() {
  const user = useCurrentUser();
  // The API lets owners and admins manage connections; members only look.
  const manager = canManageTeam(user);
  const status = useShopifyStatus(user.organization.id);
  const [installError, setInstallError] = useState<string | null>(null);

  // Back from an OAuth install: the API's callback reports the outcome in the query. Shown once, then
  // dropped from the address so a reload does not repeat it.
  useEffect(() => {
    const result = readOauthReturn(window.location.search);
    if (!result) return;
    const url = new URL(window.location.href);
    for (const key of ['oauth', 'reason', 'shop']) url.searchParams.delete(key);
    window.history.replaceState(window.history.state, '', `${url.pathname}${url.search}${url.hash}`);
    if (result.outcome === 'connected') {
      notifications.show({
        color: 'teal',
        title: `${result.shop} is connected`,
        message: 'The app was installed and its access tokens are stored encrypted.',
      });
    } else {
      setInstallError(result.reason);
    }
  }, []);

  return (
    <Stack gap="xl">
      <div>
        <Title order={1}>Shopify</Title>
        <Text c="dimmed">
          Connect the Shopify stores of {user.organization.name} to sync their products and inventory.
        </Text>
      </div>
      {installError && (
        <Alert
          color="red"
          variant="light"
          role="alert"
          title="The store was not installed"
          withCloseButton
          closeButtonLabel="Dismiss"
          onClose={() => setInstallError(null)}
        >
          {installError}
        </Alert>
      )}
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
