'use client';

import { Anchor, EmptyState, Group, Paper, Skeleton, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { UseQueryResult } from '@tanstack/react-query';
import Link from 'next/link';
import { type ReactNode, useState } from 'react';
import { ErrorState } from '../../../../../components/states';
import { errorMessage } from '../../../../../lib/api-client';
import type { ShopifyConnection, ShopifyStatus } from '../../../../../lib/api-types';
import { useTestConnection } from '../../../../../lib/shopify';
import { DisconnectModal } from './disconnect-modal';
import { StoreCard } from './store-card';

function StoreIcon() {
  return (
    <svg
      width="28"
      height="28"
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.8"
      aria-hidden="true"
    >
      <path d="M6 7h12l-1 13H7L6 7Z" strokeLinejoin="round" />
      <path d="M9 9V6a3 3 0 0 1 6 0v3" strokeLinecap="round" />
    </svg>
  );
}

export function StoresSection({
  orgId,
  status,
  manager,
  onReconnect,
}: {
  orgId: string;
  status: UseQueryResult<ShopifyStatus>;
  manager: boolean;
  onReconnect: (store: ShopifyConnection) => void;
}) {
  const test = useTestConnection(orgId);
  const [toDisconnect, setToDisconnect] = useState<ShopifyConnection | null>(null);

  const onTest = (store: ShopifyConnection) => {
    const name = store.shop_name ?? store.shop_domain;
    test.mutate(store.id, {
      // The API answers 200 either way and records the outcome on the connection.
      onSuccess: (result) => {
        if (result.state === 'connected') {
          notifications.show({
            color: 'teal',
            title: 'Connection works',
            message: `${result.shop_name ?? name} answered with these credentials.`,
          });
        } else {
          notifications.show({
            color: 'red',
            title: `The test of ${name} failed`,
            message: result.last_error ?? 'Shopify did not accept the stored credentials.',
            autoClose: 10_000,
          });
        }
      },
      onError: (err) =>
        notifications.show({ color: 'red', title: `Could not test ${name}`, message: errorMessage(err) }),
    });
  };

  let body: ReactNode;
  if (status.isPending) {
    body = (
      <Stack gap="md" role="status" aria-label="Loading stores">
        <Skeleton h={180} />
        <Skeleton h={180} />
      </Stack>
    );
  } else if (status.isError && !status.data) {
    body = (
      <ErrorState
        error={status.error}
        title="Could not load your stores"
        onRetry={() => void status.refetch()}
        retrying={status.isFetching}
      />
    );
  } else if (status.data.stores.length === 0) {
    body = (
      <Paper withBorder p="xl" bg="var(--mantine-color-gray-0)" style={{ borderStyle: 'dashed' }}>
        <EmptyState
          icon={<StoreIcon />}
          variant="light"
          title="No stores connected yet"
          description={
            manager ? (
              <>
                Connect your first Shopify store below. Its first sync starts as soon as it is connected: follow it
                here, and browse what it brings in on the{' '}
                <Anchor component={Link} href="/dashboard/products" inherit>
                  Products page
                </Anchor>
                .
              </>
            ) : (
              'An owner or admin of this organization can connect a Shopify store.'
            )
          }
        />
      </Paper>
    );
  } else {
    body = (
      <Stack gap="md">
        {status.data.stores.map((store) => (
          <StoreCard
            key={store.id}
            orgId={orgId}
            store={store}
            manager={manager}
            testing={test.isPending && test.variables === store.id}
            onTest={() => onTest(store)}
            onDisconnect={() => setToDisconnect(store)}
            onReconnect={() => onReconnect(store)}
          />
        ))}
      </Stack>
    );
  }

  const count = status.data?.stores.length ?? 0;
  return (
    <section aria-labelledby="stores-title">
      <Group justify="space-between" mb="md">
        <Title order={2} fz="h3" id="stores-title">
          Connected stores
        </Title>
        {count > 0 && (
          <Text size="sm" c="dimmed">
            {count} {count === 1 ? 'store' : 'stores'}
          </Text>
        )}
      </Group>
      {body}
      {manager && <DisconnectModal orgId={orgId} store={toDisconnect} onClose={() => setToDisconnect(null)} />}
    </section>
  );
}
