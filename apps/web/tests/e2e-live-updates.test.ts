// Changes made in Shopify reach open screens without a reload: the simulator delivers signed
// webhooks to the real API, its worker (running here) applies them to the copy, and the products
// list and a product's page, which poll while visible (lib/products.ts), show them. Chromium → Next
// → the real API with its worker → the Shopify simulator. Needs the root vitest config (PostgreSQL)
// and a web build.

import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import type { SimProduct } from './catalog-e2e';
import { loginAndConnect, register, type SimShopBase, storeStackFor } from './e2e-stack';

interface SimShop extends SimShopBase {
  catalog(): SimProduct[];
  updateProduct(id: string, patch: { title?: string }): SimProduct;
  deleteProduct(id: string): void;
  setInventory(o: { inventoryItemId: string; locationId: string; quantity: number }): unknown;
}

const DOMAIN = 'e2e-live.myshopify.com';
const PRODUCTS = 12;
const ACCOUNT = {
  email: 'dorothy@example.com',
  username: 'dorothy',
  password: 'Quartz-Orchard-Beacon-58!',
  organization: 'Vaughan Supplies',
};
/** The products poll every 10 s, and webhooks take a second or two to apply: a bound with room. */
const LIVE = { timeout: 30_000, interval: 250 };

const stack = storeStackFor<SimShop>({ domain: DOMAIN, name: 'Live Store', products: PRODUCTS, locations: 2 }, 29, {
  worker: true,
});

const listedTitles = (page: Page) =>
  page.getByTestId('products-table').getByTestId('product-row').getByRole('link').allTextContents();

/** Set on the window: still there afterwards means the page was never reloaded. */
const markPage = (page: Page) => page.evaluate(() => Object.assign(window, { __notReloaded: true }));
const stillMarked = (page: Page) =>
  page.evaluate(() => (window as unknown as { __notReloaded?: boolean }).__notReloaded === true);

it('shows an edited title and stock, then a deletion, from Shopify without a reload', async () => {
  const { web, shop, call } = stack();
  const { page: productPage, webUrl, context } = web;
  await productPage.setViewportSize({ width: 1280, height: 900 });
  productPage.setDefaultTimeout(15_000);
  await register(productPage, webUrl, ACCOUNT);
  const { token, storeId } = await loginAndConnect(stack(), ACCOUNT, DOMAIN);

  // The connect started the first sync; the worker runs it.
  await expect
    .poll(
      async () =>
        (await call<{ results: { state: string }[] }>(token, 'GET', `/api/shopify/sync/runs/?store=${storeId}`))
          .results[0]?.state,
      { timeout: 60_000 },
    )
    .toBe('succeeded');

  const listPage = await context.newPage();
  await listPage.setViewportSize({ width: 1280, height: 900 });
  await listPage.goto(`${webUrl}/dashboard/products`);
  await expect.poll(() => listedTitles(listPage).then((t) => t.length), { timeout: 20_000 }).toBe(PRODUCTS);

  const product = shop.catalog()[0]!;
  const variant = product.variants[0]!;
  const level = variant.inventoryItem.inventoryLevels[0]!;
  const listed = await call<{ results: { id: string; title: string }[] }>(
    token,
    'GET',
    `/api/shopify/products/?search=${encodeURIComponent(product.title)}`,
  );
  const ours = listed.results.find((p) => p.title === product.title)!;
  await productPage.goto(`${webUrl}/dashboard/products/${ours.id}`);
  await productPage.getByRole('heading', { level: 1, name: product.title }).waitFor();
  await markPage(productPage);
  await markPage(listPage);

  // Edited in Shopify: a new title, and one variant's stock at one location.
  const title = `${product.title} (renamed live)`;
  shop.updateProduct(product.id, { title });
  shop.setInventory({ inventoryItemId: variant.inventoryItem.id, locationId: level.location.id, quantity: 4242 });

  await productPage.getByRole('heading', { level: 1, name: title }).waitFor({ timeout: LIVE.timeout });
  const available = productPage
    .getByRole('table', { name: `Stock at ${level.location.name}` })
    .getByRole('row')
    .nth(1)
    .locator('[data-quantity="available"]');
  await expect.poll(() => available.textContent(), LIVE).toBe('4242');
  await expect.poll(() => listedTitles(listPage), LIVE).toContain(title);

  // Deleted in Shopify: gone from the list, and its page says so.
  shop.deleteProduct(product.id);
  await expect.poll(() => listedTitles(listPage), LIVE).not.toContain(title);
  expect(await listedTitles(listPage)).toHaveLength(PRODUCTS - 1);
  await productPage.getByText('Deleted in Shopify', { exact: true }).waitFor({ timeout: LIVE.timeout });

  expect(await stillMarked(productPage)).toBe(true);
  expect(await stillMarked(listPage)).toBe(true);
  await listPage.close();
}, 180_000);
