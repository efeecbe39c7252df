// The per-address login limit must see each browser's own address through the web app's /api
// proxy: not 127.0.0.1 for everyone (one attacker would lock every user out), and not whatever a
// client writes in X-Forwarded-For (one attacker could dodge the limit). server.ts sets the header
// from the socket; the API trusts it from loopback only. Distinct loopback source addresses
// (127.0.0.2, 127.0.0.3) stand in for distinct clients. Plain HTTP: no browser needed.

import { request } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startWebServer, type WebServer } from './harness';
import { type RealApi, startRealApi } from './real-api';

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
function failedLogin(from: string, account: number): Promise<number> {
  const url = new URL('/api/auth/login/', web.webUrl);
  const body = JSON.stringify({ email: `nobody${account}@example.com`, password: 'not-the-password' });
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        localAddress: from,
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `203.0.113.${account}` },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
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
