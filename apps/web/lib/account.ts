'use client';

import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { apiFetch } from './api-client';
import type { OutboxMessage, OutboxPage } from './api-types';

export const OUTBOX_PAGE_SIZE = 25;

// Under ['org', orgId] like all tenant data: switching organizations drops it.
export const outboxKeys = {
  list: (orgId: string, page: number) => ['org', orgId, 'mail', 'outbox', page] as const,
  message: (orgId: string, id: string) => ['org', orgId, 'mail', 'outbox', 'message', id] as const,
};

export function useOutbox(orgId: string, page: number) {
  return useQuery({
    queryKey: outboxKeys.list(orgId, page),
    queryFn: ({ signal }) =>
      apiFetch<OutboxPage>(`/api/mail/outbox/?page=${page}&page_size=${OUTBOX_PAGE_SIZE}`, { signal }),
    placeholderData: keepPreviousData,
  });
}

export function useOutboxMessage(orgId: string, id: string | null) {
  return useQuery({
    queryKey: outboxKeys.message(orgId, id ?? ''),
    queryFn: ({ signal }) => apiFetch<OutboxMessage>(`/api/mail/outbox/${encodeURIComponent(id ?? '')}/`, { signal }),
    enabled: id !== null,
  });
}

export function useRequestPasswordReset() {
  return useMutation({
    mutationFn: (email: string) =>
      apiFetch<{ detail: string }>('/api/auth/password-reset/', { method: 'POST', body: { email }, auth: false }),
  });
}

export function useConfirmPasswordReset() {
  return useMutation({
    mutationFn: (body: { token: string; password: string }) =>
      apiFetch<void>('/api/auth/password-reset/confirm/', { method: 'POST', body, auth: false }),
  });
}

export function useChangePassword() {
  return useMutation({
    mutationFn: (body: { current_password: string; new_password: string }) =>
      apiFetch<void>('/api/auth/password/', { method: 'POST', body }),
  });
}
