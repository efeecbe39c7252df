import type { ShopHandle } from './control.ts';
import { API_VERSION } from './schema.ts';

// Helpers for tests that talk to a running sim over HTTP, the way our API does.

export interface AdminAnswer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: GraphQL answers are checked field by field in tests.
  body: any;
}

export async function adminRequest(
  origin: string,
  auth: { domain?: string; token?: string | null; version?: string },
  query: string,
  variables: Record<string, unknown> = {},
): Promise<AdminAnswer> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (auth.token) headers['X-Shopify-Access-Token'] = auth.token;
  if (auth.domain) headers['X-Shopify-Shop-Domain'] = auth.domain;
  const res = await fetch(`${origin}/admin/api/${auth.version ?? API_VERSION}/graphql.json`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // non-JSON bodies (502 pages) stay text
  }
  return { status: res.status, headers: res.headers, body };
}

/** A GraphQL caller bound to one shop's own app. */
export function adminClient(origin: string, shop: ShopHandle, token?: string) {
  return (query: string, variables: Record<string, unknown> = {}) =>
    adminRequest(origin, { domain: shop.domain, token: token ?? shop.accessToken }, query, variables);
}
