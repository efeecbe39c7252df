import { API_VERSION } from './operations.ts';

/**
 * The one door to Shopify. Every call goes through here: it keeps a cost-based leaky bucket per
 * shop from `extensions.cost.throttleStatus`, waits out THROTTLED answers by the documented
 * arithmetic, retries 429 (honouring Retry-After), 5xx and network errors with capped exponential
 * backoff and full jitter, and never retries an answer that will not change (401, 403, 404…).
 * Written here rather than with @shopify/admin-api-client, which ignores THROTTLED and the cost
 * data and misreads Retry-After (docs/shopify.md §3).
 */

export type ShopifyErrorKind =
  | 'unauthorized' // 401: the token is wrong, revoked or expired
  | 'access_denied' // a scope is missing
  | 'unavailable' // 402, 403, 404, 423: the store is frozen, locked or gone
  | 'unreachable' // network errors or 5xx after every retry
  | 'rate_limited' // still throttled after every retry
  | 'invalid'; // GraphQL errors that retrying will not fix

export class ShopifyError extends Error {
  readonly kind: ShopifyErrorKind;
  readonly status: number | undefined;
  constructor(kind: ShopifyErrorKind, message: string, status?: number) {
    super(message);
    this.kind = kind;
    this.status = status;
  }
}

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export interface CallStats {
  requests: number;
  retries: number;
  throttledWaitMs: number;
  pointsUsed: number;
}

