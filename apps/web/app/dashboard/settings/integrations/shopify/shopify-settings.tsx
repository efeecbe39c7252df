'use client';

import { Alert, Button, Group, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useEffect, useState } from 'react';
import { canManageTeam, useCurrentUser } from '../../../../../components/current-user';
import { errorMessage } from '../../../../../lib/api-client';
import type { ShopifyConnection } from '../../../../../lib/api-types';
import { readOauthReturn, useShopifyStatus, useStartOauthInstall } from '../../../../../lib/shopify';
import { ConnectForm } from './connect-form';
import { StoresSection } from './stores-section';

export function ShopifySettings() {
  const user = useCurrentUser();
  // The API lets owners and admins manage connections; members only look.
  const manager = canManageTeam(user);
  const status = useShopifyStatus(user.organization.id);
  const [installError, setInstallError] = useState<string | null>(null);
  // Once the organization has a store, the connect form waits behind "Add store" (or a store's
  // Reconnect); with none it is the page's main action and stays open.
  const hasStores = (status.data?.stores.length ?? 0) > 0;
  const [formOpen, setFormOpen] = useState(false);
  const [reconnecting, setReconnecting] = useState<ShopifyConnection | null>(null);
  // Bumped on every opening, so the form moves focus into itself each time.
  const [focusRequest, setFocusRequest] = useState(0);
  const oauth = useStartOauthInstall();
  const showForm = !hasStores || formOpen;

  const openForm = (store: ShopifyConnection | null) => {
    setReconnecting(store);
    setFormOpen(true);
    setFocusRequest((n) => n + 1);
  };
  const closeForm = () => {
    setFormOpen(false);
    setReconnecting(null);
  };
  // An OAuth-installed store gets its tokens from Shopify again: the install flow, for that shop.
  const onReconnect = (store: ShopifyConnection) => {
    if (store.auth_method !== 'oauth') return openForm(store);
    oauth.mutate(store.shop_domain, {
      onSuccess: ({ authorize_url }) => window.location.assign(authorize_url),
      onError: (err) =>
        notifications.show({
          color: 'red',
          title: `Could not reconnect ${store.shop_name ?? store.shop_domain}`,
          message: errorMessage(err),
        }),
    });
  };

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
      <StoresSection orgId={user.organization.id} status={status} manager={manager} onReconnect={onReconnect} />
      {manager && hasStores && (
        <Group>
          <Button
            variant={formOpen && !reconnecting ? 'default' : 'filled'}
            aria-expanded={formOpen && !reconnecting}
            aria-controls="connect-form"
            onClick={() => (formOpen && !reconnecting ? closeForm() : openForm(null))}
          >
            Add store
          </Button>
        </Group>
      )}
      {manager && showForm && (
        <ConnectForm
          orgId={user.organization.id}
          oauthAvailable={status.data?.oauth_available ?? false}
          reconnect={reconnecting}
          focusRequest={focusRequest}
          onDone={hasStores ? closeForm : undefined}
        />
      )}
    </Stack>
  );
}
