import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { proxyToApi } from '../lib/api-proxy';

// A sync's progress is an event stream that lasts as long as the run; the proxy's timeout is for
// answers that never start, so it must not cut a stream that has.

const TIMEOUT_MS = 150;
let upstream: Server;
let target: string;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    if (req.url === '/api/events/') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('event: progress\ndata: 1\n\n');
      setTimeout(() => res.end('event: end\ndata: 2\n\n'), TIMEOUT_MS * 3);
      return;
    }
    // Headers that never come in time.
    setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'), TIMEOUT_MS * 3);
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  target = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => upstream.close(() => resolve())));

it('streams an event stream past the timeout, event by event', async () => {
  const res = await proxyToApi(new Request('http://web.test/api/events/'), target, TIMEOUT_MS);
  expect(res.status).toBe(200);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const first = await reader.read();
  expect(first.value).toContain('event: progress');
  let rest = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    rest += value;
  }
  expect(rest).toContain('event: end');
});

it('still answers 504 when the headers do not come in time', async () => {
  const res = await proxyToApi(new Request('http://web.test/api/slow/'), target, TIMEOUT_MS);
  expect(res.status).toBe(504);
});
