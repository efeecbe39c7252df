// The web app's /api proxy refuses oversized bodies itself, before they cost it memory, with limits
// and words it cannot import from here (the web app does not load API sources). This keeps the two
// in step, and checks that the API's 413 names the limit of the route that refused.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as web from '../../../web/lib/body-limits.ts';
import { BODY_LIMIT_BYTES } from '../app.ts';
import { WEBHOOK_BODY_LIMIT_BYTES } from '../modules/shopify/webhooks.routes.ts';
import { createTestApp, type TestApp } from '../test/app.ts';
import { bodyTooLargeDetail } from './errors.ts';

describe('body limits shared with the web app', () => {
  it('are the API’s own numbers, for the same routes', () => {
    expect(web.BODY_LIMIT_BYTES).toBe(BODY_LIMIT_BYTES);
    expect(web.WEBHOOK_BODY_LIMIT_BYTES).toBe(WEBHOOK_BODY_LIMIT_BYTES);
    expect(web.bodyLimitFor('POST', '/api/shopify/webhook/')).toBe(WEBHOOK_BODY_LIMIT_BYTES);
    expect(web.bodyLimitFor('POST', '/api/shopify/webhook')).toBe(WEBHOOK_BODY_LIMIT_BYTES);
    expect(web.bodyLimitFor('POST', '/api/auth/login/')).toBe(BODY_LIMIT_BYTES);
    expect(web.bodyLimitFor('PUT', '/api/shopify/webhook/')).toBe(BODY_LIMIT_BYTES);
  });

  it('are worded the same on both sides', () => {
    for (const limit of [BODY_LIMIT_BYTES, WEBHOOK_BODY_LIMIT_BYTES, 1536 * 1024, 1000]) {
      expect(web.bodyTooLargeDetail(limit)).toBe(bodyTooLargeDetail(limit));
    }
    expect(bodyTooLargeDetail(WEBHOOK_BODY_LIMIT_BYTES)).toBe('The request body is too large (limit 5 MB).');
  });
});

describe('413 from the API', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

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
