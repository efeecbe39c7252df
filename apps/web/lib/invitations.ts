'use client';

import { useQuery } from '@tanstack/react-query';
import { ApiError, apiFetch, isTransient } from './api-client';
import type { InvitationPreview } from './api-types';

/** The public side of an invitation link, readable before logging in. */
export function useInvitationPreview(token: string | null) {
  return useQuery({
    queryKey: ['invitation', token],
    queryFn: ({ signal }) =>
      apiFetch<InvitationPreview>(`/api/auth/invitations/${encodeURIComponent(token ?? '')}/`, {
        auth: false,
        signal,
      }),
    enabled: Boolean(token),
    retry: (failures, err) => isTransient(err) && failures < 2,
  });
}

/** A link that was revoked, used, expired or mistyped: nothing to retry. */
export function isDeadInvitation(error: unknown): boolean {
  return error instanceof ApiError && [400, 404, 410].includes(error.status);
}

export const roleLabel: Record<string, string> = { owner: 'Owner', admin: 'Admin', member: 'Member' };

export function formatDate(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
