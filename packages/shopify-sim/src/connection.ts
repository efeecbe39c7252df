import { GraphQLError, type GraphQLResolveInfo } from 'graphql';
import { compareKeys, type Key, type Page } from './catalog.ts';

// Relay connections as Shopify serves them: opaque base64 cursors holding the sort position
// ({"last_id":…,"last_value":…}), first/last capped at 250, one of them required.

export const MAX_PAGE_SIZE = 250;

export function encodeCursor(key: Key): string {
  return Buffer.from(JSON.stringify({ last_id: key.id, last_value: key.v })).toString('base64');
}

export function decodeCursor(cursor: string): Key {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64').toString('utf8')) as {
      last_id?: unknown;
      last_value?: unknown;
    };
    if (
      typeof parsed.last_id === 'number' &&
      (typeof parsed.last_value === 'number' || typeof parsed.last_value === 'string')
    ) {
      return { id: parsed.last_id, v: parsed.last_value };
    }
  } catch {
    // fall through to the error below
  }
  throw new GraphQLError('Invalid cursor for current pagination sort.', { extensions: { code: 'BAD_REQUEST' } });
}

export interface BulkPaging {
  pageSize: number;
  after?: string;
  endCursor: string | null;
  hasNext: boolean;
}

export interface ConnectionArgs {
  first?: number;
  last?: number;
  after?: Key;
  before?: Key;
  reverse: boolean;
}

function isTopLevel(info: GraphQLResolveInfo): boolean {
  return info.path.prev === undefined;
}

/** Reads first/last/after/before; in a bulk run, nested connections are unbounded and the root one is paged by the runner. */
export function connectionArgs(
  args: Record<string, unknown>,
  info: GraphQLResolveInfo,
  bulk?: BulkPaging,
): ConnectionArgs {
  const reverse = args.reverse === true;
  if (bulk) {
    if (isTopLevel(info))
      return { first: bulk.pageSize, after: bulk.after ? decodeCursor(bulk.after) : undefined, reverse };
    return { first: Number.POSITIVE_INFINITY, reverse };
  }
  const first = args.first as number | null | undefined;
  const last = args.last as number | null | undefined;
  if ((first === null || first === undefined) && (last === null || last === undefined)) {
    throw new GraphQLError('you must provide one of first or last', { extensions: { code: 'BAD_REQUEST' } });
  }
  for (const [name, v] of [
    ['first', first],
    ['last', last],
  ] as const) {
    if (typeof v === 'number' && (v < 0 || v > MAX_PAGE_SIZE)) {
      throw new GraphQLError(`The ${name} argument must be between 0 and ${MAX_PAGE_SIZE}.`, {
        extensions: { code: 'BAD_REQUEST' },
      });
    }
  }
  return {
    first: typeof first === 'number' ? first : undefined,
    last: typeof last === 'number' ? last : undefined,
    after: typeof args.after === 'string' ? decodeCursor(args.after) : undefined,
    before: typeof args.before === 'string' ? decodeCursor(args.before) : undefined,
    reverse,
  };
}

export function toConnection<T>(
  page: Page<T>,
  view: (t: T) => object,
  info: GraphQLResolveInfo,
  bulk?: BulkPaging,
): object {
  const edges = page.items.map(({ item, key }) => ({ cursor: encodeCursor(key), node: view(item) }));
  const endCursor = edges.length ? (edges[edges.length - 1]?.cursor ?? null) : null;
  if (bulk && isTopLevel(info)) {
    bulk.endCursor = endCursor;
    bulk.hasNext = page.hasNext;
  }
  return {
    edges,
    nodes: edges.map((e) => e.node),
    pageInfo: {
      hasNextPage: page.hasNext,
      hasPreviousPage: page.hasPrevious,
      startCursor: edges[0]?.cursor ?? null,
      endCursor,
    },
  };
}

/** Pages an in-memory list that is already in its sort order. */
export function pageArray<T>(sorted: readonly T[], keyOf: (t: T) => Key, a: ConnectionArgs): Page<T> {
  const list = a.reverse ? [...sorted].reverse() : sorted;
  const cmp = (x: Key, y: Key) => (a.reverse ? -compareKeys(x, y) : compareKeys(x, y));
  let start = 0;
  let end = list.length;
  if (a.after) {
    const after = a.after;
    const i = list.findIndex((t) => cmp(keyOf(t), after) > 0);
    start = i < 0 ? list.length : i;
  }
  if (a.before) {
    const before = a.before;
    const i = list.findIndex((t) => cmp(keyOf(t), before) >= 0);
    end = i < 0 ? list.length : i;
  }
  let from = start;
  let to = Math.max(start, end);
  if (a.first !== undefined) to = Math.min(to, from + a.first);
  if (a.last !== undefined) from = Math.max(from, to - a.last);
  return {
    items: list.slice(from, to).map((item) => ({ item, key: keyOf(item) })),
    hasNext: to < end,
    hasPrevious: from > start || a.after !== undefined,
  };
}
