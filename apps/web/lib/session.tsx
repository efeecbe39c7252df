'use client';

// The logged-in user is server state like any other, so it lives in the TanStack Query cache
// under `sessionKey` (null = logged out). This file owns everything that starts, changes or ends
// a session, so the access token, the cache and the other tabs never disagree.

import { type QueryClient, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { type ReactNode, useEffect } from 'react';
import {
  ApiError,
  apiFetch,
  endSession,
  getAccessToken,
  isTransient,
  refreshSession,
  setSessionHandlers,
  startSession,
} from './api-client';
import type { AuthResponse, User } from './api-types';
import { loginPath } from './redirects';

export const sessionKey = ['session'] as const;

async function loadSession(): Promise<User | null> {
  // After a reload the access token is gone (memory only); the refresh cookie brings it back.
  if (getAccessToken() === null && !(await refreshSession())) return null;
  try {
    return await apiFetch<User>('/api/auth/me/', { onAuthFailure: 'throw' });
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}

export function useSession() {
  return useQuery({
    queryKey: sessionKey,
    queryFn: loadSession,
    // Refetching now and then picks up role and membership changes made by an admin.
    staleTime: 60_000,
    retry: (failures, err) => isTransient(err) && failures < 2,
  });
}

// Tabs share the refresh cookie, hence the session: tell the others when it changes. One channel
// object per tab for sending and receiving, because a channel never hears its own messages while
// a second object in the same tab would.
type SessionMessage = { type: 'logged-out' } | { type: 'changed' };
let channel: BroadcastChannel | null | undefined;

function sessionChannel(): BroadcastChannel | null {
  if (channel === undefined) {
    channel = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel('invpro360-session');
  }
  return channel;
}

function broadcast(message: SessionMessage): void {
  sessionChannel()?.postMessage(message);
}

/** Tenant data is cached under ['org', orgId, …]; drop all of it when the session changes hands. */
function dropTenantData(queryClient: QueryClient): void {
  queryClient.removeQueries({ queryKey: ['org'] });
}

function adoptSession(queryClient: QueryClient, res: AuthResponse): User {
  startSession(res);
  dropTenantData(queryClient);
  queryClient.setQueryData(sessionKey, res.user);
  broadcast({ type: 'changed' });
  return res.user;
}

function forgetSession(queryClient: QueryClient): void {
  endSession();
  dropTenantData(queryClient);
  queryClient.setQueryData(sessionKey, null);
}

/**
 * Wires the API client to the app: when a request finds the session gone, clear everything and
 * go to /login, coming back here afterwards. Also follows logins and logouts made in other tabs.
 */
export function SessionSync({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const router = useRouter();

  useEffect(() => {
    setSessionHandlers({
      expired: () => {
        forgetSession(queryClient);
        router.replace(loginPath(window.location.pathname + window.location.search));
      },
      refreshed: () => {
        // Unless the session is being loaded right now anyway (its own /me can trigger this).
        if (queryClient.isFetching({ queryKey: sessionKey }) === 0) {
          void queryClient.invalidateQueries({ queryKey: sessionKey });
        }
      },
    });
    return () => setSessionHandlers(null);
  }, [queryClient, router]);

  useEffect(() => {
    const channel = sessionChannel();
    if (!channel) return;
    const onMessage = (event: MessageEvent<SessionMessage>) => {
      if (event.data.type === 'logged-out') {
        forgetSession(queryClient);
        return;
      }
      // Another tab logged in, switched organization or accepted an invitation: the shared
      // refresh token now belongs to that session, so this tab reloads its own from it.
      endSession();
      dropTenantData(queryClient);
      void queryClient.invalidateQueries({ queryKey: sessionKey });
    };
    channel.addEventListener('message', onMessage);
    return () => channel.removeEventListener('message', onMessage);
  }, [queryClient]);

  return children;
}

export interface LoginInput {
  /** An email address or a username: the form has one field for both. */
  identifier: string;
  password: string;
}

export function useLogin() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ identifier, password }: LoginInput) => {
      const id = identifier.trim();
      const body = id.includes('@') ? { email: id, password } : { username: id, password };
      return apiFetch<AuthResponse>('/api/auth/login/', { method: 'POST', body, auth: false });
    },
    onSuccess: (res) => adoptSession(queryClient, res),
  });
}

export interface RegisterInput {
  email: string;
  username: string;
  password: string;
  organization?: string;
  invitation?: string;
}

export function useRegister() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: RegisterInput) =>
      apiFetch<AuthResponse>('/api/auth/register/', { method: 'POST', body, auth: false }),
    onSuccess: (res) => adoptSession(queryClient, res),
  });
}

export function useSwitchOrganization() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (organizationId: string) =>
      apiFetch<AuthResponse>('/api/auth/switch-organization/', {
        method: 'POST',
        body: { organization_id: organizationId },
      }),
    onSuccess: (res) => adoptSession(queryClient, res),
  });
}

export function useAcceptInvitation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (token: string) =>
      apiFetch<AuthResponse>(`/api/auth/invitations/${encodeURIComponent(token)}/accept/`, {
        method: 'POST',
        body: {},
      }),
    onSuccess: (res) => adoptSession(queryClient, res),
  });
}

/**
 * Resolves true when the API revoked the refresh token and cleared its cookie. Either way this
 * tab forgets the session; on false the caller should say that the server was not reached.
 */
export function useLogout() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      let revoked = true;
      try {
        // With auth, so an expired access token is refreshed first instead of the API refusing.
        await apiFetch<void>('/api/auth/logout/', { method: 'POST', body: {}, onAuthFailure: 'throw' });
      } catch (err) {
        // A 401 means there was no live session left to revoke: that is logged out too.
        revoked = err instanceof ApiError && err.status === 401;
      }
      forgetSession(queryClient);
      broadcast({ type: 'logged-out' });
      return revoked;
    },
  });
}

/** Log out everywhere: every session of the user ends, this tab's (and its siblings') too. */
export function useLogoutEverywhere() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => apiFetch<void>('/api/auth/logout-all/', { method: 'POST', body: {} }),
    onSuccess: () => {
      forgetSession(queryClient);
      broadcast({ type: 'logged-out' });
    },
  });
}
