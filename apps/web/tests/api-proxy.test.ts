import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiTarget, proxyToApi } from '../lib/api-proxy';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

let upstream: Server;
let target: string;
let seen: Seen[] = [];
/** Called with the first body chunk the API receives on /api/stream/, before the rest. */
let onFirstChunk: (() => void) | undefined;

beforeAll(async () => {
  upstream = createServer(async (req, res) => {
    if (req.url?.startsWith('/api/stream/')) req.once('data', () => onFirstChunk?.());
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of req) chunks.push(chunk as Buffer);
    } catch {
      return; // The proxy gave up on the upload (a body over the limit).
    }
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
    if (req.url?.startsWith('/api/empty/')) {
      res.writeHead(204).end();
      return;
    }
    res.setHeader('set-cookie', [
      'invpro_refresh=abc; Path=/api/; HttpOnly; SameSite=Lax; Expires=Wed, 21 Oct 2037 07:28:00 GMT',
      'other=1; Path=/',
    ]);
    res.setHeader('retry-after', '7');
    res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true }));
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  target = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => upstream.close(() => resolve())));

describe('proxyToApi', () => {
  it('forwards method, path with trailing slash, query, body bytes and headers', async () => {
    seen = [];
    const body = new Uint8Array([0x7b, 0x7d, 0x00, 0xff]);
    const res = await proxyToApi(
      new Request('http://web.test/api/team/members/?page=2&search=a%20b', {
        method: 'PATCH',
        body,
        headers: {
          authorization: 'Bearer T',
          cookie: 'invpro_refresh=xyz',
          'content-type': 'application/json',
          // As server.ts sets them from its own socket.
          'x-forwarded-for': '203.0.113.9',
          'x-forwarded-host': 'web.test',
          'x-forwarded-proto': 'https',
          connection: 'keep-alive',
        },
      }),
      target,
    );
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ ok: true });
    const req = seen[0]!;
    expect(req.method).toBe('PATCH');
    expect(req.url).toBe('/api/team/members/?page=2&search=a%20b');
    expect([...req.body]).toEqual([...body]);
    expect(req.headers.authorization).toBe('Bearer T');
    expect(req.headers.cookie).toBe('invpro_refresh=xyz');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['x-forwarded-for']).toBe('203.0.113.9');
    expect(req.headers['x-forwarded-host']).toBe('web.test');
    expect(req.headers['x-forwarded-proto']).toBe('https');
  });

  it('forwards only the three forwarding headers server.ts sets, and makes none up', async () => {
    seen = [];
    await proxyToApi(
      new Request('http://web.test/api/auth/me/', {
        headers: {
          forwarded: 'for=198.51.100.1;host=evil.example',
          'x-real-ip': '198.51.100.1',
          'x-forwarded-port': '443',
          'x-forwarded-prefix': '/evil',
        },
      }),
      target,
    );
    const sent = seen[0]!.headers;
    for (const name of [
      'forwarded',
      'x-real-ip',
      'x-forwarded-port',
      'x-forwarded-prefix',
      'x-forwarded-for',
      'x-forwarded-host',
      'x-forwarded-proto',
    ]) {
      expect(sent[name], name).toBeUndefined();
    }
  });

  it('streams the body: the API has the first chunk before the client sent the rest', async () => {
    seen = [];
    const firstArrived = new Promise<void>((resolve) => {
      onFirstChunk = resolve;
    });
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(encoder.encode('{"part":1,'));
        // A proxy that buffered the whole body would wait here for ever.
        await Promise.race([
          firstArrived,
          new Promise((_, reject) => setTimeout(() => reject(new Error('the API got nothing yet')), 5_000)),
        ]);
        controller.enqueue(encoder.encode('"part2":2}'));
        controller.close();
      },
    });
    const res = await proxyToApi(
      new Request('http://web.test/api/stream/', {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
        duplex: 'half',
      } as RequestInit),
      target,
    );
    expect(res.status).toBe(201);
    expect(seen[0]!.body.toString()).toBe('{"part":1,"part2":2}');
  });

  it('answers 413 for a declared Content-Length over the limit without calling the API', async () => {
    seen = [];
    const res = await proxyToApi(
      new Request('http://web.test/api/auth/login/', {
        method: 'POST',
        body: '{}',
        headers: { 'content-type': 'application/json', 'content-length': String(1024 * 1024 + 1) },
      }),
      target,
    );
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect((await res.json()).detail).toBe('The request body is too large (limit 1 MB).');
    expect(seen).toEqual([]);
  });

  it('cuts off a body that grows past the route limit: 1 MB, or 5 MB for the Shopify webhook', async () => {
    const twoMegabytes = () => {
      let left = 2 * 1024 * 1024;
      return new ReadableStream<Uint8Array>({
        pull(controller) {
          if (left <= 0) return controller.close();
          const chunk = new Uint8Array(Math.min(64 * 1024, left)).fill(0x20);
          left -= chunk.length;
          controller.enqueue(chunk);
        },
      });
    };
    const post = (path: string) =>
      proxyToApi(
        new Request(`http://web.test${path}`, { method: 'POST', body: twoMegabytes(), duplex: 'half' } as RequestInit),
        target,
      );
    const refused = await post('/api/auth/login/');
    expect(refused.status).toBe(413);
    expect((await refused.json()).detail).toBe('The request body is too large (limit 1 MB).');
    seen = [];
    expect((await post('/api/shopify/webhook/')).status).toBe(201);
    expect(seen[0]!.body.length).toBe(2 * 1024 * 1024);
  });

  it('returns every set-cookie separately, and other headers', async () => {
    const res = await proxyToApi(
      new Request('http://web.test/api/auth/login/', { method: 'POST', body: '{}' }),
      target,
    );
    expect(res.headers.getSetCookie()).toEqual([
      'invpro_refresh=abc; Path=/api/; HttpOnly; SameSite=Lax; Expires=Wed, 21 Oct 2037 07:28:00 GMT',
      'other=1; Path=/',
    ]);
    expect(res.headers.get('retry-after')).toBe('7');
  });

  it('passes a 204 through without a body', async () => {
    const res = await proxyToApi(new Request('http://web.test/api/empty/', { method: 'DELETE' }), target);
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
  });

  it('answers 502 problem+json when the API is down', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const res = await proxyToApi(new Request('http://web.test/api/auth/me/'), `http://127.0.0.1:${port}`);
    expect(res.status).toBe(502);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toEqual({
      type: 'about:blank',
      title: 'Bad Gateway',
      status: 502,
      detail: 'The API server is not reachable. Is it running?',
    });
  });

  it('reads its target from the environment', () => {
    expect(apiTarget({ API_INTERNAL_URL: 'http://api:9000/' })).toBe('http://api:9000');
    expect(apiTarget({ API_PORT: '8123' })).toBe('http://127.0.0.1:8123');
    expect(apiTarget({})).toBe('http://127.0.0.1:8000');
  });
});
