import { randomBytes } from 'node:crypto';
import { type ShopifySim, startShopifySim } from '@invpro/shopify-sim';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.ts';
import {
  createTestApp,
  json,
  registerUser,
  TEST_ENCRYPTION_KEY,
  TEST_SECRET_KEY,
  type TestApp,
} from '../../test/app.ts';
import { open } from './crypto.ts';
import { resealSecrets } from './key-rotation.ts';

let sim: ShopifySim;
let t: TestApp;
beforeAll(async () => {
  sim = await startShopifySim({ seed: 3 });
  t = await createTestApp({ SHOPIFY_API_ORIGIN: sim.origin });
});
afterAll(async () => {
  await t.close();
  await sim.close();
});

describe('rotating ENCRYPTION_KEY', () => {
  it('re-seals every secret under the newest key, after which the old key can go', async () => {
    for (const name of ['rot-a', 'rot-b']) {
      const user = await registerUser(t.app);
      const shop = sim.addShop({ domain: `${name}.myshopify.com`, products: 1 });
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/shopify/connect/',
        headers: user.auth,
        payload: {
          store_url: shop.domain,
          api_key: shop.apiKey,
          api_secret: shop.apiSecret,
          access_token: shop.accessToken,
        },
      });
      expect(res.statusCode).toBe(201);
      expect(json(res).state).toBe('connected');
    }
    const newKey = `next:${randomBytes(32).toString('base64')}`;
    const rotated = loadConfig({
      SECRET_KEY: TEST_SECRET_KEY,
      ENCRYPTION_KEY: `${newKey},${TEST_ENCRYPTION_KEY}`,
      DATA_DIR: '/tmp/x',
    });
    const report = await resealSecrets(t.database.db, rotated.encryptionKeys);
    expect(report).toMatchObject({ organizations: 2, connections: 2, secrets: 4 });

    const rows = (await t.database.db.execute(sql`select api_secret_enc, access_token_enc from shopify_connections`))
      .rows as {
      api_secret_enc: string;
      access_token_enc: string;
    }[];
    const newOnly = loadConfig({
      SECRET_KEY: TEST_SECRET_KEY,
      ENCRYPTION_KEY: newKey,
      DATA_DIR: '/tmp/x',
    }).encryptionKeys;
    for (const row of rows) {
      expect(row.access_token_enc).toMatch(/^v1:next:/);
      expect(open(newOnly, row.access_token_enc)).toMatch(/^shpat_/);
      expect(open(newOnly, row.api_secret_enc).length).toBeGreaterThan(0);
    }
    // Running it again changes nothing.
    expect(await resealSecrets(t.database.db, rotated.encryptionKeys)).toMatchObject({ connections: 0, secrets: 0 });
  });
});
