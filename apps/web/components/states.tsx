'use client';

import { Alert, Button, Center, Group, Loader, Paper, Skeleton, Stack, Text, Title } from '@mantine/core';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { errorMessage } from '../lib/api-client';
import { SHOPIFY_SETTINGS } from '../lib/shopify';

/** A spinner with words, so screen readers (and people) know what is being waited for. */
export function PageLoader({ label, fullScreen = false }: { label: string; fullScreen?: boolean }) {
  return (
    <Center mih={fullScreen ? '100vh' : 200} role="status" aria-live="polite">
      <Stack align="center" gap="xs">
        <Loader size="md" />
        <Text c="dimmed" size="sm">
          {label}
        </Text>
      </Stack>
    </Center>
  );
}

/** The error state of a screen or section: what went wrong, and a way to try again. */
export function ErrorState({
  error,
  title = 'Could not load this',
  onRetry,
  retrying = false,
}: {
  error: unknown;
  title?: string;
  onRetry?: () => void;
  retrying?: boolean;
}) {
  return (
    <Alert color="red" variant="light" title={title} role="alert">
      <Stack gap="sm">
        <Text size="sm">{errorMessage(error)}</Text>
        {onRetry && (
          <Group>
            <Button size="xs" variant="white" color="red" onClick={onRetry} loading={retrying}>
              Try again
            </Button>
          </Group>
        )}
      </Stack>
    </Alert>
  );
}

/** ErrorState for a failed query: its error, and a retry that refetches it. */
export function QueryErrorState({
  query,
  title,
}: {
  query: { error: unknown; isFetching: boolean; refetch: () => Promise<unknown> };
  title: string;
}) {
  return (
    <ErrorState error={query.error} title={title} onRetry={() => void query.refetch()} retrying={query.isFetching} />
  );
}

/** A list still loading: a few grey rows, announced as a status. */
export function RowsLoading({ label, rows = 2 }: { label: string; rows?: number }) {
  return (
    <Stack gap="xs" role="status" aria-label={label}>
      {Array.from({ length: rows }, (_, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: identical placeholders that never reorder.
        <Skeleton key={i} h={36} />
      ))}
    </Stack>
  );
}

/** The empty state of a screen or section: what is missing, and the step that fills it. */
export function EmptyBox({ title, description, action }: { title: string; description: string; action: ReactNode }) {
  return (
    <Paper withBorder p="xl" bg="var(--mantine-color-gray-0)" style={{ borderStyle: 'dashed' }}>
      <Stack align="center" gap="sm" ta="center">
        <Title order={2} fz="h4">
          {title}
        </Title>
        <Text size="sm" c="dimmed" maw={480}>
          {description}
        </Text>
        {action}
      </Stack>
    </Paper>
  );
}

/** Before the first store: every catalog screen says what it would show and leads to connecting one. */
export function NoStoreConnected({ description }: { description: string }) {
  return (
    <EmptyBox
      title="No store connected yet"
      description={description}
      action={
        <Button component={Link} href={SHOPIFY_SETTINGS}>
          Connect a store
        </Button>
      }
    />
  );
}

/** A store is connected but this screen's part of its copy has not arrived: the first sync brings it. */
export function NotSyncedYet({ title, description }: { title: string; description: string }) {
  return (
    <EmptyBox
      title={title}
      description={description}
      action={
        <Button component={Link} href={SHOPIFY_SETTINGS} variant="light">
          Go to Shopify settings
        </Button>
      }
    />
  );
}
