import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShopCredentials, SimLevel, SimProduct } from './control.ts';
import { type ShopifySim, startShopifySim } from './index.ts';
import { loadOperations } from './operations.ts';
import { adminRequest } from './testing.ts';

const ops = loadOperations();
let sim: ShopifySim;

beforeAll(async () => {
  sim = await startShopifySim({ seed: 41 });
});
afterAll(() => sim.close());

async function control<T = unknown>(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${sim.origin}/_sim${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

describe('control API over HTTP', () => {
  it('adds a shop, changes its catalog and inventory, and reports stats', async () => {
    const added = await control<ShopCredentials>('POST', '/shops', {
      domain: 'remote.myshopify.com',
      products: 12,
      locations: 2,
      accessToken: 'shpat_remote',
      apiSecret: 'remote_secret',
    });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({
      domain: 'remote.myshopify.com',
      accessToken: 'shpat_remote',
      apiSecret: 'remote_secret',
      products: 12,
    });
    expect(added.body.locations).toHaveLength(2);
    expect((await control('POST', '/shops', { domain: 'remote.myshopify.com' })).status).toBe(400);

    const created = await control<SimProduct>('POST', '/shops/remote.myshopify.com/products', {
      title: 'Remote product',
      variants: 2,
    });
    expect(created.status).toBe(201);
    expect(created.body.variants).toHaveLength(2);
    const patched = await control<SimProduct>(
      'PATCH',
      `/shops/remote.myshopify.com/products/${encodeURIComponent(created.body.id)}`,
      {
        title: 'Renamed',
      },
    );
    expect(patched.body.title).toBe('Renamed');

    const item = created.body.variants[0]?.inventoryItem.id as string;
    const loc = added.body.locations[0]?.id as string;
    const level = await control<SimLevel>('POST', '/shops/remote.myshopify.com/inventory', {
      inventoryItemId: item,
      locationId: loc,
      quantity: 9,
    });
    expect(level.body.quantities.available).toBe(9);

    const catalog = await control<SimProduct[]>('GET', '/shops/remote.myshopify.com/catalog');
    expect(catalog.body).toHaveLength(13);
    expect(catalog.body[12]?.title).toBe('Renamed');
    const jsonl = await fetch(`${sim.origin}/_sim/shops/remote.myshopify.com/catalog?format=jsonl&limit=3`);
    expect((await jsonl.text()).trim().split('\n')).toHaveLength(3);

    const del = await control('DELETE', `/shops/remote.myshopify.com/products/${created.body.legacyResourceId}`);
    expect(del.status).toBe(200);
    expect((await control('GET', `/shops/remote.myshopify.com/products/${created.body.legacyResourceId}`)).status).toBe(
      404,
    );

    const gql = await adminRequest(
      sim.origin,
      { domain: 'remote.myshopify.com', token: 'shpat_remote' },
      ops.ProductIds as string,
    );
    expect(gql.body.data.products.nodes).toHaveLength(12);
    const stats = await control<{ requests: number; pointsUsed: number }>('GET', '/shops/remote.myshopify.com/stats');
    expect(stats.body).toMatchObject({ requests: 1, pointsUsed: 14 });
    const all = await control<{ requests: number; shops: Record<string, unknown> }>('GET', '/stats');
    expect(Object.keys(all.body.shops)).toContain('remote.myshopify.com');
  });

  it('sets faults and throttle levels, and registers OAuth apps', async () => {
    await control('POST', '/shops', { domain: 'remote-faults.myshopify.com', products: 1, accessToken: 'shpat_rf' });
    expect((await control('POST', '/faults/remote-faults.myshopify.com', { error503: 1 })).status).toBe(200);
    const failing = await adminRequest(
      sim.origin,
      { domain: 'remote-faults.myshopify.com', token: 'shpat_rf' },
      '{ shop { id } }',
    );
    expect(failing.status).toBe(503);
    await control('POST', '/faults', { domain: 'remote-faults.myshopify.com' });
    // With a restore rate of 0 nothing refills, however slow the machine is.
    await control('POST', '/shops/remote-faults.myshopify.com/throttle', { currentlyAvailable: 0, restoreRate: 0 });
    const throttled = await adminRequest(
      sim.origin,
      { domain: 'remote-faults.myshopify.com', token: 'shpat_rf' },
      '{ shop { id } }',
    );
    expect(throttled.body.errors[0].extensions.code).toBe('THROTTLED');

    expect((await control('POST', '/apps', { clientId: 'remote-app', clientSecret: 'remote-app-secret' })).status).toBe(
      201,
    );
    const auth = await fetch(
      `${sim.origin}/admin/oauth/authorize?shop=remote-faults.myshopify.com&client_id=remote-app&redirect_uri=https://x.test/cb`,
      { redirect: 'manual' },
    );
    expect(auth.status).toBe(302);
    expect((await control('GET', '/shops/unknown.myshopify.com')).status).toBe(404);
    expect((await control('GET', '/nope')).status).toBe(404);
  });
});

describe('CLI', () => {
  it('starts a sim with the given shop and credentials and stops on SIGTERM', async () => {
    const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));
    const child = spawn(
      process.execPath,
      [
        cli,
        '--port',
        '0',
        '--shop',
        'cli.myshopify.com',
        '--products',
        '7',
        '--token',
        'shpat_cli',
        '--secret',
        'cli_secret',
        '--json',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('\n')) resolve(out.split('\n')[0] as string);
        });
        child.once('exit', (code) => reject(new Error(`cli exited with ${code}`)));
      });
      const info = JSON.parse(line) as { origin: string; shops: ShopCredentials[] };
      expect(info.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(info.shops[0]).toMatchObject({
        domain: 'cli.myshopify.com',
        accessToken: 'shpat_cli',
        apiSecret: 'cli_secret',
        products: 7,
      });
      const r = await adminRequest(
        info.origin,
        { domain: 'cli.myshopify.com', token: 'shpat_cli' },
        ops.ProductIds as string,
      );
      expect(r.body.data.products.nodes).toHaveLength(7);
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  });
});
