// The API's request body limits. The web app's /api proxy enforces them too, so that it never holds
// more than the API would accept, and refuses in the API's words.

export const BODY_LIMIT_BYTES = 1024 * 1024;

/** Shopify's product payloads can be large (up to 100 variants with images). */
export const WEBHOOK_BODY_LIMIT_BYTES = 5 * 1024 * 1024;

/** Where Shopify posts webhooks: the one route with the larger limit. */
export const WEBHOOK_PATH = '/api/shopify/webhook/';

/** The API ignores a trailing slash, so both spellings of the webhook path get its larger limit. */
export function bodyLimitFor(method: string, pathname: string): number {
  const webhook = pathname === WEBHOOK_PATH || pathname === WEBHOOK_PATH.slice(0, -1);
  return method === 'POST' && webhook ? WEBHOOK_BODY_LIMIT_BYTES : BODY_LIMIT_BYTES;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KB`;
  return `${bytes} bytes`;
}

export function bodyTooLargeDetail(limit: number): string {
  return `The request body is too large (limit ${formatBytes(limit)}).`;
}
