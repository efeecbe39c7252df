// Syncing a store from its settings page in a browser: chromium → Next (its /api proxy, which must
// stream the run's events) → the real API → the Shopify simulator. The run is executed in-process
// with executeRun once the test sees it queued, as a worker would pick it up. Needs the root
// vitest config (PostgreSQL) and a web build.

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startWeb, type WebHarness } from './harness';
import { type RealApi, startRealApi } from './real-api';

interface SimShop {
  apiKey: string;
  apiSecret: string;
  accessToken: string | null;
  setThrottle(o: { restoreRate?: number; maximumAvailable?: number; currentlyAvailable?: number }): void;
}

interface ShopifySim {
  origin: string;
  addShop(o: { domain: string; name?: string; products?: number; locations?: number }): SimShop;
  close(): Promise<void>;
}

interface Run {
  id: string;
  state: string;
  counts: { products: { created: number; updated: number; unchanged: number; deleted: number } };
}

type ExecuteRun = (ctx: unknown, job: { orgId: string; runId: string }) => Promise<string>;

const SHOPIFY_SIM = '@invpro/shopify-sim';
// Loaded at run time: a static import would pull the API's sources into the web app's type-check.
const SYNC_SERVICE = new URL('../../api/src/modules/catalog/sync.service.ts', import.meta.url).href;
const DOMAIN = 'e2e-sync-ui.myshopify.com';
const PRODUCTS = 300;

const ACCOUNT = { email: 'grace@example.com', username: 'grace', password: 'Cobalt-Harbor-Lantern-73!' };

let sim: ShopifySim;
let api: RealApi;
let web: WebHarness;
let shop: SimShop;
let executeRun: ExecuteRun;

beforeAll(async () => {
  const { startShopifySim } = (await import(/* @vite-ignore */ SHOPIFY_SIM)) as {
    startShopifySim: (o?: { seed?: number }) => Promise<ShopifySim>;
  };
  ({ executeRun } = (await import(/* @vite-ignore */ SYNC_SERVICE)) as { executeRun: ExecuteRun });
  sim = await startShopifySim({ seed: 11 });
  shop = sim.addShop({ domain: DOMAIN, name: 'Sync Store', products: PRODUCTS, locations: 2 });
  api = await startRealApi({ SHOPIFY_API_ORIGIN: sim.origin });
  web = await startWeb({ apiUrl: api.url });
});

afterAll(async () => {
  await web?.close();
  await api?.close();
  await sim?.close();
});

