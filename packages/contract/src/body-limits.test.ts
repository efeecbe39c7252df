import { describe, expect, it } from 'vitest';
import { BODY_LIMIT_BYTES, bodyLimitFor, bodyTooLargeDetail, WEBHOOK_BODY_LIMIT_BYTES } from './body-limits.ts';

describe('bodyLimitFor', () => {
  it('gives the webhook route, with or without its trailing slash, the larger limit', () => {
    expect(bodyLimitFor('POST', '/api/shopify/webhook/')).toBe(WEBHOOK_BODY_LIMIT_BYTES);
    expect(bodyLimitFor('POST', '/api/shopify/webhook')).toBe(WEBHOOK_BODY_LIMIT_BYTES);
  });

  it('gives every other route and method the default', () => {
    expect(bodyLimitFor('POST', '/api/auth/login/')).toBe(BODY_LIMIT_BYTES);
    expect(bodyLimitFor('PUT', '/api/shopify/webhook/')).toBe(BODY_LIMIT_BYTES);
    expect(bodyLimitFor('POST', '/api/shopify/webhook//')).toBe(BODY_LIMIT_BYTES);
    expect(bodyLimitFor('POST', '/api/shopify/webhooks/')).toBe(BODY_LIMIT_BYTES);
  });
});

describe('bodyTooLargeDetail', () => {
  it('names the limit in the largest whole unit', () => {
    expect(bodyTooLargeDetail(BODY_LIMIT_BYTES)).toBe('The request body is too large (limit 1 MB).');
    expect(bodyTooLargeDetail(WEBHOOK_BODY_LIMIT_BYTES)).toBe('The request body is too large (limit 5 MB).');
    expect(bodyTooLargeDetail(1536 * 1024)).toBe('The request body is too large (limit 1536 KB).');
    expect(bodyTooLargeDetail(1000)).toBe('The request body is too large (limit 1000 bytes).');
  });
});
