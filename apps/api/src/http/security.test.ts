import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, newAccount, type TestApp } from '../test/app.ts';
import { HSTS } from './security.ts';

const PRODUCTION = {
  DEBUG: 'false',
  ALLOWED_HOSTS: 'api.example.com',
  CORS_ALLOWED_ORIGINS: 'https://app.example.com',
};
const host = 'api.example.com';
/** What our web server (loopback, trusted by default) sends for a browser that came in over HTTPS. */
const viaHttpsProxy = { remoteAddress: '127.0.0.1', headers: { host, 'x-forwarded-proto': 'https' } };

describe('production HTTP (DEBUG=false), TRUST_PROXY unset', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(PRODUCTION);
  });
  afterAll(() => t.close());

  it('redirects plain HTTP to HTTPS with 308, keeping the path and query', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login/?next=1',
      remoteAddress: '203.0.113.7',
      headers: { host },
      payload: {},
    });
    expect(res.statusCode).toBe(308);
    expect(res.headers.location).toBe('https://api.example.com/api/auth/login/?next=1');
    expect(res.headers['strict-transport-security']).toBeUndefined();
  });

  it('believes X-Forwarded-Proto only from a trusted hop', async () => {
    const forged = await t.app.inject({
      method: 'GET',
      url: '/api/openapi.json',
      remoteAddress: '203.0.113.7',
      headers: { host, 'x-forwarded-proto': 'https' },
    });
    expect(forged.statusCode).toBe(308);
    const trusted = await t.app.inject({ method: 'GET', url: '/api/openapi.json', ...viaHttpsProxy });
    expect(trusted.statusCode).toBe(200);
    expect(trusted.headers['strict-transport-security']).toBe(HSTS);
    expect(trusted.headers['x-content-type-options']).toBe('nosniff');
    expect(trusted.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
    expect(trusted.headers['x-frame-options']).toBe('DENY');
  });

  it('answers probes and the metrics scrape on plain HTTP', async () => {
    for (const url of ['/api/health/', '/api/health/live/', '/api/health/ready/', '/metrics']) {
      const res = await t.app.inject({ method: 'GET', url, remoteAddress: '127.0.0.1', headers: { host } });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('never redirects to a host ALLOWED_HOSTS does not list', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/openapi.json',
      remoteAddress: '203.0.113.7',
      headers: { host: 'evil.example' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers.location).toBeUndefined();
  });

  it('sets the refresh cookie Secure and HttpOnly', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/auth/register/',
      ...viaHttpsProxy,
      payload: newAccount('secure'),
    });
    expect(res.statusCode, res.body).toBe(201);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/; Secure/i);
    expect(cookie).toMatch(/; HttpOnly/i);
  });

  it('gives CORS headers to CORS_ALLOWED_ORIGINS only', async () => {
    const preflight = (origin: string) =>
      t.app.inject({
        method: 'OPTIONS',
        url: '/api/auth/login/',
        ...viaHttpsProxy,
        headers: { ...viaHttpsProxy.headers, origin, 'access-control-request-method': 'POST' },
      });
    expect((await preflight('https://app.example.com')).headers['access-control-allow-origin']).toBe(
      'https://app.example.com',
    );
    const foreign = await preflight('https://evil.example');
    expect(foreign.statusCode).toBeLessThan(500);
    for (const name of Object.keys(foreign.headers)) expect(name).not.toMatch(/^access-control-allow/);
    // Not even the default local origins once CORS_ALLOWED_ORIGINS is set.
    expect((await preflight('http://localhost:3000')).headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('production HTTP behind TRUST_PROXY=1 (one load balancer in front)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ ...PRODUCTION, TRUST_PROXY: '1' });
  });
  afterAll(() => t.close());

  it("takes the proxy's X-Forwarded-Proto", async () => {
    const https = await t.app.inject({
      method: 'GET',
      url: '/api/openapi.json',
      remoteAddress: '10.0.0.5',
      headers: { host, 'x-forwarded-proto': 'https' },
    });
    expect(https.statusCode).toBe(200);
    expect(https.headers['strict-transport-security']).toBe(HSTS);
    const http = await t.app.inject({
      method: 'GET',
      url: '/api/openapi.json',
      remoteAddress: '10.0.0.5',
      headers: { host, 'x-forwarded-proto': 'http' },
    });
    expect(http.statusCode).toBe(308);
  });
});

describe('DEBUG=true', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('serves plain HTTP without redirect or HSTS (local development)', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['strict-transport-security']).toBeUndefined();
  });
});
