import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../test/app.ts';
import { redactUrl } from './logging.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('system endpoints and conventions', () => {
  it('GET /api/health/ checks the database', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/health/' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('serves the OpenAPI document generated from the zod schemas, and the interactive docs', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(doc.openapi).toMatch(/^3\./);
    for (const path of [
      '/api/auth/register/',
      '/api/auth/login/',
      '/api/token/refresh/',
      '/api/team/members/{user_id}/',
    ]) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
    expect(doc.paths['/api/auth/login/'].post.requestBody.content['application/json'].schema).toBeTruthy();
    const page = await t.app.inject({ method: 'GET', url: '/api/docs' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('swagger-ui');
  });

  it('answers with a request id, and honours a sane incoming one', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/health/', headers: { 'x-request-id': 'abc-123' } });
    expect(res.headers['x-request-id']).toBe('abc-123');
    const generated = await t.app.inject({
      method: 'GET',
      url: '/api/health/',
      headers: { 'x-request-id': 'bad id with spaces' },
    });
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('allows CORS only for the configured origins, with credentials', async () => {
    const ok = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/auth/login/',
      headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST' },
    });
    expect(ok.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    expect(ok.headers['access-control-allow-credentials']).toBe('true');
    const evil = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/auth/login/',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('masks secrets that travel in URLs before logging them', () => {
    expect(redactUrl('/api/auth/invitations/abc.def/accept/')).toBe('/api/auth/invitations/[redacted]/accept/');
    expect(redactUrl('/api/shopify/oauth/callback/?code=123&shop=a.myshopify.com&hmac=ff')).toBe(
      '/api/shopify/oauth/callback/?code=%5Bredacted%5D&shop=a.myshopify.com&hmac=%5Bredacted%5D',
    );
  });
});
