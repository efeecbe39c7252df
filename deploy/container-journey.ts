// The container proof's journey (run by .ci/containers/run, on the host, against a Docker daemon
// that script started): docker-compose up --build of the repository's own docker-compose.yml,
// wait until every service is healthy, then as a merchant would, through the web container's
// published port: register → connect a simulated Shopify store → sync → list its products,
// and prove the copy in the containers' PostgreSQL equal to the store, field by field. Then
// docker-compose down -v, whatever happened.
//
// The simulator runs here, listening only on the compose network's gateway address (reachable from
// its containers, not from outside this machine). Production mode refuses SHOPIFY_API_ORIGIN, so the
// journey's override (deploy/compose.ci.yml) runs the stack with DEBUG=true; everything else
// (images, PgBouncer, migration service, health checks) is the production file's.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startShopifySim } from '@invpro/shopify-sim';
import { closeDatabase, createDatabase } from '../apps/api/src/db/client.ts';
import { copyDifferences } from '../apps/api/src/modules/catalog/catalog.testing.ts';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const project = process.env.COMPOSE_PROJECT_NAME ?? 'invpro-ci';
const httpsPort = 38_000 + Math.floor(Math.random() * 1000);
const httpPort = httpsPort + 1;
const pgPort = httpsPort + 2;
const PRODUCTS = Number(process.env.JOURNEY_PRODUCTS ?? 300);

const env: NodeJS.ProcessEnv = {
  ...process.env,
  COMPOSE_PROJECT_NAME: project,
  SECRET_KEY: randomBytes(48).toString('base64url'),
  ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  POSTGRES_PASSWORD: randomBytes(18).toString('base64url'),
  PUBLISH_ADDRESS: '127.0.0.1',
  HTTPS_PUBLISH_PORT: String(httpsPort),
  HTTP_PUBLISH_PORT: String(httpPort),
  POSTGRES_PUBLISH_PORT: String(pgPort),
};
const composeFiles = ['-f', path.join(root, 'docker-compose.yml'), '-f', path.join(root, 'deploy/compose.ci.yml')];

