'use client';

import {
  Alert,
  Anchor,
  Badge,
  Box,
  Button,
  Code,
  Divider,
  Group,
  Paper,
  SimpleGrid,
  Stack,
  Text,
  Title,
  Tooltip,
} from '@mantine/core';
import type { ReactNode } from 'react';
import type { ShopifyStore } from '../../../../../lib/api-types';
import { formatDate } from '../../../../../lib/invitations';
import {
  authMethodLabel,
  formatRelative,
  stateColor,
  stateLabel,
  webhookColor,
  webhookLabel,
} from '../../../../../lib/shopify';
import { StoreSync } from './store-sync';

/** A moment as "3 minutes ago", with the exact date for machines and on hover. */
function When({ iso }: { iso: string }) {
  return (
    <time dateTime={iso} title={formatDate(iso)}>
      {formatRelative(iso)}
    </time>
  );
}

function Field({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <div>
      <Text component="dt" size="xs" c="dimmed" tt="uppercase" fw={600} lts={0.3}>
        {label}
      </Text>
      <Text component="dd" size="sm" m={0} mt={2} data-testid={testId}>
        {children}
      </Text>
    </div>
  );
}

const none = (
  <Text span c="dimmed" size="sm">
    —
  </Text>
);

/** Why testing the stored credentials could only fail, or null when a test means something. */
function testBlockedReason(store: ShopifyStore): string | null {
  if (store.state === 'uninstalled') {
    return 'The app was uninstalled from this store, so Shopify refuses its token. Reconnect it first.';
  }
  if (!store.access_token_hint) return 'No credentials are stored for this store. Reconnect it first.';
  return null;
}

