// The /api proxy streams request bodies to the API and enforces the API's own limits on the way, so
// a huge upload costs the web server a chunk at a time instead of the whole body (a 256 MB upload
// once took it from 64 MB to 1.1 GB of memory). Real web server, real API, plain HTTP.

import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startWebServer, type WebServer } from './harness';
import { type RealApi, startRealApi } from './real-api';

const MB = 1024 * 1024;

let api: RealApi;
let web: WebServer;

beforeAll(async () => {
  api = await startRealApi();
  web = await startWebServer({ apiUrl: api.url });
});

afterAll(async () => {
  await web?.close();
  await api?.close();
});

interface Answer {
  status: number;
  body: string;
  /** Body bytes the client had handed to the socket when the answer was complete. */
  sent: number;
}

/** A complete HTTP/1.1 response in `raw`, or undefined while more is to come. */
function parseResponse(raw: Buffer): { status: number; body: string } | undefined {
  const headEnd = raw.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const head = raw.subarray(0, headEnd).toString('latin1');
  const status = Number(head.split(' ', 2)[1]);
  if (status === 100) return parseResponse(raw.subarray(headEnd + 4));
  let rest = raw.subarray(headEnd + 4);
  if (/^transfer-encoding:\s*chunked/im.test(head)) {
    const parts: Buffer[] = [];
    for (;;) {
      const lineEnd = rest.indexOf('\r\n');
      if (lineEnd < 0) return undefined;
      const size = Number.parseInt(rest.subarray(0, lineEnd).toString('latin1'), 16);
      if (rest.length < lineEnd + 2 + size + 2) return undefined;
      if (size === 0) return { status, body: Buffer.concat(parts).toString('utf8') };
      parts.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
      rest = rest.subarray(lineEnd + 2 + size + 2);
    }
  }
  const length = Number(/^content-length:\s*(\d+)/im.exec(head)?.[1] ?? 0);
  return rest.length >= length ? { status, body: rest.subarray(0, length).toString('utf8') } : undefined;
}

/**
 * POSTs `size` bytes of a JSON-looking body over a plain socket, generated as it goes (never held
 * whole), chunked unless `contentLength` is declared. It stops sending once the answer is in,
 * unless `keepSending`: then it sends everything first, as a client that reads only after sending
 * would (the worst case for the server).
 */
