import type { FastifyRequest } from 'fastify';
import { z } from 'zod';

export const MAX_PAGE_SIZE = 250;

export const pageQuery = z.object({
  page: z.coerce.number().int().min(1, 'Pages start at 1.').max(1_000_000).default(1),
  page_size: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE, `At most ${MAX_PAGE_SIZE} per page.`).default(50),
});
export type PageQuery = z.infer<typeof pageQuery>;

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({
    count: z.number().int(),
    next: z.string().nullable(),
    previous: z.string().nullable(),
    results: z.array(item),
  });

export interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

/** The `{count, next, previous, results}` shape clients already know, with links that keep every filter. */
export function paginated<T>(request: FastifyRequest, query: PageQuery, count: number, results: T[]): Page<T> {
  const link = (page: number) => {
    const url = new URL(request.url, 'http://placeholder');
    url.searchParams.set('page', String(page));
    url.searchParams.set('page_size', String(query.page_size));
    return `${url.pathname}${url.search}`;
  };
  const last = Math.max(1, Math.ceil(count / query.page_size));
  return {
    count,
    next: query.page < last ? link(query.page + 1) : null,
    previous: query.page > 1 ? link(Math.min(query.page - 1, last)) : null,
    results,
  };
}

export const offsetOf = (query: PageQuery) => (query.page - 1) * query.page_size;