export function StoreCard({
  orgId,
  store,
  manager,
  testing,
  onTest,
  onDisconnect,
  onReconnect,
}: {
  orgId: string;
  store: ShopifyStore;
  manager: boolean;
  testing: boolean;
  onTest: () => void;
  onDisconnect: () => void;
  onReconnect: () => void;
}) {
  const name = store.shop_name ?? store.shop_domain;
  const titleId = `store-${store.id}-name`;
  const disconnected = store.state === 'disconnected';
  const webhookTopics = store.webhooks.topics.length;
  // An error matters while the store is failing; once it works again, or was disconnected, it is history.
  const failing = store.state === 'error' || store.state === 'uninstalled';
  // What a fresh token (or, for OAuth, a fresh install) would repair.
  const reconnectable = failing || disconnected;
  const testBlocked = testBlockedReason(store);
  const testReasonId = `store-${store.id}-test-reason`;

  return (
    <Paper withBorder p="lg" component="article" aria-labelledby={titleId} data-testid="shopify-store">
      <Stack gap="md">
        <Group justify="space-between" align="flex-start" gap="sm">
          <Stack gap={2} style={{ minWidth: 0 }}>
            <Group gap="sm" wrap="nowrap">
              <Title order={3} fz="h4" id={titleId} style={{ overflowWrap: 'anywhere' }}>
                {name}
              </Title>
              <Badge color={stateColor[store.state]} variant="light" data-testid="store-state">
                {stateLabel[store.state]}
              </Badge>
            </Group>
            <Anchor
              href={`https://${store.shop_domain}/admin`}
              target="_blank"
              rel="noopener noreferrer"
              size="sm"
              c="dimmed"
              style={{ overflowWrap: 'anywhere' }}
            >
              {store.shop_domain}
            </Anchor>
          </Stack>
          {manager && (
            <Group gap="xs">
              {reconnectable && (
                <Button size="xs" onClick={onReconnect} aria-label={`Reconnect ${name}`}>
                  Reconnect
                </Button>
              )}
              <Tooltip label={testBlocked} disabled={!testBlocked} multiline w={260}>
                {/* A disabled button gets no pointer events: the wrapper shows the tooltip. */}
                <span>
                  <Button
                    variant="default"
                    size="xs"
                    loading={testing}
                    onClick={onTest}
                    disabled={testBlocked !== null}
                    aria-label={`Test connection to ${name}`}
                    aria-describedby={testBlocked ? testReasonId : undefined}
                  >
                    Test connection
                  </Button>
                </span>
              </Tooltip>
              <Button
                variant="light"
                color="red"
                size="xs"
                onClick={onDisconnect}
                aria-label={disconnected ? `Remove ${name}` : `Disconnect ${name}`}
              >
                {disconnected ? 'Remove' : 'Disconnect'}
              </Button>
            </Group>
          )}
        </Group>

        {disconnected && (
          <Text size="sm" c="dimmed">
            Disconnected: its credentials were removed and the data synced from it was kept. Reconnect it to resume
            syncing.
          </Text>
        )}
        {manager && testBlocked && (
          <Text size="xs" c="dimmed" id={testReasonId} data-testid="test-blocked">
            {testBlocked}
          </Text>
        )}

        {store.last_error && (
          <Alert
            variant="light"
            color={failing ? 'red' : 'gray'}
            title={
              <>
                {failing ? 'Last error' : 'Earlier error'}
                {store.last_error_at && (
                  <Text span size="sm" fw={400} c="dimmed">
                    {' · '}
                    <When iso={store.last_error_at} />
                  </Text>
                )}
              </>
            }
            data-testid="store-last-error"
          >
            <Text size="sm">{store.last_error}</Text>
          </Alert>
        )}

        <Divider />

        <SimpleGrid component="dl" cols={{ base: 2, sm: 3, md: 4 }} spacing="lg" verticalSpacing="md" m={0}>
          <Field label="Plan">{store.plan ?? none}</Field>
          <Field label="Currency">{store.currency ?? none}</Field>
          <Field label="Timezone">{store.timezone ?? none}</Field>
          <Field label="Connected with">{authMethodLabel[store.auth_method] ?? store.auth_method}</Field>
          <Field label="Access token">
            {store.access_token_hint ? (
              <>
                <Code>{store.access_token_hint}</Code>
                {store.token_expires_at && (
                  <Text span size="xs" c="dimmed">
                    {' '}
                    expires <When iso={store.token_expires_at} />
                  </Text>
                )}
              </>
            ) : (
              none
            )}
          </Field>
          <Field label="Last checked">{store.last_checked_at ? <When iso={store.last_checked_at} /> : 'Never'}</Field>
          <Field label="Errors" testId="store-error-count">
            <Text
              span
              size="sm"
              fw={store.error_count > 0 ? 600 : undefined}
              c={store.error_count > 0 ? 'red' : undefined}
            >
              {store.error_count}
            </Text>
          </Field>
          <Field label="Connected since">
            <When iso={store.created_at} />
          </Field>
        </SimpleGrid>

        <Box>
          <Group gap="xs" mb={4}>
            <Text size="xs" c="dimmed" tt="uppercase" fw={600} lts={0.3} id={`${titleId}-webhooks`}>
              Webhooks
            </Text>
            <Badge size="sm" variant="dot" color={webhookColor[store.webhooks.state]} data-testid="store-webhooks">
              {webhookLabel[store.webhooks.state]}
            </Badge>
            {webhookTopics > 0 && (
              <Text size="xs" c="dimmed">
                {webhookTopics} {webhookTopics === 1 ? 'topic' : 'topics'}
              </Text>
            )}
          </Group>
          {store.webhooks.error && !disconnected && (
            <Text size="sm" c="dimmed">
              {store.webhooks.error}
            </Text>
          )}
        </Box>

        <Divider />
        <StoreSync orgId={orgId} store={store} />

        {store.scopes.length > 0 && (
          <Box>
            <Text size="xs" c="dimmed" tt="uppercase" fw={600} lts={0.3} mb={6} id={`${titleId}-scopes`}>
              Scopes
            </Text>
            <Group
              gap={6}
              component="ul"
              aria-labelledby={`${titleId}-scopes`}
              m={0}
              p={0}
              style={{ listStyle: 'none' }}
            >
              {store.scopes.map((scope) => (
                <Badge key={scope} component="li" variant="outline" color="gray" tt="none" radius="sm" fw={500}>
                  {scope}
                </Badge>
              ))}
            </Group>
          </Box>
        )}
      </Stack>
    </Paper>
  );
}
