'use client';

import { useQuery } from '@tanstack/react-query';
import { apiFetch } from './api-client';
import type { CatalogLocation, Page } from './api-types';

export const locationKeys = {
  all: (orgId: string) => ['org', orgId, 'locations'] as const,
};

// The API's largest page: a merchant has a handful of locations, so one request is the usual case.
const PAGE_SIZE = 250;

/** Every location of the organization's stores, all pages of them. */
export function useLocations(orgId: string) {
  return useQuery({
    queryKey: locationKeys.all(orgId),
    queryFn: async ({ signal }) => {
      const all: CatalogLocation[] = [];
      for (let page = 1; ; page++) {
        const answer = await apiFetch<Page<CatalogLocation>>(
          `/api/shopify/locations/?page=${page}&page_size=${PAGE_SIZE}`,
          { signal },
        );
        all.push(...answer.results);
        if (!answer.next || answer.results.length === 0) return all;
      }
    },
  });
}