function upload(
  path: string,
  size: number,
  opts: { contentLength?: number; requestId?: string; keepSending?: boolean } = {},
): Promise<Answer> {
  const { port } = new URL(web.webUrl);
  const chunked = opts.contentLength === undefined;
  const piece = Buffer.alloc(64 * 1024, 0x20);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    let received = Buffer.alloc(0);
    let answer: Answer | undefined;
    let sent = 0;
    let uploadDone = false;
    const settle = () => {
      if (answer && (uploadDone || !opts.keepSending)) {
        socket.destroy();
        resolve(answer);
      }
    };
    const pump = () => {
      while (sent < size && (!answer || opts.keepSending)) {
        const n = Math.min(piece.length, size - sent);
        sent += n;
        const data = piece.subarray(0, n);
        const ok = chunked
          ? socket.write(Buffer.concat([Buffer.from(`${n.toString(16)}\r\n`), data, Buffer.from('\r\n')]))
          : socket.write(data);
        if (!ok) return void socket.once('drain', pump);
      }
      if (sent >= size) {
        if (chunked) socket.write('0\r\n\r\n');
        uploadDone = true;
        settle();
      }
    };
    socket.on('data', (data: Buffer) => {
      received = Buffer.concat([received, data]);
      const parsed = answer ? undefined : parseResponse(received);
      if (parsed) {
        answer = { ...parsed, sent };
        settle();
      }
    });
    socket.on('error', (err) => (answer ? settle() : reject(err)));
    socket.on('close', () =>
      answer ? resolve(answer) : reject(new Error(`closed without an answer after ${sent} bytes`)),
    );
    const headers = [
      `POST ${path} HTTP/1.1`,
      `Host: 127.0.0.1:${port}`,
      'Content-Type: application/json',
      chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${opts.contentLength}`,
      ...(opts.requestId ? [`X-Request-Id: ${opts.requestId}`] : []),
    ];
    socket.write(`${headers.join('\r\n')}\r\n\r\n`);
    pump();
  });
}

function memoryKb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  return { rss: field('VmRSS'), peak: field('VmHWM') };
}

function apiSaw(requestId: string): boolean {
  return api.logs.some((line) => line.includes(requestId));
}

it('still forwards ordinary JSON bodies, chunked or not, and bodyless POSTs', async () => {
  const login = JSON.stringify({ email: 'nobody@example.com', password: 'not-the-password' });
  const fixed = await fetch(`${web.webUrl}/api/auth/login/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: login,
  });
  expect(fixed.status).toBe(401);
  const chunked = await fetch(`${web.webUrl}/api/auth/login/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: new Blob([login]).stream(),
    duplex: 'half',
  } as RequestInit);
  expect(chunked.status).toBe(401);
  // No body reaches the API as no body (not as an empty chunked one, which it would refuse as 415).
  const direct = await fetch(`${api.url}/api/auth/logout/`, { method: 'POST', headers: { host: 'localhost' } });
  const proxied = await fetch(`${web.webUrl}/api/auth/logout/`, { method: 'POST' });
  expect(proxied.status).not.toBe(415);
  expect([proxied.status, await proxied.text()]).toEqual([direct.status, await direct.text()]);
});

it('answers 413 at once for a declared Content-Length over the limit, without asking the API', async () => {
  const requestId = `declared-${process.pid}`;
  // Headers only: the answer must come before any of the 256 MB is sent.
  const answer = await upload('/api/auth/login/', 0, { contentLength: 256 * MB, requestId });
  expect(answer.status).toBe(413);
  expect(JSON.parse(answer.body)).toEqual({
    type: 'about:blank',
    title: 'Payload Too Large',
    status: 413,
    detail: 'The request body is too large (limit 1 MB).',
  });
  expect(apiSaw(requestId)).toBe(false);
});

function mb(kb: number): number {
  return Math.round(kb / 1024);
}

it('cuts off a streamed 256 MB upload at the limit, and the web server stays small', async () => {
  // Warm up so that what follows measures the upload, not the first compilation of the route.
  await upload('/api/auth/login/', 100);
  const before = memoryKb(web.pid);
  // A client that watches for an early answer, as browsers and curl do, stops sending at the 413.
  const answer = await upload('/api/auth/login/', 256 * MB);
  const after = memoryKb(web.pid);
  expect(answer.status).toBe(413);
  expect(JSON.parse(answer.body).detail).toBe('The request body is too large (limit 1 MB).');
  console.log(
    `256 MB upload, client stops at the answer: VmRSS ${mb(before.rss)} MB before, ${mb(after.rss)} MB after, ` +
      `VmHWM ${mb(after.peak)} MB; answered after ${Math.round(answer.sent / MB)} MB sent`,
  );
  // VmHWM is the peak since the process started, so this bounds the upload's growth from above.
  expect(after.peak - before.rss).toBeLessThan(100 * 1024);
  expect(answer.sent).toBeLessThan(64 * MB);
  expect((await fetch(`${web.webUrl}/api/health/`)).status).toBe(200);
});

it('still answers a client that sends all 256 MB before reading, and drops what it reads', async () => {
  // The first large drain lifts the heap to V8's steady state (about 64 MB of buffers awaiting
  // collection); measured from there, what grows with the body shows.
  await upload('/api/auth/login/', 64 * MB, { keepSending: true });
  const before = memoryKb(web.pid);
  const answer = await upload('/api/auth/login/', 256 * MB, { keepSending: true });
  const after = memoryKb(web.pid);
  expect(answer.status).toBe(413);
  expect(JSON.parse(answer.body).detail).toBe('The request body is too large (limit 1 MB).');
  console.log(
    `256 MB upload, client sends everything: VmRSS ${mb(before.rss)} MB before, ${mb(after.rss)} MB after, ` +
      `VmHWM ${mb(after.peak)} MB`,
  );
  expect(after.peak - before.rss).toBeLessThan(100 * 1024);
  expect((await fetch(`${web.webUrl}/api/health/`)).status).toBe(200);
});

it('gives the webhook route its own 5 MB limit', async () => {
  // Under the limit it reaches the API, which refuses the unsigned body (not 413).
  const within = await upload('/api/shopify/webhook/', 4 * MB, { contentLength: 4 * MB });
  expect(within.status).toBe(401);
  const declared = await upload('/api/shopify/webhook/', 0, { contentLength: 6 * MB });
  expect(declared.status).toBe(413);
  expect(JSON.parse(declared.body).detail).toBe('The request body is too large (limit 5 MB).');
  const streamed = await upload('/api/shopify/webhook/', 6 * MB);
  expect(streamed.status).toBe(413);
  expect(JSON.parse(streamed.body).detail).toBe('The request body is too large (limit 5 MB).');
  // Other routes keep 1 MB.
  expect((await upload('/api/auth/login/', 2 * MB)).status).toBe(413);
});
