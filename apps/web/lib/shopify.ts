'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiFetch } from './api-client';
import type {
  ShopifyConnectInput,
  ShopifyConnection,
  ShopifyConnectionState,
  ShopifyOauthInstall,
  ShopifyStatus,
  ShopifyWebhookState,
} from './api-types';

// Under ['org', orgId] like all tenant data, so switching organization drops it (see session.tsx).
export const shopifyKeys = {
  all: (orgId: string) => ['org', orgId, 'shopify'] as const,
  status: (orgId: string) => ['org', orgId, 'shopify', 'status'] as const,
};

/** Where stores are connected and synced: every screen's "no store yet" leads there. */
export const SHOPIFY_SETTINGS = '/dashboard/settings/integrations/shopify';

/** A store as people name it: its shop name once known, its domain before. */
export const storeLabel = (store: Pick<ShopifyConnection, 'shop_name' | 'shop_domain'>) =>
  store.shop_name ?? store.shop_domain;

const STATUS_POLL_MS = 15_000;

export function useShopifyStatus(orgId: string) {
  return useQuery({
    queryKey: shopifyKeys.status(orgId),
    queryFn: ({ signal }) => apiFetch<ShopifyStatus>('/api/shopify/status/', { signal }),
    // Shopify changes a store's state behind our back (an uninstall, a refused token): looked at
    // again now and then while the tab is visible (TanStack pauses intervals in the background).
    refetchInterval: STATUS_POLL_MS,
  });
}

export function useConnectStore(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: ShopifyConnectInput) =>
      apiFetch<ShopifyConnection>('/api/shopify/connect/', { method: 'POST', body }),
    // Also on failure: a failed attempt on a store already listed is counted on it.
    onSettled: () => queryClient.invalidateQueries({ queryKey: shopifyKeys.all(orgId) }),
  });
}

export function useTestConnection(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      apiFetch<ShopifyConnection>(`/api/shopify/connections/${encodeURIComponent(id)}/test/`, {
        method: 'POST',
        body: {},
      }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: shopifyKeys.all(orgId) }),
  });
}

export function useDisconnectStore(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    /** Resolves to the kept (now disconnected) connection, or undefined when it was deleted (204). */
    mutationFn: ({ id, deleteData }: { id: string; deleteData: boolean }) =>
      apiFetch<ShopifyConnection | undefined>(`/api/shopify/connections/${encodeURIComponent(id)}/disconnect/`, {
        method: 'POST',
        body: { delete_data: deleteData },
      }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: shopifyKeys.all(orgId) }),
  });
}

/**
 * Start an OAuth install. The answer's cookie binds the install to this browser (it is set through
 * the same-origin /api proxy); the caller then sends the browser to `authorize_url`.
 */
export function useStartOauthInstall() {
  return useMutation({
    mutationFn: (shop: string) =>
      apiFetch<ShopifyOauthInstall>('/api/shopify/oauth/install/', { method: 'POST', body: { shop } }),
  });
}

export type OauthReturn = { outcome: 'connected'; shop: string } | { outcome: 'error'; reason: string };

/** What the API's OAuth callback reported in the settings page's query (`?oauth=connected|error`). */
export function readOauthReturn(search: string): OauthReturn | null {
  const params = new URLSearchParams(search);
  const outcome = params.get('oauth');
  if (outcome === 'connected') return { outcome, shop: params.get('shop') ?? 'The store' };
  if (outcome === 'error') {
    const reason = (params.get('reason') ?? '').slice(0, 300);
    return { outcome, reason: reason || 'The install did not complete. Try again.' };
  }
  return null;
}

export const stateLabel: Record<ShopifyConnectionState, string> = {
  connected: 'Connected',
  error: 'Error',
  uninstalled: 'Uninstalled',
  disconnected: 'Disconnected',
};

export const stateColor: Record<ShopifyConnectionState, string> = {
  connected: 'teal',
  error: 'red',
  uninstalled: 'orange',
  disconnected: 'gray',
};

export const webhookLabel: Record<ShopifyWebhookState, string> = {
  registered: 'Registered',
  partial: 'Partly registered',
  failed: 'Failed',
  not_configured: 'Not configured',
};

export const webhookColor: Record<ShopifyWebhookState, string> = {
  registered: 'teal',
  partial: 'yellow',
  failed: 'red',
  not_configured: 'gray',
};

export const authMethodLabel: Record<string, string> = {
  access_token: 'Admin API access token',
  client_credentials: 'Client credentials',
  oauth: 'OAuth install',
};

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

/** "3 minutes ago", "in 2 days"; "just now" under a minute. */
export function formatRelative(iso: string, now: number = Date.now()): string {
  const at = new Date(iso).getTime();
  if (Number.isNaN(at)) return iso;
  const seconds = Math.round((at - now) / 1000);
  if (Math.abs(seconds) < 60) return 'just now';
  const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return rtf.format(Math.trunc(seconds / size), unit);
  }
  return rtf.format(Math.trunc(seconds / 60), 'minute');
}
