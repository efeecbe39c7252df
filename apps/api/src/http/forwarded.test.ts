// Whose X-Forwarded-* the API believes decides the address the per-address login limit counts and
// the host ALLOWED_HOSTS judges. The address a request was attributed to is read back from the
// request log line (`req.remoteAddress` is `request.ip`).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../test/app.ts';

interface Sent {
  /** The socket peer as the API sees it. */
  peer: string;
  forwardedFor?: string;
  forwardedHost?: string;
  host?: string;
}

async function send(t: TestApp, { peer, forwardedFor, forwardedHost, host = 'localhost' }: Sent) {
  const id = `fwd-${Math.random().toString(36).slice(2)}`;
  const res = await t.app.inject({
    method: 'GET',
    url: '/api/health/',
    remoteAddress: peer,
    headers: {
      host,
      'x-request-id': id,
      ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}),
      ...(forwardedHost ? { 'x-forwarded-host': forwardedHost } : {}),
    },
  });
  const line = t.logs.map((l) => JSON.parse(l)).find((l) => l.reqId === id && l.req);
  return { status: res.statusCode, ip: line?.req.remoteAddress as string | undefined };
}

describe('TRUST_PROXY unset: only loopback (our web server) is believed', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('ignores X-Forwarded-For and X-Forwarded-Host from any other peer', async () => {
    expect(await send(t, { peer: '203.0.113.50', forwardedFor: '198.51.100.1' })).toEqual({
      status: 200,
      ip: '203.0.113.50',
    });
    const forgedHost = await send(t, { peer: '203.0.113.50', host: 'evil.example', forwardedHost: 'localhost' });
    expect(forgedHost.status).toBe(400);
  });

  it('believes the web server on loopback', async () => {
    expect(await send(t, { peer: '127.0.0.1', forwardedFor: '198.51.100.1' })).toEqual({
      status: 200,
      ip: '198.51.100.1',
    });
  });
});

describe('TRUST_PROXY as a hop count', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ TRUST_PROXY: '2' });
  });
  afterAll(() => t.close());

  it('takes the address written by the second proxy from the socket, not what the client prepended', async () => {
    // client 203.0.113.5 forged 198.51.100.7; the load balancer (10.0.0.1) appended the client, and
    // the web app (10.0.0.9, the API's peer) appended the load balancer.
    expect(await send(t, { peer: '10.0.0.9', forwardedFor: '198.51.100.7, 203.0.113.5, 10.0.0.1' })).toEqual({
      status: 200,
      ip: '203.0.113.5',
    });
  });
});

describe('TRUST_PROXY as a list of proxies', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ TRUST_PROXY: '10.0.0.0/8' });
  });
  afterAll(() => t.close());

  it('walks back through listed proxies only', async () => {
    expect(await send(t, { peer: '10.1.2.3', forwardedFor: '198.51.100.7, 203.0.113.5' })).toEqual({
      status: 200,
      ip: '203.0.113.5',
    });
    // A peer that is not listed is the client, whatever it wrote.
    expect(await send(t, { peer: '203.0.113.50', forwardedFor: '10.0.0.1' })).toEqual({
      status: 200,
      ip: '203.0.113.50',
    });
    expect((await send(t, { peer: '203.0.113.50', host: 'evil.example', forwardedHost: 'localhost' })).status).toBe(
      400,
    );
  });

  it('still believes loopback, our own web server', async () => {
    expect(await send(t, { peer: '127.0.0.1', forwardedFor: '203.0.113.5, 10.0.0.1' })).toEqual({
      status: 200,
      ip: '203.0.113.5',
    });
  });
});
