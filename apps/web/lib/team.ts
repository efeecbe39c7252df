'use client';

import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiFetch } from './api-client';
import type { Invitation, Member, Page, Role } from './api-types';

export const MEMBERS_PAGE_SIZE = 50;

// Keys start with ['org', orgId]: data of one organization can never be shown while another is
// active, and switching drops it all in one call (see session.tsx).
export const teamKeys = {
  all: (orgId: string) => ['org', orgId, 'team'] as const,
  members: (orgId: string, page: number) => ['org', orgId, 'team', 'members', page] as const,
  invitations: (orgId: string) => ['org', orgId, 'team', 'invitations'] as const,
};

export function useMembers(orgId: string, page: number) {
  return useQuery({
    queryKey: teamKeys.members(orgId, page),
    queryFn: ({ signal }) =>
      apiFetch<Page<Member>>(`/api/team/members/?page=${page}&page_size=${MEMBERS_PAGE_SIZE}`, {
        signal,
      }),
    placeholderData: keepPreviousData,
  });
}

export function useInvitations(orgId: string, { enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({
    enabled,
    queryKey: teamKeys.invitations(orgId),
    queryFn: ({ signal }) => apiFetch<Page<Invitation>>('/api/team/invitations/?page_size=250', { signal }),
  });
}

export function useChangeRole(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ userId, role }: { userId: string; role: Role }) =>
      apiFetch<Member>(`/api/team/members/${encodeURIComponent(userId)}/`, { method: 'PATCH', body: { role } }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: teamKeys.all(orgId) }),
  });
}

export function useRemoveMember(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (userId: string) =>
      apiFetch<void>(`/api/team/members/${encodeURIComponent(userId)}/`, { method: 'DELETE' }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: teamKeys.all(orgId) }),
  });
}

export function useCreateInvitation(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { email: string; role: Role }) =>
      apiFetch<Invitation>('/api/team/invitations/', { method: 'POST', body }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: teamKeys.invitations(orgId) }),
  });
}

export function useRevokeInvitation(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      apiFetch<void>(`/api/team/invitations/${encodeURIComponent(id)}/`, { method: 'DELETE' }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: teamKeys.invitations(orgId) }),
  });
}
