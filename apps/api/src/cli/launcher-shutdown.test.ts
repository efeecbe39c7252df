import type { ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type ShopifySim, startShopifySim } from '@invpro/shopify-sim';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEncryptionKeys } from '../config.ts';
import { freePort, startEmbeddedPostgres } from '../db/embedded.ts';
import { QUEUES } from '../jobs/boss.ts';
import { open } from '../modules/shopify/crypto.ts';
import { errorLines, killQuietly, postgresOf, postmasterPort, startLauncher, waitFor } from './launcher-harness.ts';

// Stop in the right order: a SIGTERM that arrives while the worker is renewing an OAuth token (a
// running job, with Shopify's answer still on its way) lets the job finish and save the rotated
// refresh token before the database stops. Nothing is logged as an error and nothing is lost.

const APP_KEY = 'invpro-shutdown-app';
const APP_SECRET = 'shutdown-app-secret-0123456789abcdef';
const SHOP = 'shutdown.myshopify.com';
const ENCRYPTION_KEY = `shutdown1:${Buffer.alloc(32, 3).toString('base64')}`;
const RENEWAL_DELAY_MS = 3000;

const dataDir = mkdtempSync(path.join(tmpdir(), 'invpro-shutdown-'));
chmodSync(dataDir, 0o755); // the test's own folder, opened for the postgres user
const clusterDir = path.join(dataDir, 'postgres');
const started: ChildProcess[] = [];
let sim: ShopifySim;
let proxy: Server;
let proxyOrigin: string;

/** What passed through the token endpoint: requests seen, and the grants Shopify answered with. */
const tokenTraffic = { requests: 0, refreshes: 0, grants: [] as { refresh_token?: string }[], delayMs: 0 };

/** A pass-through in front of the simulator that can hold back the token endpoint's answers. */
function startProxy(target: string): Promise<Server> {
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const isToken = req.url?.startsWith('/admin/oauth/access_token') ?? false;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (isToken) {
        tokenTraffic.requests++;
        if (body.toString().includes('refresh_token')) tokenTraffic.refreshes++;
      }
      const forward = httpRequest(
        { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (c: Buffer) => parts.push(c));
          answer.on('end', () => {
            const payload = Buffer.concat(parts);
            const send = () => {
              if (isToken) tokenTraffic.grants.push(JSON.parse(payload.toString()));
              res.writeHead(answer.statusCode ?? 502, answer.headers);
              res.end(payload);
            };
            if (isToken && tokenTraffic.delayMs > 0) setTimeout(send, tokenTraffic.delayMs);
            else send();
          });
        },
      );
      forward.end(body);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

beforeAll(async () => {
  sim = await startShopifySim({ seed: 5 });
  sim.registerApp({ clientId: APP_KEY, clientSecret: APP_SECRET });
  sim.addShop({ domain: SHOP, products: 2 });
  proxy = await startProxy(sim.origin);
  proxyOrigin = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const child of started) killQuietly(-child.pid!);
  for (const pid of postgresOf(clusterDir)) killQuietly(pid);
  await new Promise((r) => proxy?.close(r));
  await sim?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

/** Register, then install our app on the shop through the simulator's OAuth, as a browser would. */
async function connectByOauth(api: string): Promise<void> {
  const account = { email: 'stop@example.com', username: 'stopper', password: 'violet-harbour-tractor-91' };
  const session = (await (await post(`${api}/api/auth/register/`, account)).json()) as { access: string };
  const install = await post(
    `${api}/api/shopify/oauth/install/`,
    { shop: SHOP },
    { authorization: `Bearer ${session.access}` },
  );
  expect(install.status).toBe(200);
  const cookie = install.headers.getSetCookie()[0]!.split(';')[0]!;
  const { authorize_url } = (await install.json()) as { authorize_url: string };
  const approved = await fetch(authorize_url, { redirect: 'manual' });
  const back = await fetch(approved.headers.get('location')!, { redirect: 'manual', headers: { cookie } });
  expect(back.headers.get('location')).toMatch(/oauth=connected/);
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

describe('invpro start stops in the right order', () => {
  it('SIGTERM during a running job that renews a token: the job finishes, nothing is lost, no error is logged', async () => {
    const port = await freePort();
    const api = `http://127.0.0.1:${port}`;
    const launcher = await startLauncher(
      {
        DATA_DIR: dataDir,
        API_PORT: String(port),
        PUBLIC_WEB_URL: api,
        ENCRYPTION_KEY,
        SHOPIFY_API_ORIGIN: proxyOrigin,
        SHOPIFY_API_KEY: APP_KEY,
        SHOPIFY_API_SECRET: APP_SECRET,
      },
      started,
    );
    await connectByOauth(api);
    const dbUrl = `postgres://postgres:postgres@127.0.0.1:${postmasterPort(clusterDir)}/invpro`;

    // The token expires within the renewal window, and its connection's renewal job (queued when the
    // token was saved) is due now; Shopify will take its time to answer.
    tokenTraffic.delayMs = RENEWAL_DELAY_MS;
    await withClient(dbUrl, async (c) => {
      await c.query(`update shopify_connections set token_expires_at = now() + interval '2 minutes'`);
      const due = await c.query(`update pgboss.job set start_after = now() where name = $1 and state = 'created'`, [
        QUEUES.shopifyTokenRenewal.name,
      ]);
      expect(due.rowCount).toBe(1);
    });

    // The renewal is in flight (Shopify has the request, its answer is held back): stop now.
    await waitFor(() => tokenTraffic.refreshes === 1, 20_000, 'the worker asked Shopify for a new token');
    process.kill(launcher.child.pid!, 'SIGTERM');
    expect(await launcher.exited).toEqual({ code: 0, signal: null });
    expect(postgresOf(clusterDir)).toEqual([]);
    expect(errorLines(launcher.output())).toEqual([]);

    // The rotated refresh token Shopify answered with is the one stored.
    const rotated = tokenTraffic.grants.at(-1)?.refresh_token;
    expect(rotated).toMatch(/^shprt_/);
    const db = await startEmbeddedPostgres(dataDir, { logFile: path.join(dataDir, 'check.log') });
    try {
      const [row] = await withClient(
        db.url.replace(/\/postgres$/, '/invpro'),
        async (c) => (await c.query('select refresh_token_enc, token_expires_at from shopify_connections')).rows,
      );
      expect(open(parseEncryptionKeys(ENCRYPTION_KEY), row.refresh_token_enc)).toBe(rotated);
      expect(new Date(row.token_expires_at).getTime()).toBeGreaterThan(Date.now() + 30 * 60_000);
    } finally {
      await db.stop();
    }
  }, 180_000);
});
