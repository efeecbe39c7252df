'use client';

import { Alert, Button, Group, Modal, Radio, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useEffect, useState } from 'react';
import { errorMessage } from '../../../../../lib/api-client';
import type { ShopifyConnection } from '../../../../../lib/api-types';
import { useDisconnectStore } from '../../../../../lib/shopify';

type Choice = 'keep' | 'delete';

/**
 * Asks how to disconnect a store: keep what was synced from it, or delete it with the
 * connection. A store that is already disconnected can only have its data deleted.
 */
export function DisconnectModal({
  orgId,
  store,
  onClose,
}: {
  orgId: string;
  store: ShopifyConnection | null;
  onClose: () => void;
}) {
  const disconnect = useDisconnectStore(orgId);
  const [choice, setChoice] = useState<Choice>('keep');
  const [error, setError] = useState<string | null>(null);
  const alreadyDisconnected = store?.state === 'disconnected';
  const name = store ? (store.shop_name ?? store.shop_domain) : '';

  // Every opening starts from the safe choice.
  useEffect(() => {
    if (store) {
      setChoice(store.state === 'disconnected' ? 'delete' : 'keep');
      setError(null);
    }
  }, [store]);

  const close = () => {
    if (!disconnect.isPending) onClose();
  };

  const onConfirm = () => {
    if (!store) return;
    setError(null);
    const deleteData = alreadyDisconnected || choice === 'delete';
    disconnect.mutate(
      { id: store.id, deleteData },
      {
        onSuccess: (kept) => {
          onClose();
          notifications.show({
            color: 'teal',
            title: kept ? `${name} was disconnected` : `${name} was removed`,
            message: kept
              ? 'Its credentials and webhooks were removed; its products stay on the Products page and no longer update.'
              : 'The store and everything synced from it were deleted.',
          });
        },
        onError: (err) => setError(errorMessage(err)),
      },
    );
  };

  return (
    <Modal
      opened={store !== null}
      onClose={close}
      title={alreadyDisconnected ? `Remove ${name}` : `Disconnect ${name}`}
      centered
      size="lg"
    >
      <Stack gap="lg">
        {alreadyDisconnected ? (
          <Text size="sm">
            Delete the products, stock and sync history kept from <strong>{store?.shop_domain}</strong> and remove the
            store from this list? This cannot be undone.
          </Text>
        ) : (
          <>
            <Text size="sm">
              InvPro360 stops syncing <strong>{store?.shop_domain}</strong>: its credentials and webhook subscriptions
              are removed. Your Shopify store itself is not changed.
            </Text>
            <Radio.Group
              value={choice}
              onChange={(value) => setChoice(value as Choice)}
              label="What should happen to the synced data?"
            >
              <Stack gap="md" mt="sm">
                <Radio
                  value="keep"
                  label="Keep synced data"
                  description="Its products and stock stay on the Products page, marked as from a disconnected store, and stop updating. Reconnect the store later to sync them again."
                />
                <Radio
                  value="delete"
                  color="red"
                  label="Delete synced data"
                  description="The store leaves this list, and its products, variants, stock levels and sync history are deleted from InvPro360. This cannot be undone."
                />
              </Stack>
            </Radio.Group>
          </>
        )}
        {error && (
          <Alert color="red" variant="light" role="alert">
            {error}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={close} disabled={disconnect.isPending} data-autofocus>
            Cancel
          </Button>
          <Button color="red" onClick={onConfirm} loading={disconnect.isPending}>
            {alreadyDisconnected ? 'Delete data' : choice === 'delete' ? 'Disconnect and delete data' : 'Disconnect'}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
