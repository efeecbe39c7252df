// A store's life on its settings page, in a browser: connected through the form (its first sync
// starts by itself and shows its progress), the form then waiting behind "Add store", the app
// uninstalled in Shopify (the simulator delivers app/uninstalled to the API, whose worker runs here),
// and the store reconnected with a fresh token: the same connection, the same products, syncing
// again. Chromium → Next → the real API with its worker → the Shopify simulator. Needs the root
// vitest config (PostgreSQL) and a web build.

import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { register, type SimShopBase, storeStackFor } from './e2e-stack';

interface SimShop extends SimShopBase {
  domain: string;
  uninstall(): void;
  reinstall(): string;
  setThrottle(o: { restoreRate?: number; maximumAvailable?: number; currentlyAvailable?: number }): void;
}

const DOMAIN = 'e2e-reconnect.myshopify.com';
const PRODUCTS = 150;
const ACCOUNT = {
  email: 'katherine@example.com',
  username: 'katherine',
  password: 'Saffron-Meadow-Lighthouse-42!',
  organization: 'Johnson Provisions',
};

const stack = storeStackFor<SimShop>({ domain: DOMAIN, name: 'Harbor Goods', products: PRODUCTS }, 23, {
  worker: true,
});

const card = (page: Page) => page.getByTestId('shopify-store');
const field = (page: Page, name: string) => page.getByRole('textbox', { name, exact: true });
const secretField = (page: Page, name: string) => page.getByLabel(new RegExp(`^${name}`)).and(page.locator('input'));
const runStates = (page: Page) =>
  page
    .getByTestId('sync-history')
    .getByTestId('sync-run')
    .evaluateAll((rows) => rows.map((r) => r.dataset.state));
const focusedLabel = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLInputElement | null;
    return el?.labels?.[0]?.textContent?.replace(/\s*\*$/, '') ?? null;
  });

async function productCount(page: Page, webUrl: string): Promise<number> {
  await page.goto(`${webUrl}/dashboard/products`);
  const count = page.getByTestId('products-count');
  await count.waitFor();
  return Number((await count.textContent())!.split(' ')[0]);
}

