'use client';

import { Badge, Box, Button, Group, Paper, Progress, Skeleton, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { QueryErrorState } from '../../../../../components/states';
import { errorMessage } from '../../../../../lib/api-client';
import type { ShopifyConnection, ShopifyStore, SyncProgress, SyncRun } from '../../../../../lib/api-types';
import { formatDate } from '../../../../../lib/invitations';
import { formatRelative } from '../../../../../lib/shopify';
import {
  durationWords,
  isActive,
  phaseLabel,
  runDuration,
  runStateColor,
  runStateLabel,
  syncKeys,
  triggerLabel,
  useActiveRun,
  useCancelSync,
  useRunEvents,
  useStartSync,
  useSyncHistory,
} from '../../../../../lib/sync';

const number = new Intl.NumberFormat();
const capitalized = (words: string) => words.charAt(0).toUpperCase() + words.slice(1);
/** What a phase's done counts, for its rate. */
const phaseUnit: Record<string, string> = {
  products: 'products',
  inventory: 'levels',
  exporting: 'objects',
  writing: 'lines',
};

function When({ iso }: { iso: string }) {
  return (
    <time dateTime={iso} title={formatDate(iso)}>
      {formatRelative(iso)}
    </time>
  );
}

/** Why the store cannot start a sync now, or null when it can. */
function blockedReason(store: ShopifyConnection, active: SyncRun | null | undefined): string | null {
  if (store.state === 'disconnected' || store.state === 'uninstalled') {
    return 'Reconnect this store before syncing it.';
  }
  if (active === undefined) return 'Checking for a sync in progress…';
  if (active) return 'A sync of this store is in progress; one runs at a time.';
  return null;
}

function LiveProgress({
  run,
  progress,
  broken,
  cancelling,
  onCancel,
  name,
}: {
  run: SyncRun;
  progress: SyncProgress | null;
  broken: boolean;
  cancelling: boolean;
  onCancel: () => void;
  name: string;
}) {
  const current = progress ?? run;
  const { done, total } = current.progress;
  const known = total !== null && total > 0;
  const percent = known ? Math.min(100, Math.round((done / total) * 100)) : 100;
  const phase = current.phase ? (phaseLabel[current.phase] ?? current.phase) : 'Starting';
  const cancelRequested = Boolean(current.cancel_requested_at);
  return (
    <Paper withBorder p="md" data-testid="sync-progress" aria-live="polite">
      <Stack gap="xs">
        <Group justify="space-between" gap="xs">
          <Text size="sm" fw={600} data-testid="sync-phase">
            {cancelRequested ? 'Cancelling at the next checkpoint…' : phase}
          </Text>
          <Button
            size="xs"
            variant="default"
            color="red"
            onClick={onCancel}
            loading={cancelling}
            disabled={cancelRequested}
            aria-label={`Cancel the sync of ${name}`}
          >
            Cancel
          </Button>
        </Group>
        <Progress.Root size="lg">
          {/* Our own ARIA values: Mantine's would say a percentage, and a made-up 100% when the total is unknown. */}
          <Progress.Section
            value={percent}
            animated={!known}
            striped={!known}
            withAria={false}
            role="progressbar"
            aria-label={`Sync of ${name}`}
            aria-valuemin={0}
            aria-valuemax={known ? total : undefined}
            aria-valuenow={known ? done : undefined}
            aria-valuetext={known ? `${done} of ${total}` : `${done} done, total not known yet`}
          />
        </Progress.Root>
        <Group gap="lg" wrap="wrap">
          <Text size="sm" data-testid="sync-done" data-done={done}>
            {known ? `${number.format(done)} of ${number.format(total)}` : `${number.format(done)} done`}
          </Text>
          {progress && progress.rate > 0 && (
            <Text size="sm">
              {number.format(progress.rate)} {phaseUnit[current.phase ?? ''] ?? 'items'} a second
            </Text>
          )}
          <Text size="sm" c="dimmed">
            Waited for Shopify's rate limit: {durationWords(current.throttle_wait_ms)}
          </Text>
          {progress?.eta_seconds != null && (
            <Text size="sm" c="dimmed" data-testid="sync-eta">
              {capitalized(durationWords(progress.eta_seconds * 1000))} left
            </Text>
          )}
        </Group>
        {broken && (
          <Text size="xs" c="dimmed">
            Lost the live updates; reconnecting…
          </Text>
        )}
      </Stack>
    </Paper>
  );
}

function Counts({ label, counts }: { label: string; counts: SyncRun['counts']['products'] }) {
  return (
    <Text size="sm" data-testid={`run-${label.toLowerCase()}`}>
      <Text span fw={600}>
        {label}:
      </Text>{' '}
      {counts.created} created · {counts.updated} updated · {counts.unchanged} unchanged · {counts.deleted} deleted
    </Text>
  );
}

function HistoryRow({ run }: { run: SyncRun }) {
  const duration = runDuration(run);
  return (
    <Box component="li" py="sm" data-testid="sync-run" data-state={run.state} style={{ listStyle: 'none' }}>
      <Stack gap={4}>
        <Group gap="xs" wrap="wrap">
          <Badge color={runStateColor[run.state]} variant="light" data-testid="run-state">
            {runStateLabel[run.state]}
          </Badge>
          <Text size="sm" fw={500}>
            {triggerLabel[run.trigger]} {run.scope} sync
          </Text>
          <Text size="sm" c="dimmed" title={run.path_reason ?? undefined}>
            {run.path ? `${run.path} path` : `${run.mode} mode`}
          </Text>
        </Group>
        <Text size="sm" c="dimmed">
          {run.started_at ? (
            <>
              Started <When iso={run.started_at} />
              {duration !== null && (
                <>
                  , {run.finished_at ? 'took' : 'running for'} {durationWords(duration)}
                </>
              )}
            </>
          ) : (
            <>
              Queued <When iso={run.queued_at} />
            </>
          )}
          {' · '}
          {number.format(run.points_used)} points used
        </Text>
        <Counts label="Products" counts={run.counts.products} />
        <Counts label="Variants" counts={run.counts.variants} />
        {run.errors.length > 0 && (
          <Box component="ul" m={0} pl="md" aria-label="Errors">
            {run.errors.map((e) => (
              <Text component="li" size="sm" c="red" key={`${e.at}-${e.message}`}>
                <When iso={e.at} />: {e.message}
              </Text>
            ))}
          </Box>
        )}
      </Stack>
    </Box>
  );
}

function History({ orgId, store, titleId }: { orgId: string; store: string; titleId: string }) {
  const history = useSyncHistory(orgId, store);
  if (history.isPending) return <Skeleton h={80} aria-label="Loading the sync history" />;
  if (history.isError) return <QueryErrorState query={history} title="Could not load the sync history" />;
  const runs = history.data.pages.flatMap((p) => p.results);
  if (runs.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        No syncs yet.
      </Text>
    );
  }
  return (
    <>
      <Box component="ul" m={0} p={0} aria-labelledby={titleId} data-testid="sync-history">
        {runs.map((run) => (
          <HistoryRow key={run.id} run={run} />
        ))}
      </Box>
      {history.hasNextPage && (
        <Button
          variant="subtle"
          size="xs"
          onClick={() => void history.fetchNextPage()}
          loading={history.isFetchingNextPage}
        >
          Show more
        </Button>
      )}
    </>
  );
}

