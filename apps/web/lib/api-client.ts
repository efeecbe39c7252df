// The one way the browser talks to the API. It owns the access token (memory only: a token in
// localStorage is readable by any injected script) and the refresh dance: the refresh token
// itself sits in an httpOnly cookie that this code never sees.

import type { AuthResponse, Problem, TokenPair } from './api-types';
import { durationWords } from './durations';

/** Inlined at build time; '' means the API is reached through this app's own /api proxy. */
export const API_BASE = (process.env.NEXT_PUBLIC_API_URL ?? '').replace(/\/+$/, '');

const REFRESH_PATH = '/api/token/refresh/';
const REFRESH_LOCK = 'invpro360-token-refresh';

export class ApiError extends Error {
  /** HTTP status, or 0 when the server could not be reached at all. */
  readonly status: number;
  readonly title: string;
  /** A sentence a person can act on. */
  readonly detail: string;
  /** Validation messages by field name, as the API sent them. */
  readonly fieldErrors: Record<string, string[]>;
  /** Seconds to wait before retrying (429), when the API said so. */
  readonly retryAfter: number | null;

  constructor(init: {
    status: number;
    title?: string;
    detail: string;
    fieldErrors?: Record<string, string[]>;
    retryAfter?: number | null;
  }) {
    super(init.detail);
    this.name = 'ApiError';
    this.status = init.status;
    this.title = init.title ?? 'Error';
    this.detail = init.detail;
    this.fieldErrors = init.fieldErrors ?? {};
    this.retryAfter = init.retryAfter ?? null;
  }
}

let accessToken: string | null = null;
// Bumped whenever the session starts or ends, so a refresh that was already in flight cannot
// resurrect a session the user has just logged out of (or replace a fresher one).
let epoch = 0;
let refreshing: Promise<boolean> | null = null;
let onSessionExpired: (() => void) | null = null;
let onRefreshed: (() => void) | null = null;

export function getAccessToken(): string | null {
  return accessToken;
}

/** Adopts the tokens from login, register, switch-organization or accept-invitation. */
export function startSession(tokens: Pick<AuthResponse, 'access'>): void {
  epoch += 1;
  accessToken = tokens.access;
}

/** Forgets the access token; the cookie is only cleared by the API (logout). */
export function endSession(): void {
  epoch += 1;
  accessToken = null;
}

/**
 * `expired`: a request found the session gone for good (refresh refused).
 * `refreshed`: a request had to refresh mid-session. The API may hand back a token for another
 * organization then (e.g. the user was removed from the active one), so the app re-reads the user.
 */
export function setSessionHandlers(handlers: { expired: () => void; refreshed: () => void } | null): void {
  onSessionExpired = handlers?.expired ?? null;
  onRefreshed = handlers?.refreshed ?? null;
}

/**
 * Trades the refresh cookie for a new access token. Concurrent callers share one request:
 * refresh tokens rotate on every use and the API revokes the whole family when a spent one is
 * replayed, so two parallel refreshes would log the user out. Resolves false when the API
 * refuses (no cookie, expired, revoked); rejects with ApiError when it cannot be asked.
 */
export function refreshSession(): Promise<boolean> {
  refreshing ??= withRefreshLock(doRefresh).finally(() => {
    refreshing = null;
  });
  return refreshing;
}

async function doRefresh(): Promise<boolean> {
  const startedIn = epoch;
  // An empty object, not no body: the API reads the cookie when `refresh` is absent.
  const res = await send(REFRESH_PATH, { method: 'POST', body: {} }, null);
  if (res.ok) {
    // The body also carries the new refresh token; we drop it on purpose, the cookie has it.
    const pair = (await res.json()) as TokenPair;
    if (epoch !== startedIn) return accessToken !== null;
    accessToken = pair.access;
    return true;
  }
  if (res.status === 400 || res.status === 401 || res.status === 403) {
    if (epoch === startedIn) accessToken = null;
    return false;
  }
  throw await toApiError(res);
}

// Other tabs share the cookie, so they must not refresh at the same moment either; the Web Locks
// API serializes them (the second tab then refreshes with the cookie the first one just received).
async function withRefreshLock<T>(fn: () => Promise<T>): Promise<T> {
  const locks = typeof navigator === 'undefined' ? undefined : navigator.locks;
  if (!locks) return fn();
  return locks.request(REFRESH_LOCK, fn);
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Sent as JSON. */
  body?: unknown;
  signal?: AbortSignal;
  /** Send the access token and refresh it on 401 (default true). */
  auth?: boolean;
  /**
   * What to do when the session turns out to be gone: 'expire' (default) runs the handler that
   * sends the user to /login; 'throw' only throws, for callers that handle "not logged in" as a
   * normal state (loading the session on a public page).
   */
  onAuthFailure?: 'expire' | 'throw';
}