it('connects with a first sync of its own, collapses the form, and reconnects an uninstalled store to the same products', async () => {
  const { web, shop } = stack();
  const { page, webUrl } = web;
  await page.setViewportSize({ width: 1280, height: 900 });
  page.setDefaultTimeout(15_000);
  await register(page, webUrl, ACCOUNT);

  // No store yet: the form is open, with no "Add store" in front of it.
  await page.goto(`${webUrl}/dashboard/settings/integrations/shopify`);
  await page.getByText('No stores connected yet').waitFor();
  await page.getByRole('link', { name: 'Products page' }).waitFor();
  expect(await page.getByRole('button', { name: 'Add store' }).count()).toBe(0);

  // A slow bucket, so the run that starts by itself can be watched.
  shop.setThrottle({ restoreRate: 200, maximumAvailable: 400, currentlyAvailable: 400 });
  await field(page, 'Store URL').fill(DOMAIN);
  await field(page, 'API Key').fill(shop.apiKey);
  await secretField(page, 'API Secret').fill(shop.apiSecret);
  await secretField(page, 'Access Token').fill(shop.accessToken!);
  await page.getByRole('button', { name: 'Connect', exact: true }).click();

  // Nobody pressed "Sync products": the connect started the first sync, and its progress shows.
  await card(page).waitFor();
  await page.getByTestId('sync-progress').waitFor();
  shop.setThrottle({ restoreRate: 1000, maximumAvailable: 2000, currentlyAvailable: 2000 });
  await expect.poll(() => runStates(page), { timeout: 60_000 }).toEqual(['succeeded']);
  await page
    .getByTestId('store-freshness')
    .getByText(/In step with Shopify/)
    .waitFor();

  // With a store listed, the form waits behind a disclosure; opening it moves focus into it.
  const add = page.getByRole('button', { name: 'Add store' });
  expect(await add.getAttribute('aria-expanded')).toBe('false');
  expect(await field(page, 'Store URL').count()).toBe(0);
  await add.focus();
  await page.keyboard.press('Enter');
  expect(await add.getAttribute('aria-expanded')).toBe('true');
  await expect.poll(() => focusedLabel(page)).toBe('Store URL');
  await page.getByRole('button', { name: 'Cancel' }).click();
  expect(await field(page, 'Store URL').count()).toBe(0);

  // Uninstalled in Shopify: the screen learns it without a reload.
  const storeId = await card(page).getAttribute('aria-labelledby');
  shop.uninstall();
  await card(page).getByTestId('store-state').getByText('Uninstalled').waitFor({ timeout: 40_000 });
  const test = page.getByRole('button', { name: /^Test connection to / });
  expect(await test.isDisabled()).toBe(true);
  expect(await page.getByTestId('test-blocked').textContent()).toMatch(/uninstalled/);
  expect(await test.getAttribute('aria-describedby')).toBe(await page.getByTestId('test-blocked').getAttribute('id'));
  expect(await page.getByRole('button', { name: 'Sync products' }).isDisabled()).toBe(true);
  expect(await page.getByTestId('sync-blocked').textContent()).toBe('Reconnect this store before syncing it.');

  // Reconnect: the form is pre-filled with what is not secret, and focus waits on the token (the
  // uninstall kept the API secret, which may stay).
  await page.getByRole('button', { name: 'Reconnect Harbor Goods' }).click();
  await page.getByRole('heading', { name: 'Reconnect Harbor Goods' }).waitFor();
  expect(await field(page, 'Store URL').inputValue()).toBe(DOMAIN);
  expect(await field(page, 'API Key').inputValue()).toBe(shop.apiKey);
  expect(await secretField(page, 'API Secret').inputValue()).toBe('');
  expect(await secretField(page, 'Access Token').inputValue()).toBe('');
  await expect.poll(() => focusedLabel(page)).toBe('Access Token');

  // The app reinstalled in Shopify gives a fresh token, which the user pastes.
  const token = shop.reinstall();
  await page.keyboard.insertText(token);
  await page.getByRole('button', { name: 'Reconnect', exact: true }).click();

  // The same connection, connected again, its form closed, and a new sync started by itself.
  await card(page).getByTestId('store-state').getByText('Connected').waitFor();
  expect(await card(page).count()).toBe(1);
  expect(await card(page).getAttribute('aria-labelledby')).toBe(storeId);
  expect(await field(page, 'Store URL').count()).toBe(0);
  expect(await test.isDisabled()).toBe(false);
  await expect.poll(() => runStates(page), { timeout: 60_000 }).toEqual(['succeeded', 'succeeded']);

  // The products synced before the uninstall are still there: the same count, none added twice.
  expect(await productCount(page, webUrl)).toBe(PRODUCTS);

  // On a phone, the store's card and its sync history fit without scrolling sideways.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${webUrl}/dashboard/settings/integrations/shopify`);
  await page.getByTestId('sync-history').waitFor();
  const widths = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  expect(widths.scroll).toBeLessThanOrEqual(widths.client);
  expect(await page.getByTestId('sync-run').first().getByTestId('run-state').isVisible()).toBe(true);

  // Disconnect, keeping the data: the products stay browsable, marked as from a disconnected store.
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.getByRole('button', { name: 'Disconnect Harbor Goods' }).click();
  await page.getByRole('radio', { name: 'Keep synced data' }).waitFor();
  expect(await page.getByRole('radio', { name: 'Keep synced data' }).isChecked()).toBe(true);
  await page.getByRole('button', { name: 'Disconnect', exact: true }).click();
  await card(page).getByTestId('store-state').getByText('Disconnected').waitFor();
  expect(await productCount(page, webUrl)).toBe(PRODUCTS);
  await page.getByTestId('products-table').getByTestId('store-gone').first().waitFor();
  expect(await page.getByTestId('products-table').getByTestId('store-gone').first().textContent()).toBe(
    'From a disconnected store',
  );

  // Then remove it with its data: the products are gone.
  await page.goto(`${webUrl}/dashboard/settings/integrations/shopify`);
  await page.getByRole('button', { name: 'Remove Harbor Goods' }).click();
  await page.getByRole('button', { name: 'Delete data', exact: true }).click();
  await page.getByText('No stores connected yet').waitFor();
  await page.goto(`${webUrl}/dashboard/products`);
  await page
    .getByTestId('products-table')
    .or(page.getByText(/Connect a Shopify store/))
    .first()
    .waitFor();
  expect(await page.getByTestId('product-row').count()).toBe(0);
}, 180_000);