async function call<T>(token: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${api.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** The worker's part: waits for the run the page queued, then executes it (not awaited here). */
async function executeQueued(
  token: string,
  orgId: string,
  store: string,
): Promise<{ run: Run; ended: Promise<string> }> {
  let run: Run | undefined;
  await expect
    .poll(
      async () => {
        const page = await call<{ results: Run[] }>(
          token,
          'GET',
          `/api/shopify/sync/runs/?store=${store}&state=queued`,
        );
        run = page.results[0];
        return run !== undefined;
      },
      { timeout: 8_000 },
    )
    .toBe(true);
  return { run: run!, ended: executeRun(api.shopify, { orgId, runId: run!.id }) };
}

const doneOf = async (page: Page) => Number(await page.getByTestId('sync-done').getAttribute('data-done'));
const syncButton = (page: Page) => page.getByRole('button', { name: 'Sync products', exact: true });
const historyRows = (page: Page) => page.getByTestId('sync-history').getByTestId('sync-run');

it('syncs a store with live progress that survives a reload, records it in the history, and cancels', async () => {
  const { page, webUrl } = web;
  await page.setViewportSize({ width: 1280, height: 900 });
  page.setDefaultTimeout(10_000);

  await page.goto(`${webUrl}/register`);
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill(ACCOUNT.email);
  await page.getByRole('textbox', { name: 'Username', exact: true }).fill(ACCOUNT.username);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(ACCOUNT.password);
  await page.getByRole('textbox', { name: 'Organization name', exact: true }).fill('Hopper Hardware');
  await page.getByRole('textbox', { name: 'Organization name', exact: true }).press('Enter');
  await page.waitForURL(`${webUrl}/dashboard`);

  const login = await call<{ access: string; user: { organization: { id: string } } }>('', 'POST', '/api/auth/login/', {
    username: ACCOUNT.username,
    password: ACCOUNT.password,
  });
  const token = login.access;
  const orgId = login.user.organization.id;
  const store = await call<{ id: string }>(token, 'POST', '/api/shopify/connect/', {
    store_url: DOMAIN,
    api_key: shop.apiKey,
    api_secret: shop.apiSecret,
    access_token: shop.accessToken,
  });

  await page.goto(`${webUrl}/dashboard/settings/integrations/shopify`);
  await page.getByText('No syncs yet.').waitFor();
  await page
    .getByTestId('store-freshness')
    .getByText(/Not in step with Shopify yet/)
    .waitFor();

  // A run slow enough to watch: paging (forced, as `auto` may pick bulk) the whole catalog (forced
  // too: after the first run an incremental one has nothing to read) against a throttled bucket.
  shop.setThrottle({ restoreRate: 1000, maximumAvailable: 2000, currentlyAvailable: 2000 });
  await page.route('**/api/shopify/sync/', async (route) => {
    const body = route.request().postDataJSON() as Record<string, unknown>;
    await route.continue({ postData: JSON.stringify({ ...body, mode: 'paginated', scope: 'full' }) });
  });

  await syncButton(page).click();
  const first = await executeQueued(token, orgId, store.id);
  await page.getByTestId('sync-progress').waitFor();
  await expect(syncButton(page).isDisabled()).resolves.toBe(true);
  await page
    .getByTestId('sync-blocked')
    .getByText(/in progress/)
    .waitFor();

  // The bar advances: done grows at least twice while it runs.
  const seen = [await doneOf(page)];
  await expect
    .poll(
      async () => {
        const done = await doneOf(page);
        if (done > seen.at(-1)!) seen.push(done);
        return seen.length;
      },
      { timeout: 30_000, interval: 200 },
    )
    .toBeGreaterThanOrEqual(3);

  // A reload mid-run finds the run again and follows it on.
  const beforeReload = seen.at(-1)!;
  await page.reload();
  await page.getByRole('progressbar', { name: 'Sync of Sync Store' }).waitFor();
  await expect.poll(() => doneOf(page), { timeout: 30_000, interval: 200 }).toBeGreaterThan(beforeReload);

  expect(await first.ended).toBe('succeeded');
  await page.getByTestId('sync-progress').waitFor({ state: 'detached', timeout: 15_000 });
  await page.getByText(/Sync of Sync Store: succeeded/).waitFor();
  const done = await call<Run>(token, 'GET', `/api/shopify/sync/runs/${first.run.id}/`);
  expect(done.counts.products.created).toBe(PRODUCTS);
  const row = historyRows(page).first();
  // The notification comes with the end event; the history's refetch lands a moment later.
  await expect.poll(() => row.getAttribute('data-state')).toBe('succeeded');
  await row
    .getByTestId('run-products')
    .getByText(`${PRODUCTS} created · 0 updated · 0 unchanged · 0 deleted`)
    .waitFor();
  await page
    .getByTestId('store-freshness')
    .getByText(/In step with Shopify as of/)
    .waitFor();
  expect(await syncButton(page).isDisabled()).toBe(false);

  // A second run, started and cancelled from the keyboard.
  shop.setThrottle({ restoreRate: 1000, maximumAvailable: 2000, currentlyAvailable: 2000 });
  await syncButton(page).focus();
  await page.keyboard.press('Enter');
  const second = await executeQueued(token, orgId, store.id);
  await page.getByTestId('sync-progress').waitFor();
  await page.getByRole('button', { name: 'Cancel the sync of Sync Store' }).focus();
  await page.keyboard.press('Enter');
  expect(await second.ended).toBe('cancelled');
  await page.getByTestId('sync-progress').waitFor({ state: 'detached', timeout: 15_000 });
  await expect.poll(() => historyRows(page).first().getAttribute('data-state')).toBe('cancelled');
  expect(await historyRows(page).count()).toBe(2);

  // On a phone the page does not scroll sideways.
  await page.setViewportSize({ width: 375, height: 800 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
}, 150_000);
