// The web server's HTTP policy with the built app: a nonce CSP under which the real app runs in
// Chromium without one violation, immutable static assets, and in production (DEBUG=false) the
// HTTPS redirect and HSTS behind a trusted proxy. Real API and PostgreSQL behind the /api proxy.
// Needs the root vitest config and a web build first (`npm run build -w @invpro/web`).

import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register } from './e2e-stack';
import { startWeb, startWebServer, type WebHarness, type WebServer } from './harness';
import { type RealApi, startRealApi } from './real-api';

let api: RealApi;
let web: WebHarness;
let production: WebServer;

beforeAll(async () => {
  api = await startRealApi();
  web = await startWeb({ apiUrl: api.url });
  production = await startWebServer({
    apiUrl: api.url,
    // Our test client on loopback plays the TLS-terminating proxy in front of the web server.
    readyPath: '/api/health/',
    env: { DEBUG: 'false', ALLOWED_HOSTS: 'app.example.com,localhost,127.0.0.1', TRUST_PROXY: '127.0.0.1' },
  });
});

afterAll(async () => {
  await web?.close();
  await production?.close();
  await api?.close();
});

/** A raw GET (fetch may not set Host): status and headers. */
function get(base: string, path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>(
    (resolve, reject) => {
      const req = httpRequest(`${base}${path}`, { headers }, (res) => {
        let body = '';
        res.on('data', (c) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    },
  );
}

describe('Content-Security-Policy', () => {
  it('has a fresh nonce per page, on every inline script, and no unsafe-inline for scripts', async () => {
    const a = await get(web.webUrl, '/login');
    const b = await get(web.webUrl, '/login');
    const policy = String(a.headers['content-security-policy']);
    const nonce = /'nonce-([^']+)'/.exec(policy)?.[1];
    expect(nonce).toBeTruthy();
    expect(String(b.headers['content-security-policy'])).not.toContain(nonce);
    expect(policy).toMatch(/script-src 'self' 'nonce-[^']+'(;|$)/);
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).toContain("object-src 'none'");
    const scripts = [...a.body.matchAll(/<script\b([^>]*)>/g)].map(([, attrs]) => attrs!);
    expect(scripts.length).toBeGreaterThan(0);
    for (const attrs of scripts) expect(attrs).toContain(`nonce="${nonce}"`);
  });

  it('a client cannot choose the nonce', async () => {
    const res = await get(web.webUrl, '/login', {
      'x-nonce': 'chosen',
      'content-security-policy': "script-src 'nonce-chosen'",
    });
    expect(String(res.headers['content-security-policy'])).not.toContain('chosen');
    expect(res.body).not.toContain('nonce="chosen"');
  });

  it('the app runs under it in a browser without a CSP violation: login, register, dashboard', async () => {
    const violations: string[] = [];
    const { page, context, webUrl } = web;
    await context.exposeFunction('reportCspViolation', (v: string) => violations.push(v));
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        (window as unknown as { reportCspViolation(v: string): void }).reportCspViolation(
          `${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`,
        );
      });
    });
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    await page.goto(`${webUrl}/login`);
    await page.getByRole('textbox', { name: 'Email or username', exact: true }).waitFor();
    await register(page, webUrl, {
      email: 'csp@example.com',
      username: 'csp',
      password: 'Plum-Harbor-Lantern-93!',
      organization: 'CSP Goods',
    });
    await page.getByRole('heading', { name: 'Welcome, csp' }).waitFor();
    await page.goto(`${webUrl}/dashboard/products`);
    await page.waitForLoadState('networkidle');
    // Mantine's color-scheme script ran (it is an inline script: blocked, it would set nothing).
    expect(await page.evaluate(() => document.documentElement.getAttribute('data-mantine-color-scheme'))).toBe('light');
    expect(violations).toEqual([]);
    // The watch itself works: an inline script without the nonce is refused and reported.
    await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.injected = true';
      document.head.append(script);
    });
    await expect.poll(() => violations.length).toBeGreaterThan(0);
    expect(await page.evaluate(() => (window as unknown as { injected?: boolean }).injected)).toBeUndefined();
  });
});

describe('static assets', () => {
  it('/_next/static/* is served public, for a year, immutable', async () => {
    const html = (await get(web.webUrl, '/login')).body;
    const asset = /\/_next\/static\/[^"']+\.js/.exec(html)?.[0];
    expect(asset).toBeTruthy();
    const res = await get(web.webUrl, asset!);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });
});

describe('conditional GET through the /api proxy', () => {
  it('passes If-None-Match to the API and its 304 back, without a body', async () => {
    const registered = await fetch(`${web.webUrl}/api/auth/register/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'etag@example.com', username: 'etag', password: 'Plum-Harbor-Lantern-93!' }),
    });
    expect(registered.status).toBe(201);
    const { access } = (await registered.json()) as { access: string };
    const auth = { authorization: `Bearer ${access}` };
    const first = await get(web.webUrl, '/api/shopify/products/', auth);
    expect(first.status).toBe(200);
    expect(first.headers['cache-control']).toBe('private, no-cache');
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^W\//);
    const again = await get(web.webUrl, '/api/shopify/products/', { ...auth, 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
  });
});

describe('production (DEBUG=false) behind a trusted proxy', () => {
  it('redirects plain HTTP to HTTPS with 308, and sends HSTS with HTTPS answers', async () => {
    const plain = await get(production.webUrl, '/login?next=%2Fdashboard', { host: 'app.example.com' });
    expect(plain.status).toBe(308);
    expect(plain.headers.location).toBe('https://app.example.com/login?next=%2Fdashboard');
    const secure = await get(production.webUrl, '/login', { host: 'app.example.com', 'x-forwarded-proto': 'https' });
    expect(secure.status).toBe(200);
    expect(secure.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    expect(secure.headers['x-content-type-options']).toBe('nosniff');
    expect(secure.headers['x-frame-options']).toBe('DENY');
    expect(String(secure.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
    // Production images come over HTTPS only.
    expect(String(secure.headers['content-security-policy'])).not.toMatch(/img-src[^;]* http:/);
  });

  it('never redirects to a host it does not serve, and lets health probes through on HTTP', async () => {
    expect((await get(production.webUrl, '/login', { host: 'evil.example' })).status).toBe(400);
    const probe = await get(production.webUrl, '/api/health/', { host: 'localhost' });
    expect(probe.status).toBe(200);
  });
});
