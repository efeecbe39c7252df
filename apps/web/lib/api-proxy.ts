// Same-origin access to the API: the browser calls /api/… on this app and we forward the request
// as-is. Same origin keeps the refresh cookie first-party and needs no CORS. The target is read
// per request (not a next.config rewrite, which is frozen at build time) so one build runs
// against any API address.

import { bodyLimitFor, bodyTooLargeDetail } from '@invpro/contract';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

// Where the client came from is said only by what server.ts wrote from its own socket (the three
// X-Forwarded-* set below); every other spelling of it is the client's word and stays behind.
const FORWARDING = [
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-forwarded-port',
  'x-forwarded-prefix',
  'x-real-ip',
];

// Dropped from requests: fetch sets host itself (content-length is set below from what was
// declared), and asking for compression would make us re-encode what undici already decodes.
const REQUEST_SKIP = new Set([...HOP_BY_HOP, ...FORWARDING, 'host', 'content-length', 'accept-encoding', 'expect']);
// Dropped from responses: undici hands us the body already decompressed and unframed.
const RESPONSE_SKIP = new Set([...HOP_BY_HOP, 'content-encoding', 'content-length', 'set-cookie']);

const TIMEOUT_MS = 60_000;

export function apiTarget(env: Record<string, string | undefined> = process.env): string {
  const base = env.API_INTERNAL_URL || `http://127.0.0.1:${env.API_PORT || '8000'}`;
  return base.replace(/\/+$/, '');
}

function problem(status: number, title: string, detail: string): Response {
  return new Response(JSON.stringify({ type: 'about:blank', title, status, detail }), {
    status,
    headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store' },
  });
}

class BodyTooLarge extends Error {}

/**
 * The body passes through as it arrives, never whole in memory, and is cut off once it grows past
 * the API's limit for the route: a multi-gigabyte upload costs us one chunk at a time. Undefined
 * when there is no body at all, which must reach the API as none: an empty chunked body on a POST
 * without Content-Type (logout, refresh) would be refused there as an unsupported media type.
 */
async function streamedBody(
  source: ReadableStream<Uint8Array>,
  limit: number,
  onTooLarge: () => void,
): Promise<ReadableStream<Uint8Array> | undefined> {
  const reader = source.getReader();
  let received = 0;
  const next = async (): Promise<Uint8Array | undefined> => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return undefined;
      if (value.byteLength === 0) continue;
      received += value.byteLength;
      if (received > limit) {
        // Not cancelled: that would destroy the connection before our 413 is written. server.ts
        // reads and drops the rest once the answer has gone out.
        onTooLarge();
        throw new BodyTooLarge();
      }
      return value;
    }
  };
  const first = await next();
  if (!first) return undefined;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(first);
    },
    async pull(controller) {
      const chunk = await next();
      if (chunk) controller.enqueue(chunk);
      else controller.close();
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

export async function proxyToApi(request: Request, target = apiTarget(), timeoutMs = TIMEOUT_MS): Promise<Response> {
  const incoming = new URL(request.url);
  // Path and query exactly as requested, trailing slash included (the API's routes end with '/').
  const url = `${target}${incoming.pathname}${incoming.search}`;

  const headers = new Headers();
  for (const [name, value] of request.headers) {
    if (!REQUEST_SKIP.has(name)) headers.set(name, value);
  }
  // server.ts (our HTTP server) replaced these with what it saw itself, keeping a client's values
  // only from a proxy TRUST_PROXY names; the API believes them from us (loopback) for
  // ALLOWED_HOSTS and the per-address login limit.
  for (const name of ['x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto']) {
    const value = request.headers.get(name);
    if (value) headers.set(name, value);
  }

  const method = request.method.toUpperCase();
  const limit = bodyLimitFor(method, incoming.pathname);
  const tooLarge = () => problem(413, 'Payload Too Large', bodyTooLargeDetail(limit));
  const declared = request.headers.get('content-length');
  const declaredLength = declared === null ? undefined : Number(declared);
  if (declaredLength !== undefined && declaredLength > limit) return tooLarge();

  let cutOff = false;
  const stopUpload = new AbortController();
  // A timer of our own rather than AbortSignal.timeout: an event stream (a sync's progress) is
  // meant to outlive it, so its clock stops once the stream's headers are in.
  const timedOut = new AbortController();
  const timer = setTimeout(() => timedOut.abort(new DOMException('timed out', 'TimeoutError')), timeoutMs);
  // Like AbortSignal.timeout, the timer must not keep a stopping server alive.
  (timer as { unref?: () => void }).unref?.();
  let upstream: Response;
  try {
    const body =
      method === 'GET' || method === 'HEAD' || !request.body || declaredLength === 0
        ? undefined
        : await streamedBody(request.body, limit, () => {
            cutOff = true;
            stopUpload.abort();
          });
    // The API then refuses an oversized body from the header, as we did, and sizes its buffer.
    if (body && declaredLength) headers.set('content-length', String(declaredLength));
    const init: RequestInit & { duplex: 'half' } = {
      method,
      headers,
      body,
      duplex: 'half',
      // A redirect is the API's answer to the browser, not something to follow here.
      redirect: 'manual',
      cache: 'no-store',
      signal: AbortSignal.any([request.signal, stopUpload.signal, timedOut.signal]),
    };
    upstream = await fetch(url, init);
    if (/^text\/event-stream/i.test(upstream.headers.get('content-type') ?? '')) clearTimeout(timer);
  } catch (err) {
    clearTimeout(timer);
    if (cutOff) return tooLarge();
    if (request.signal.aborted) return problem(499, 'Client Closed Request', 'The request was cancelled.');
    if (err instanceof Error && err.name === 'TimeoutError') {
      return problem(504, 'Gateway Timeout', 'The API server took too long to answer. Try again in a moment.');
    }
    return problem(502, 'Bad Gateway', 'The API server is not reachable. Is it running?');
  }

  // The API may refuse the body before our own count trips; the upload is then still in flight, and
  // its end would cut the API's answer short, so answer the same 413 ourselves.
  if (upstream.status === 413 || cutOff) {
    await upstream.body?.cancel().catch(() => {});
    return tooLarge();
  }

  const responseHeaders = new Headers();
  for (const [name, value] of upstream.headers) {
    if (!RESPONSE_SKIP.has(name)) responseHeaders.set(name, value);
  }
  // Each cookie must stay its own header; joining them with commas corrupts Expires dates.
  for (const cookie of upstream.headers.getSetCookie()) responseHeaders.append('set-cookie', cookie);

  const noBody = method === 'HEAD' || upstream.status === 204 || upstream.status === 205 || upstream.status === 304;
  return new Response(noBody ? null : upstream.body, {
    status: upstream.status,
    statusText: upstream.statusText,
    headers: responseHeaders,
  });
}
