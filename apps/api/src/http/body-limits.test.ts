// The limits live in @invpro/contract, where the web app's /api proxy reads them too. What only
// the API can show: that its routes enforce those limits, and that its 413 names the limit of the
// route that refused.

import { BODY_LIMIT_BYTES, bodyLimitFor, WEBHOOK_BODY_LIMIT_BYTES } from '@invpro/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../test/app.ts';

describe('body limits from the contract', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('are the limits every registered route enforces, as the proxy computes them', () => {
    const routes = t.app.registeredRoutes;
    expect(routes.some((r) => r.bodyLimit === WEBHOOK_BODY_LIMIT_BYTES)).toBe(true);
    for (const route of routes) {
      expect(bodyLimitFor(route.method, route.url), `${route.method} ${route.url}`).toBe(
        route.bodyLimit ?? BODY_LIMIT_BYTES,
      );
    }
  });

  const post = (url: string, bytes: number) =>
    t.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json' },
      payload: `"${'x'.repeat(bytes - 2)}"`,
    });

  it('names the default limit on an ordinary route', async () => {
    const res = await post('/api/auth/login/', BODY_LIMIT_BYTES + 1);
    expect(res.statusCode).toBe(413);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().detail).toBe('The request body is too large (limit 1 MB).');
  });

  it('names the webhook route’s own 5 MB limit there', async () => {
    // 2 MB is over the default but within the webhook's limit: it gets past the size check.
    expect((await post('/api/shopify/webhook/', 2 * 1024 * 1024)).statusCode).not.toBe(413);
    const res = await post('/api/shopify/webhook/', WEBHOOK_BODY_LIMIT_BYTES + 1);
    expect(res.statusCode).toBe(413);
    expect(res.json().detail).toBe('The request body is too large (limit 5 MB).');
  });
});
