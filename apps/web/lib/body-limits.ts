// The API's request body limits, which the /api proxy enforces too so that it never holds more than
// the API would accept. The web app cannot import the API's sources; a test in the API
// (apps/api/src/http/body-limits.test.ts) checks these against BODY_LIMIT_BYTES (apps/api/src/app.ts)
// and WEBHOOK_BODY_LIMIT_BYTES (the Shopify webhook route), and the wording against the API's own.
// Self-contained on purpose: both apps' TypeScript settings must read it.

export const BODY_LIMIT_BYTES = 1024 * 1024;
export const WEBHOOK_BODY_LIMIT_BYTES = 5 * 1024 * 1024;

/** The API ignores a trailing slash, so both spellings of the webhook path get its larger limit. */
export function bodyLimitFor(method: string, pathname: string): number {
  return method === 'POST' && /^\/api\/shopify\/webhook\/?$/.test(pathname)
    ? WEBHOOK_BODY_LIMIT_BYTES
    : BODY_LIMIT_BYTES;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KB`;
  return `${bytes} bytes`;
}

export function bodyTooLargeDetail(limit: number): string {
  return `The request body is too large (limit ${formatBytes(limit)}).`;
}