/** Calls the API and returns its parsed JSON (undefined for 204), or throws ApiError. */
export async function apiFetch<T>(path: string, options: RequestOptions = {}): Promise<T> {
  return parse<T>(await authorized(path, options));
}

/**
 * Opens a streamed answer (server-sent events) with the same token and refresh as apiFetch:
 * EventSource cannot send the bearer header. Resolves once the headers are in; throws ApiError
 * for an answer that is not a 2xx.
 */
export async function apiStream(path: string, options: Pick<RequestOptions, 'signal'> = {}): Promise<Response> {
  const res = await authorized(path, options, 'text/event-stream');
  if (!res.ok || !res.body) throw await toApiError(res);
  return res;
}

async function authorized(path: string, options: RequestOptions, accept?: string): Promise<Response> {
  const auth = options.auth ?? true;
  let token = auth ? accessToken : null;
  let res = await send(path, options, token, accept);
  if (res.status === 401 && auth) {
    if (accessToken !== null && accessToken !== token) {
      // Someone refreshed while this request was in flight: just use their token.
      token = accessToken;
    } else if (await refreshSession()) {
      token = accessToken;
      onRefreshed?.();
    } else {
      return sessionLost(options);
    }
    // A 401 means the request was refused before it did anything, so repeating it is safe.
    res = await send(path, options, token, accept);
    if (res.status === 401) {
      endSession();
      return sessionLost(options);
    }
  }
  return res;
}

function sessionLost(options: RequestOptions): never {
  if ((options.onAuthFailure ?? 'expire') === 'expire') onSessionExpired?.();
  throw new ApiError({
    status: 401,
    title: 'Unauthorized',
    detail: 'Your session has ended. Please log in again.',
  });
}

async function send(
  path: string,
  options: RequestOptions,
  token: string | null,
  accept = 'application/json, application/problem+json',
): Promise<Response> {
  const headers = new Headers({ Accept: accept });
  if (options.body !== undefined) headers.set('Content-Type', 'application/json');
  if (token) headers.set('Authorization', `Bearer ${token}`);
  try {
    return await fetch(`${API_BASE}${path}`, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      // The refresh cookie must travel (and be set) even when the API is on another origin.
      credentials: 'include',
      cache: 'no-store',
      signal: options.signal,
    });
  } catch (err) {
    // Let cancellations stay cancellations (TanStack Query cancels on unmount).
    if (options.signal?.aborted) throw err;
    throw new ApiError({
      status: 0,
      title: 'Network error',
      detail: 'Could not reach the server. Check your connection and try again.',
    });
  }
}

async function parse<T>(res: Response): Promise<T> {
  if (!res.ok) throw await toApiError(res);
  if (res.status === 204 || res.status === 205) return undefined as T;
  const text = await res.text();
  if (!text) return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ApiError({ status: res.status, title: 'Bad response', detail: 'The server sent an unreadable answer.' });
  }
}

const fallbackDetail: Record<number, string> = {
  400: 'The request was not accepted. Check the form and try again.',
  401: 'You need to log in to do that.',
  403: 'You do not have permission to do that.',
  404: 'That could not be found. It may have been removed.',
  409: 'That conflicts with the current state. Reload and try again.',
  429: 'Too many attempts. Wait a moment and try again.',
  502: 'The server is not reachable right now. Try again in a moment.',
  503: 'The service is temporarily unavailable. Try again in a moment.',
  504: 'The server took too long to answer. Try again in a moment.',
};

export async function toApiError(res: Response): Promise<ApiError> {
  // Whatever answered may not be the API (a proxy, a gateway): read each field as maybe missing.
  let problem: Partial<Problem> = {};
  if (/json/i.test(res.headers.get('content-type') ?? '')) {
    try {
      problem = (await res.json()) as Partial<Problem>;
    } catch {
      // An unreadable error body still has a status; fall through to the generic message.
    }
  }
  const retryAfter = parseRetryAfter(res.headers.get('retry-after'));
  let detail =
    typeof problem.detail === 'string' && problem.detail
      ? problem.detail
      : (fallbackDetail[res.status] ?? 'Something went wrong. Try again in a moment.');
  if (res.status === 429 && retryAfter !== null && !/\d/.test(detail)) {
    detail = `${detail} You can try again in ${durationWords(retryAfter * 1000)}.`;
  }
  return new ApiError({
    status: res.status,
    title: problem.title ?? res.statusText,
    detail,
    fieldErrors: isFieldErrors(problem.errors) ? problem.errors : {},
    retryAfter,
  });
}

function isFieldErrors(value: unknown): value is Record<string, string[]> {
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.values(value).every((v) => Array.isArray(v) && v.every((m) => typeof m === 'string'))
  );
}

function parseRetryAfter(value: string | null): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/** The message to show for any error a query or mutation produced. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.detail;
  return 'Something went wrong. Try again in a moment.';
}

/** Whether retrying could help: network failures and server-side trouble, never a 4xx. */
export function isTransient(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 0 || error.status >= 500);
}