export interface ShopifyClientOptions {
  /** SHOPIFY_API_ORIGIN: the local simulator; unset means https://{shop}. */
  apiOrigin?: string;
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  timeoutMs?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

interface Bucket extends ThrottleStatus {
  at: number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Per call: who else counts it (a sync run's own tally), and when to give up waiting. */
export interface CallOptions {
  meter?: CallStats;
  signal?: AbortSignal;
}

export interface ShopifyClient {
  graphql<T>(
    shop: string,
    accessToken: string,
    query: string,
    variables?: Record<string, unknown>,
    expectedCost?: number,
    options?: CallOptions,
  ): Promise<T>;
  /** POST JSON to a non-GraphQL Admin path (OAuth token endpoint). */
  postJson<T>(shop: string, path: string, body: Record<string, unknown>): Promise<T>;
  /** Where a browser goes to approve an install (the simulator when configured). */
  authorizeUrl(shop: string, params: URLSearchParams): string;
  stats(shop: string): CallStats;
  /** The store's bucket as modelled now (refilled since the last answer), or null before any answer. */
  throttle(shop: string): ThrottleStatus | null;
}

export function createShopifyClient(opts: ShopifyClientOptions = {}): ShopifyClient {
  const maxAttempts = opts.maxAttempts ?? 6;
  const baseDelay = opts.baseDelayMs ?? 1000;
  const maxDelay = opts.maxDelayMs ?? 60_000;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const doFetch = opts.fetch ?? fetch;
  const sleep = opts.sleep ?? defaultSleep;
  const buckets = new Map<string, Bucket>();
  const stats = new Map<string, CallStats>();

  const newStats = (): CallStats => ({ requests: 0, retries: 0, throttledWaitMs: 0, pointsUsed: 0 });
  /** Count on the shop's totals and on the call's own meter, if it has one. */
  const tally = (shop: string, meter: CallStats | undefined, key: keyof CallStats, amount: number) => {
    statsOf(shop)[key] += amount;
    if (meter) meter[key] += amount;
  };
  const statsOf = (shop: string) => {
    const existing = stats.get(shop);
    if (existing) return existing;
    const fresh = newStats();
    stats.set(shop, fresh);
    return fresh;
  };

  const urlFor = (shop: string, path: string) =>
    opts.apiOrigin ? `${opts.apiOrigin}${path}` : `https://${shop}${path}`;
  const backoff = (attempt: number) => Math.random() * Math.min(maxDelay, baseDelay * 2 ** attempt);

  /** Wait until the modelled bucket can pay `cost` points. */
  async function payFor(shop: string, cost: number, meter?: CallStats) {
    const bucket = buckets.get(shop);
    if (!bucket) return;
    const now = Date.now();
    const available = Math.min(
      bucket.maximumAvailable,
      bucket.currentlyAvailable + (bucket.restoreRate * (now - bucket.at)) / 1000,
    );
    if (available >= cost) return;
    const waitMs = Math.ceil(((cost - available) / bucket.restoreRate) * 1000);
    tally(shop, meter, 'throttledWaitMs', waitMs);
    await sleep(waitMs);
  }

  async function send(
    shop: string,
    path: string,
    headers: Record<string, string>,
    body: string,
    meter?: CallStats,
  ): Promise<Response> {
    tally(shop, meter, 'requests', 1);
    return doFetch(urlFor(shop, path), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        ...(opts.apiOrigin ? { 'x-shopify-shop-domain': shop } : {}),
        ...headers,
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  }

  /** Runs `attempt` with retries for transient failures; `attempt` returns a value or 'retry' with a delay. */
  async function withRetries<T>(
    shop: string,
    attempt: () => Promise<{ value: T } | { retryAfterMs: number; reason: ShopifyError }>,
    meter?: CallStats,
    signal?: AbortSignal,
  ): Promise<T> {
    let last: ShopifyError | undefined;
    for (let i = 0; i < maxAttempts; i++) {
      if (i > 0) tally(shop, meter, 'retries', 1);
      let outcome: { value: T } | { retryAfterMs: number; reason: ShopifyError };
      try {
        outcome = await attempt();
      } catch (err) {
        if (err instanceof ShopifyError || signal?.aborted) throw err;
        // Network error, reset or timeout: transient.
        outcome = {
          retryAfterMs: backoff(i),
          reason: new ShopifyError('unreachable', `Shopify could not be reached (${(err as Error).message}).`),
        };
      }
      if ('value' in outcome) return outcome.value;
      last = outcome.reason;
      if (i < maxAttempts - 1) await sleep(outcome.retryAfterMs);
    }
    throw last ?? new ShopifyError('unreachable', 'Shopify could not be reached.');
  }

  function classifyHttp(
    res: Response,
    attempt: number,
  ): { retryAfterMs: number; reason: ShopifyError } | ShopifyError | undefined {
    if (res.ok) return undefined;
    const status = res.status;
    if (status === 401)
      return new ShopifyError(
        'unauthorized',
        'Shopify rejected the access token (401). Check it, or reinstall the app.',
        status,
      );
    if ([402, 403, 404, 423].includes(status)) {
      const why = { 402: 'frozen (unpaid)', 403: 'forbidden', 404: 'not found', 423: 'locked' }[
        status as 402 | 403 | 404 | 423
      ];
      return new ShopifyError('unavailable', `The store is unavailable: Shopify answered ${status} (${why}).`, status);
    }
    if (status === 429) {
      const retryAfter = Number(res.headers.get('retry-after'));
      const ms = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : backoff(attempt);
      return {
        retryAfterMs: Math.min(ms, maxDelay),
        reason: new ShopifyError('rate_limited', 'Shopify kept answering 429 Too Many Requests.', status),
      };
    }
    if (status >= 500) {
      return {
        retryAfterMs: backoff(attempt),
        reason: new ShopifyError('unreachable', `Shopify answered ${status} repeatedly.`, status),
      };
    }
    return new ShopifyError('invalid', `Shopify refused the request (${status}).`, status);
  }

  return {
    async graphql<T>(
      shop: string,
      accessToken: string,
      query: string,
      variables: Record<string, unknown> = {},
      expectedCost = 10,
      options: CallOptions = {},
    ) {
      const meter = options.meter;
      let attempt = 0;
      return withRetries<T>(
        shop,
        async () => {
          options.signal?.throwIfAborted();
          await payFor(shop, expectedCost, meter);
          const res = await send(
            shop,
            `/admin/api/${API_VERSION}/graphql.json`,
            { 'x-shopify-access-token': accessToken },
            JSON.stringify({ query, variables }),
            meter,
          );
          const http = classifyHttp(res, attempt++);
          if (http instanceof ShopifyError) {
            await res.body?.cancel();
            throw http;
          }
          if (http) {
            await res.body?.cancel();
            return http;
          }
          const body = (await res.json()) as {
            data?: T;
            errors?: { message: string; extensions?: { code?: string } }[] | string;
            extensions?: {
              cost?: { requestedQueryCost: number; actualQueryCost: number | null; throttleStatus: ThrottleStatus };
            };
          };
          const cost = body.extensions?.cost;
          if (cost?.throttleStatus) {
            buckets.set(shop, { ...cost.throttleStatus, at: Date.now() });
            tally(shop, meter, 'pointsUsed', cost.actualQueryCost ?? 0);
          }
          const errors = typeof body.errors === 'string' ? [{ message: body.errors }] : (body.errors ?? []);
          if (errors.some((e) => e.extensions?.code === 'THROTTLED')) {
            const status = cost?.throttleStatus;
            const requested = cost?.requestedQueryCost ?? expectedCost;
            const waitMs = status
              ? Math.max(0, ((requested - status.currentlyAvailable) / status.restoreRate) * 1000)
              : backoff(attempt);
            const jittered = waitMs + Math.random() * 250;
            tally(shop, meter, 'throttledWaitMs', jittered);
            return {
              retryAfterMs: jittered,
              reason: new ShopifyError('rate_limited', 'Shopify kept throttling the request.'),
            };
          }
          if (errors.some((e) => e.extensions?.code === 'ACCESS_DENIED')) {
            throw new ShopifyError('access_denied', `Shopify denied access: ${errors[0]!.message}`);
          }
          if (errors.length > 0) {
            throw new ShopifyError(
              'invalid',
              `Shopify answered with errors: ${errors.map((e) => e.message).join('; ')}`,
            );
          }
          return { value: body.data as T };
        },
        meter,
        options.signal,
      );
    },

    async postJson<T>(shop: string, path: string, payload: Record<string, unknown>) {
      let attempt = 0;
      return withRetries<T>(shop, async () => {
        const res = await send(shop, path, {}, JSON.stringify(payload));
        const http = classifyHttp(res, attempt++);
        if (http instanceof ShopifyError) {
          await res.body?.cancel();
          if (http.status === 400 || http.kind === 'invalid')
            throw new ShopifyError('unauthorized', 'Shopify refused the app credentials.', http.status);
          throw http;
        }
        if (http) {
          await res.body?.cancel();
          return http;
        }
        return { value: (await res.json()) as T };
      });
    },

    authorizeUrl(shop: string, params: URLSearchParams) {
      if (opts.apiOrigin) params.set('shop', shop);
      return `${urlFor(shop, '/admin/oauth/authorize')}?${params.toString()}`;
    },

    stats: (shop: string) => ({ ...statsOf(shop) }),

    throttle(shop: string) {
      const bucket = buckets.get(shop);
      if (!bucket) return null;
      const refilled = bucket.currentlyAvailable + (bucket.restoreRate * (Date.now() - bucket.at)) / 1000;
      return {
        maximumAvailable: bucket.maximumAvailable,
        currentlyAvailable: Math.min(bucket.maximumAvailable, refilled),
        restoreRate: bucket.restoreRate,
      };
    },
  };
}