async function compose(args: string[], opts: { quiet?: boolean } = {}): Promise<string> {
  const started = performance.now();
  const { stdout, stderr } = await run('docker-compose', [...composeFiles, ...args], {
    env,
    cwd: root,
    maxBuffer: 256 * 1024 * 1024,
  }).catch((err: { stdout?: string; stderr?: string; message: string }) => {
    throw new Error(`docker-compose ${args.join(' ')} failed:\n${err.stderr ?? ''}\n${err.stdout ?? ''}`.trim());
  });
  if (!opts.quiet) {
    console.log(`docker-compose ${args.join(' ')}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
    if (process.env.JOURNEY_VERBOSE) console.log(stderr, stdout);
  }
  return stdout;
}

async function docker(args: string[]): Promise<string> {
  // DOCKER_BIN: the client of the daemon's own release (the run script sets Debian's).
  return (await run(process.env.DOCKER_BIN ?? 'docker', args, { env })).stdout.trim();
}

async function waitHealthy(services: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states: string[] = [];
    for (const service of services) {
      const id = (await compose(['ps', '-q', service], { quiet: true })).trim();
      const state = id
        ? await docker(['inspect', '-f', '{{.State.Status}}/{{if .State.Health}}{{.State.Health.Status}}{{end}}', id])
        : 'absent/';
      states.push(`${service} ${state}`);
    }
    if (states.every((s) => s.endsWith('/healthy'))) {
      console.log(`healthy: ${services.join(', ')}`);
      return;
    }
    if (Date.now() > deadline || states.some((s) => s.includes('exited'))) {
      const logs = await compose(['logs', '--no-color', '--tail', '40'], { quiet: true }).catch(String);
      throw new Error(`services not healthy: ${states.join('; ')}\n${logs}`);
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
}

/** The front's certificate (self-signed at its first start): the journey trusts exactly it. */
let frontCa = '';

function request(
  method: string,
  url: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; headers: IncomingHttpHeaders; text: string }> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      { method, headers, ca: frontCa || undefined, servername: 'localhost', timeout: 30_000 },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: no answer in 30 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Through the TLS front, as a browser on this machine would ("localhost" is in ALLOWED_HOSTS). */
async function api<T>(method: string, route: string, token: string | null, body?: unknown): Promise<T> {
  const res = await request(
    method,
    `https://localhost:${httpsPort}${route}`,
    {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body ? JSON.stringify(body) : undefined,
  );
  if (res.status < 200 || res.status > 299) throw new Error(`${method} ${route} → ${res.status}: ${res.text}`);
  return JSON.parse(res.text) as T;
}

async function main() {
  const started = performance.now();
  let sim: Awaited<ReturnType<typeof startShopifySim>> | undefined;
  try {
    // The network first, to learn the address its containers reach this machine at.
    await compose(['up', '-d', 'postgres']);
    const gateway = await docker([
      'network',
      'inspect',
      '-f',
      '{{range .IPAM.Config}}{{.Gateway}}{{end}}',
      `${project}_default`,
    ]);
    if (!/^\d+\.\d+\.\d+\.\d+$/.test(gateway))
      throw new Error(`no gateway address for ${project}_default: "${gateway}"`);
    sim = await startShopifySim({ seed: 11, host: gateway });
    const shop = sim.addShop({ domain: 'containers.myshopify.com', products: PRODUCTS, locations: 2 });
    env.SHOPIFY_API_ORIGIN = sim.origin;
    console.log(`simulated store ${shop.domain}: ${shop.productCount()} products, at ${sim.origin}`);

    await compose(['up', '-d', '--build']);
    await waitHealthy(['postgres', 'pgbouncer', 'api', 'worker', 'web', 'front'], 240_000);
    frontCa = await compose(['exec', '-T', 'front', 'cat', '/tls/cert.pem'], { quiet: true });

    // Production HTTP at the front door: plain HTTP is sent to HTTPS, and HTTPS answers carry HSTS
    // and the web app's CSP (the web container runs with DEBUG=false).
    const plain = await request('GET', `http://127.0.0.1:${httpPort}/login`, { host: `localhost:${httpPort}` });
    const expected = `https://localhost:${httpsPort}/login`;
    if (plain.status !== 308 || plain.headers.location !== expected)
      throw new Error(
        `plain HTTP answered ${plain.status} ${plain.headers.location ?? ''}, expected 308 to ${expected}`,
      );
    const page = await request('GET', `https://localhost:${httpsPort}/login`, {});
    if (page.status !== 200) throw new Error(`GET /login over HTTPS answered ${page.status}`);
    for (const header of ['strict-transport-security', 'content-security-policy'])
      if (!page.headers[header]) throw new Error(`GET /login over HTTPS has no ${header} header`);
    console.log('front: HTTP → 308 to HTTPS; the login page over TLS with HSTS and a CSP');

    const owner = await api<{ access: string; user: { organization: { id: string } } }>(
      'POST',
      '/api/auth/register/',
      null,
      { email: 'owner@example.com', username: 'owner', password: 'violet-harbour-tractor-91' },
    );
    const login = await api<{ access: string }>('POST', '/api/auth/login/', null, {
      username: 'owner',
      password: 'violet-harbour-tractor-91',
    });
    const connection = await api<{ id: string }>('POST', '/api/shopify/connect/', login.access, {
      store_url: shop.domain,
      api_key: shop.apiKey,
      api_secret: shop.apiSecret,
      access_token: shop.accessToken,
    });
    const requested = await api<{ id: string }>('POST', '/api/shopify/sync/', login.access, { type: 'products' });
    const deadline = Date.now() + 180_000;
    let state = '';
    while (Date.now() < deadline) {
      const current = await api<{ state: string; error: string | null }>(
        'GET',
        `/api/shopify/sync/runs/${requested.id}/`,
        login.access,
      );
      state = current.state;
      if (state === 'succeeded') break;
      if (state === 'failed' || state === 'cancelled') throw new Error(`sync ${state}: ${current.error}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    if (state !== 'succeeded') throw new Error(`sync still ${state} after 180 s`);
    const listed = await api<{ count: number }>('GET', '/api/shopify/products/?page_size=1', login.access);
    if (listed.count !== shop.productCount())
      throw new Error(`GET /api/shopify/products/ counts ${listed.count}, the store has ${shop.productCount()}`);
    console.log(`synced: ${listed.count} products listed through the web container`);

    const db = createDatabase(
      `postgres://invpro:${encodeURIComponent(env.POSTGRES_PASSWORD!)}@127.0.0.1:${pgPort}/invpro`,
      { max: 2 },
    );
    try {
      const diffs = await copyDifferences(db, { orgId: owner.user.organization.id, connectionId: connection.id }, shop);
      if (diffs.length) throw new Error(`the copy differs from the store:\n  ${diffs.join('\n  ')}`);
    } finally {
      await closeDatabase(db);
    }
    // The backup service dumps at its start; a whole dump has its final name (written, then renamed).
    const backupDeadline = Date.now() + 120_000;
    let dumps = '';
    while (Date.now() < backupDeadline) {
      dumps = (await compose(['exec', '-T', 'backup', 'ls', '-l', '/backups'], { quiet: true })).trim();
      if (/invpro-\S+\.dump$/m.test(dumps)) break;
      await new Promise((r) => setTimeout(r, 2000));
    }
    if (!/invpro-\S+\.dump$/m.test(dumps)) {
      const logs = await compose(['logs', '--no-color', '--tail', '30', 'backup'], { quiet: true }).catch(String);
      throw new Error(`the backup service wrote no dump in 120 s:\n${dumps}\n${logs}`);
    }
    console.log(`backup service: ${dumps.split('\n').filter((l) => l.includes('.dump')).length} dump(s) in /backups`);

    console.log(
      `journey passed: the copy in the containers' PostgreSQL equals the store field by field (${(
        (performance.now() - started) / 1000
      ).toFixed(0)} s in all)`,
    );
  } finally {
    await compose(['down', '-v', '--remove-orphans']).catch((err: Error) => console.error(err.message));
    await sim?.close();
  }
}

main().catch((err: Error) => {
  console.error(`container journey FAILED: ${err.message}`);
  process.exit(1);
});
