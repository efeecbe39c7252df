'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiFetch } from './api-client';
import type { Organization, ProfileChange, User } from './api-types';
import { sessionKey } from './session';

/** Change one's email or username; the answer is the new profile, so the header shows it at once. */
export function useUpdateProfile() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: ProfileChange) => apiFetch<User>('/api/auth/me/', { method: 'PATCH', body }),
    onSuccess: (user) => queryClient.setQueryData(sessionKey, user),
  });
}

/** Rename the active organization; the session lists the names the switcher shows, so it reloads. */
export function useRenameOrganization() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => apiFetch<Organization>('/api/organization/', { method: 'PATCH', body: { name } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: sessionKey }),
  });
}
