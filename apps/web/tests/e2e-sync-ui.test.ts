// Syncing a store from its settings page in a browser: chromium → Next (its /api proxy, which must
// stream the run's events) → the real API → the Shopify simulator. The run is executed in-process
// with executeRun once the test sees it queued, as a worker would pick it up. Needs the root
// vitest config (PostgreSQL) and a web build.

import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { loginAndConnect, register, type SimShopBase, storeStackFor } from './e2e-stack';

interface SimShop extends SimShopBase {
  setThrottle(o: { restoreRate?: number; maximumAvailable?: number; currentlyAvailable?: number }): void;
}

interface Run {
  id: string;
  state: string;
  counts: { products: { created: number; updated: number; unchanged: number; deleted: number } };
}

const DOMAIN = 'e2e-sync-ui.myshopify.com';
const PRODUCTS = 300;

const ACCOUNT = {
  email: 'grace@example.com',
  username: 'grace',
  password: 'Cobalt-Harbor-Lantern-73!',
  organization: 'Hopper Hardware',
};

const stack = storeStackFor<SimShop>({ domain: DOMAIN, name: 'Sync Store', products: PRODUCTS, locations: 2 }, 11);

/** The worker's part: waits for the run the page queued, then executes it (not awaited here). */
async function executeQueued(
  token: string,
  orgId: string,
  store: string,
): Promise<{ run: Run; ended: Promise<string> }> {
  const { call, executeRun, api } = stack();
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
  const { web, shop, call } = stack();
  const { page, webUrl } = web;
  await page.setViewportSize({ width: 1280, height: 900 });
  page.setDefaultTimeout(10_000);

  await register(page, webUrl, ACCOUNT);
  const { token, orgId, storeId } = await loginAndConnect(stack(), ACCOUNT, DOMAIN);

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
  const first = await executeQueued(token, orgId, storeId);
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
  const second = await executeQueued(token, orgId, storeId);
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
