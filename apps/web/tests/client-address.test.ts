// What the API believes about a client reached through the web app's /api proxy must come from
// what our web server saw, not from headers the client wrote. The per-address login limit must see
// each client's own address (not 127.0.0.1 for everyone, where one attacker locks every user out,
// and not a forged X-Forwarded-For, with which one attacker dodges the limit); ALLOWED_HOSTS must
// judge the Host the client used, not a forged X-Forwarded-Host. server.ts sets the headers; the
// API believes them from loopback only. Distinct loopback source addresses (127.0.0.2, …) stand in
// for distinct clients and proxies. Plain HTTP, no browser.

import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebServer, type WebServer } from './harness';
import { type RealApi, startRealApi } from './real-api';

interface Answer {
  status: number;
  body: string;
}

function send(
  web: WebServer,
  path: string,
  opts: { from: string; method?: string; headers?: Record<string, string>; body?: string },
): Promise<Answer> {
  const url = new URL(path, web.webUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: opts.method ?? 'GET', localAddress: opts.from, headers: opts.headers ?? {} },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** The client address the API attributed the request with this id to (its request log line). */
function addressSeenByApi(api: RealApi, requestId: string): string | undefined {
  const line = api.logs.map((l) => JSON.parse(l)).find((l) => l.reqId === requestId && l.req);
  return line?.req.remoteAddress;
}

let counter = 0;
const requestId = () => `client-address-${process.pid}-${++counter}`;

describe('default: the web server trusts no proxy in front of it', () => {
  let api: RealApi;
  let web: WebServer;

  beforeAll(async () => {
    api = await startRealApi({ LOGIN_MAX_ATTEMPTS_PER_ADDRESS: '3', LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: '100' });
    web = await startWebServer({ apiUrl: api.url });
  });

  afterAll(async () => {
    await web?.close();
    await api?.close();
  });

  /** A failed login through the web app, sent from `from` with a forged X-Forwarded-For. */
  async function failedLogin(from: string, account: number): Promise<number> {
    const answer = await send(web, '/api/auth/login/', {
      from,
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': `203.0.113.${account}` },
      body: JSON.stringify({ email: `nobody${account}@example.com`, password: 'not-the-password' }),
    });
    return answer.status;
  }

  it('limits failed logins per real client address, whatever X-Forwarded-For a client forges', async () => {
    // Three failures from one client, each forging a different address and using another account…
    expect([
      await failedLogin('127.0.0.2', 1),
      await failedLogin('127.0.0.2', 2),
      await failedLogin('127.0.0.2', 3),
    ]).toEqual([401, 401, 401]);
    // …still count as one address, which is now blocked.
    expect(await failedLogin('127.0.0.2', 4)).toBe(429);
    // Another client on another address is not locked out by the first.
    expect(await failedLogin('127.0.0.3', 5)).toBe(401);
  });

  it('lets ALLOWED_HOSTS judge the Host the client sent, not a forged X-Forwarded-Host', async () => {
    const forged = await send(web, '/api/health/', {
      from: '127.0.0.2',
      headers: { host: 'evil.example', 'x-forwarded-host': 'localhost', 'x-forwarded-proto': 'https' },
    });
    expect(forged.status).toBe(400);
    expect(JSON.parse(forged.body).detail).toMatch(/"evil\.example" is not in ALLOWED_HOSTS/);

    const honest = await send(web, '/api/health/', { from: '127.0.0.2', headers: { host: 'localhost:3000' } });
    expect(honest.status).toBe(200);
  });

  it('does not pass other spellings of the client address on to the API', async () => {
    const id = requestId();
    const answer = await send(web, '/api/health/', {
      from: '127.0.0.5',
      headers: { 'x-request-id': id, forwarded: 'for=198.51.100.1', 'x-real-ip': '198.51.100.1' },
    });
    expect(answer.status).toBe(200);
    expect(addressSeenByApi(api, id)).toBe('127.0.0.5');
  });
});

describe('TRUST_PROXY naming a proxy in front of the web server', () => {
  // 127.0.0.4 plays the load balancer; the API gets the same setting, as `npm start` gives both.
  const env = { TRUST_PROXY: '127.0.0.4' };
  let api: RealApi;
  let web: WebServer;

  beforeAll(async () => {
    api = await startRealApi(env);
    web = await startWebServer({ apiUrl: api.url, env });
  });

  afterAll(async () => {
    await web?.close();
    await api?.close();
  });

  it('keeps what that proxy wrote, as a chain', async () => {
    const id = requestId();
    const viaProxy = await send(web, '/api/health/', {
      from: '127.0.0.4',
      headers: {
        host: 'web.internal:3000',
        'x-request-id': id,
        'x-forwarded-for': '198.51.100.23',
        'x-forwarded-host': 'localhost',
      },
    });
    expect(viaProxy.status).toBe(200);
    expect(addressSeenByApi(api, id)).toBe('198.51.100.23');
  });

  it('still discards what anyone else wrote', async () => {
    const id = requestId();
    const direct = await send(web, '/api/health/', {
      from: '127.0.0.6',
      headers: { 'x-request-id': id, 'x-forwarded-for': '198.51.100.23' },
    });
    expect(direct.status).toBe(200);
    expect(addressSeenByApi(api, id)).toBe('127.0.0.6');
    const forgedHost = await send(web, '/api/health/', {
      from: '127.0.0.6',
      headers: { host: 'evil.example', 'x-forwarded-host': 'localhost' },
    });
    expect(forgedHost.status).toBe(400);
  });
});

describe('TRUST_PROXY as a hop count: load balancer, web server, API', () => {
  const env = { TRUST_PROXY: '2' };
  let api: RealApi;
  let web: WebServer;

  beforeAll(async () => {
    api = await startRealApi(env);
    web = await startWebServer({ apiUrl: api.url, env });
  });

  afterAll(async () => {
    await web?.close();
    await api?.close();
  });

  it('takes the address the load balancer wrote, not one the client prepended', async () => {
    // 127.0.0.4 plays the load balancer: the client forged 198.51.100.7, the balancer appended the
    // client's real address, 203.0.113.5; the web server appends the balancer.
    const id = requestId();
    const answer = await send(web, '/api/health/', {
      from: '127.0.0.4',
      headers: { 'x-request-id': id, 'x-forwarded-for': '198.51.100.7, 203.0.113.5' },
    });
    expect(answer.status).toBe(200);
    expect(addressSeenByApi(api, id)).toBe('203.0.113.5');
  });
});

it('the web server refuses TRUST_PROXY=true, saying what to give instead', async () => {
  const outcome = await startWebServer({ apiUrl: 'http://127.0.0.1:9', env: { TRUST_PROXY: 'true' } }).then(
    async (started) => {
      await started.close();
      return 'started';
    },
    (err: Error) => err.message,
  );
  expect(outcome).toMatch(/TRUST_PROXY: .*number of proxies.*addresses/);
});
