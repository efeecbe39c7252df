'use client';

import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { EventSourceParserStream } from 'eventsource-parser/stream';
import { useEffect, useRef, useState } from 'react';
import { ApiError, apiFetch, apiStream } from './api-client';
import type { Page, SyncProgress, SyncRun } from './api-types';
import { shopifyKeys } from './shopify';

// Under shopifyKeys.all, so whatever refreshes a store's status refreshes its runs too.
export const syncKeys = {
  store: (orgId: string, store: string) => [...shopifyKeys.all(orgId), 'sync', store] as const,
  active: (orgId: string, store: string) => [...syncKeys.store(orgId, store), 'active'] as const,
  history: (orgId: string, store: string) => [...syncKeys.store(orgId, store), 'history'] as const,
};

export const HISTORY_PAGE_SIZE = 5;
const IDLE_POLL_MS = 30_000;
const runsPath = (store: string, extra: Record<string, string>) =>
  `/api/shopify/sync/runs/?${new URLSearchParams({ store, ...extra })}`;

export const isActive = (run: Pick<SyncRun, 'state'>) => run.state === 'queued' || run.state === 'running';

/** The store's queued or running run, if any: what a reloaded page reattaches to. */
export function useActiveRun(orgId: string, store: string) {
  return useQuery({
    queryKey: syncKeys.active(orgId, store),
    queryFn: async ({ signal }) => {
      const page = await apiFetch<Page<SyncRun>>(runsPath(store, { state: 'queued,running', page_size: '1' }), {
        signal,
      });
      return page.results[0] ?? null;
    },
    // The schedule and webhooks start runs too: look now and then while none is being followed.
    refetchInterval: (query) => (query.state.data ? false : IDLE_POLL_MS),
  });
}

/** The store's runs, newest first, a page at a time ("show more"). */
export function useSyncHistory(orgId: string, store: string) {
  return useInfiniteQuery({
    queryKey: syncKeys.history(orgId, store),
    initialPageParam: 1,
    queryFn: ({ pageParam, signal }) =>
      apiFetch<Page<SyncRun>>(runsPath(store, { page: String(pageParam), page_size: String(HISTORY_PAGE_SIZE) }), {
        signal,
      }),
    getNextPageParam: (last, _all, pageParam) => (last.next ? pageParam + 1 : undefined),
  });
}

export function useStartSync(orgId: string, store: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => apiFetch<SyncRun>('/api/shopify/sync/', { method: 'POST', body: { type: 'products', store } }),
    // 202 (queued now) and 200 (one was already active) both name the run to follow.
    onSuccess: (run) => {
      queryClient.setQueryData(syncKeys.active(orgId, store), run);
      void queryClient.invalidateQueries({ queryKey: syncKeys.history(orgId, store) });
    },
  });
}

export function useCancelSync(orgId: string, store: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (runId: string) =>
      apiFetch<SyncRun>(`/api/shopify/sync/runs/${encodeURIComponent(runId)}/cancel/`, { method: 'POST', body: {} }),
    onSuccess: (run) => {
      // Either way the run's stream says `end` once it has stopped (a queued one at once, a running
      // one at its next checkpoint), and that refreshes the page: keep following it until then.
      if (isActive(run)) queryClient.setQueryData(syncKeys.active(orgId, store), run);
    },
    // 409: it ended meanwhile; whatever it became, the lists should show it.
    onError: () => queryClient.invalidateQueries({ queryKey: syncKeys.store(orgId, store) }),
  });
}

/** How long to wait before reading the stream again after it broke off. */
const RECONNECT_MS = 1_000;

/**
 * Follows a run's server-sent events: the latest `progress` (the run plus its rate and estimate),
 * and `onEnd` with the finished run. A stream that drops before `end` (a proxy, a restart) is
 * opened again; the API answers it with the run as it stands.
 */
export function useRunEvents(run: SyncRun | null, onEnd: (run: SyncRun) => void) {
  const [progress, setProgress] = useState<SyncProgress | null>(null);
  const [broken, setBroken] = useState(false);
  const endRef = useRef(onEnd);
  endRef.current = onEnd;
  const runId = run?.id ?? null;

  useEffect(() => {
    setProgress(null);
    setBroken(false);
    if (!runId) return;
    const abort = new AbortController();
    const follow = async () => {
      while (!abort.signal.aborted) {
        try {
          const res = await apiStream(`/api/shopify/sync/runs/${encodeURIComponent(runId)}/events/`, {
            signal: abort.signal,
          });
          setBroken(false);
          const events = res
            .body!.pipeThrough(new TextDecoderStream())
            .pipeThrough(new EventSourceParserStream())
            .getReader();
          for (;;) {
            const { done, value } = await events.read();
            if (done) break;
            if (value.event === 'end') {
              endRef.current(JSON.parse(value.data) as SyncRun);
              return;
            }
            if (value.event === 'progress') setProgress(JSON.parse(value.data) as SyncProgress);
          }
        } catch (err) {
          if (abort.signal.aborted) return;
          // The run is gone (another organization, deleted): nothing will ever come.
          if (err instanceof ApiError && err.status === 404) return;
          setBroken(true);
        }
        await new Promise((r) => setTimeout(r, RECONNECT_MS));
      }
    };
    void follow();
    return () => abort.abort();
  }, [runId]);

  return { progress, broken };
}

export const phaseLabel: Record<string, string> = {
  queued: 'Waiting for a worker to start it',
  planning: 'Planning the sync',
  products: 'Reading products and variants',
  inventory: 'Reading inventory levels',
  reconciling: 'Looking for products deleted in Shopify',
  exporting: 'Shopify is exporting the catalog',
  writing: 'Writing the exported catalog',
  finishing: 'Finishing',
  finished: 'Finished',
};

export const runStateLabel: Record<SyncRun['state'], string> = {
  queued: 'Queued',
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

export const runStateColor: Record<SyncRun['state'], string> = {
  queued: 'gray',
  running: 'blue',
  succeeded: 'teal',
  failed: 'red',
  cancelled: 'orange',
};

export const triggerLabel: Record<SyncRun['trigger'], string> = {
  manual: 'Manual',
  schedule: 'Scheduled',
  webhook: 'Webhook',
};

// The sync screen imports it from here; it lives with the other screens' durations.
export { durationWords } from './durations';

/** How long a run took, or has taken so far; null before it started. */
export function runDuration(run: SyncRun, now: number = Date.now()): number | null {
  if (!run.started_at) return null;
  const end = run.finished_at ? new Date(run.finished_at).getTime() : now;
  return end - new Date(run.started_at).getTime();
}