export function StoreSync({ orgId, store }: { orgId: string; store: ShopifyStore }) {
  const queryClient = useQueryClient();
  const name = store.shop_name ?? store.shop_domain;
  const active = useActiveRun(orgId, store.id);
  const start = useStartSync(orgId, store.id);
  const cancel = useCancelSync(orgId, store.id);
  const run = active.data && isActive(active.data) ? active.data : null;

  const onEnd = useCallback(
    (finished: SyncRun) => {
      queryClient.setQueryData(syncKeys.active(orgId, store.id), null);
      // The status (freshness, counts, last run), the history and the copy's own screens.
      void queryClient.invalidateQueries({ queryKey: ['org', orgId] });
      const color = finished.state === 'succeeded' ? 'teal' : finished.state === 'cancelled' ? 'orange' : 'red';
      notifications.show({
        color,
        title: `Sync of ${name}: ${runStateLabel[finished.state].toLowerCase()}`,
        message:
          finished.state === 'failed'
            ? (finished.errors.at(-1)?.message ?? 'The sync stopped with an error.')
            : `${finished.products_processed} products and ${finished.variants_processed} variants read.`,
      });
    },
    [queryClient, orgId, store.id, name],
  );
  const events = useRunEvents(run, onEnd);
  const reason = blockedReason(store, active.isError ? null : active.data);
  const reasonId = `store-${store.id}-sync-reason`;
  const historyId = `store-${store.id}-history`;

  const onStart = () =>
    start.mutate(undefined, {
      onError: (err) =>
        notifications.show({ color: 'red', title: `Could not sync ${name}`, message: errorMessage(err) }),
    });
  const onCancel = () => {
    if (!run) return;
    cancel.mutate(run.id, {
      onError: (err) =>
        notifications.show({ color: 'red', title: 'Could not cancel the sync', message: errorMessage(err) }),
    });
  };

  const sync = store.sync;
  return (
    <Stack gap="sm" data-testid="store-sync">
      <Group justify="space-between" align="flex-start" gap="sm">
        <Stack gap={2}>
          <Text size="sm" data-testid="store-freshness">
            {sync.fresh_at ? (
              <>
                In step with Shopify as of <When iso={sync.fresh_at} />
              </>
            ) : (
              'Not in step with Shopify yet: no sync has finished.'
            )}
          </Text>
          <Text size="sm" c="dimmed" data-testid="store-next-sync">
            {sync.next_sync_at ? (
              <>
                Next scheduled sync <When iso={sync.next_sync_at} />
              </>
            ) : (
              'No scheduled sync yet'
            )}
            {' · '}
            {number.format(sync.product_count)} products, {number.format(sync.variant_count)} variants
          </Text>
        </Stack>
        <Stack gap={2} align="flex-end">
          <Button
            size="xs"
            onClick={onStart}
            loading={start.isPending}
            disabled={reason !== null}
            aria-describedby={reason ? reasonId : undefined}
          >
            Sync products
          </Button>
        </Stack>
      </Group>
      {reason && (
        <Text size="xs" c="dimmed" id={reasonId} data-testid="sync-blocked">
          {reason}
        </Text>
      )}
      {active.isError && <QueryErrorState query={active} title="Could not check for a sync in progress" />}
      {run && (
        <LiveProgress
          run={run}
          progress={events.progress}
          broken={events.broken}
          cancelling={cancel.isPending}
          onCancel={onCancel}
          name={name}
        />
      )}
      <Title order={4} fz="sm" id={historyId}>
        Sync history
      </Title>
      <History orgId={orgId} store={store.id} titleId={historyId} />
    </Stack>
  );
}
