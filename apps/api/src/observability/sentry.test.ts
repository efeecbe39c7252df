import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.ts';
import { testConfig } from '../test/app.ts';
import { createTestDatabase, type TestDatabase } from '../test/database.ts';
import { initSentry, NO_REPORTER, reporter, scrubEvent } from './sentry.ts';

describe('scrubEvent (beforeSend)', () => {
  it('drops bodies, cookies, query strings, credential headers and personal data', () => {
    const event = scrubEvent({
      request: {
        url: 'https://api.example.com/api/auth/invitations/accept/?token=secret-token',
        data: { password: 'violet-harbour-tractor-91' },
        cookies: { invpro_refresh: 'refresh-secret' },
        query_string: 'token=secret-token',
        headers: {
          Authorization: 'Bearer jwt-secret',
          cookie: 'invpro_refresh=refresh-secret',
          'x-shopify-hmac-sha256': 'hmac-secret',
          'x-metrics-token': 'metrics-secret',
          'user-agent': 'curl/8',
          'x-request-id': 'req-1',
        },
        env: { SECRET_KEY: 'env-secret' },
      },
      user: { id: 'u1', email: 'someone@example.com', ip_address: '198.51.100.1' } as { id: string },
      breadcrumbs: [{ category: 'http', data: { url: 'https://shop/x?access_token=shpat_secret', body: 'b' } }],
    });
    const text = JSON.stringify(event);
    for (const secret of ['secret', 'violet', 'someone@', '198.51.100.1']) expect(text).not.toContain(secret);
    expect(event.request?.headers).toEqual({ 'user-agent': 'curl/8', 'x-request-id': 'req-1' });
    expect(event.request?.url).toBe('https://api.example.com/api/auth/invitations/accept/');
    expect(event.user).toEqual({ id: 'u1' });
  });
});

describe('without SENTRY_DSN', () => {
  it('loads nothing and reports nothing', async () => {
    expect(await initSentry(testConfig(), 'api')).toBe(NO_REPORTER);
    expect(reporter()).toBe(NO_REPORTER);
  });
});

describe('with SENTRY_DSN', () => {
  let ingest: Server;
  const envelopes: string[] = [];
  let database: TestDatabase;
  beforeAll(async () => {
    // A local stand-in for Sentry's ingest endpoint: it keeps what the SDK sends.
    ingest = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        envelopes.push((req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body).toString());
        res.writeHead(200).end('{}');
      });
    });
    await new Promise<void>((resolve) => ingest.listen(0, '127.0.0.1', resolve));
    database = await createTestDatabase();
  });
  afterAll(async () => {
    ingest.close();
    await database.drop();
  });

  it('reports a 5xx without the request body, cookies or credentials', async () => {
    const port = (ingest.address() as AddressInfo).port;
    const config = testConfig({ SENTRY_DSN: `http://publickey@127.0.0.1:${port}/1`, LOG_LEVEL: 'silent' });
    const errors = await initSentry(config, 'api');
    expect(errors).not.toBe(NO_REPORTER);
    const app = await buildApp({ config, db: database.db });
    app.post('/boom/', async () => {
      throw new Error('handler failed');
    });
    // A route the guard suites never see: registered on this app only, to make a real 500.
    const res = await app.inject({
      method: 'POST',
      url: '/boom/?token=query-secret',
      headers: { authorization: 'Bearer jwt-secret', cookie: 'invpro_refresh=cookie-secret' },
      payload: { password: 'body-secret' },
    });
    expect(res.statusCode).toBe(500);
    await errors.flush();
    await app.close();
    const sent = envelopes.join('\n');
    expect(sent).toContain('handler failed');
    expect(sent).toContain('/boom/');
    for (const secret of ['jwt-secret', 'cookie-secret', 'body-secret', 'query-secret'])
      expect(sent).not.toContain(secret);
  });
});
