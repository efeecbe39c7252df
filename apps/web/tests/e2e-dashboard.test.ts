// The dashboard and the locations page in a browser, against the real API whose copy a full sync
// filled from the Shopify simulator (see catalog-e2e.ts). Every number on screen is checked against
// the simulator's own catalog, not against the API's answer.

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type CatalogStack,
  connectShop,
  type QuantityName,
  registerThroughScreens,
  type SimProduct,
  startCatalogStack,
} from './catalog-e2e';

const DOMAIN = 'e2e-dashboard.myshopify.com';
const STORE_NAME = 'Dashboard Store';
const ACCOUNT = {
  email: 'grace@example.com',
  username: 'grace',
  password: 'Quartz-Meadow-Falcon-58!',
  organization: 'Hopper Hardware',
};

let stack: CatalogStack;

beforeAll(async () => {
  stack = await startCatalogStack({
    seed: 17,
    shop: { domain: DOMAIN, name: STORE_NAME, products: 40, locations: 3 },
  });
});

afterAll(async () => {
  await stack?.close();
});

const noSidewaysScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);

/** Sold out everywhere but `left` units at the first location: a product the low-stock filter must find. */
function leaveLow(product: SimProduct, left: number): void {
  const { shop } = stack;
  for (const [i, variant] of product.variants.entries()) {
    for (const level of variant.inventoryItem.inventoryLevels) {
      const first = i === 0 && level === variant.inventoryItem.inventoryLevels[0];
      shop.setInventory({
        inventoryItemId: variant.inventoryItem.id,
        locationId: level.location.id,
        quantity: first ? left : 0,
      });
    }
  }
}

it('summarises the synced store, its stock and statuses, and lists its locations with their totals', async () => {
  const { page, webUrl } = stack.web;
  await page.setViewportSize({ width: 1280, height: 900 });
  page.setDefaultTimeout(8_000);

  await registerThroughScreens(page, webUrl, ACCOUNT);

  // Before any store, both screens lead to the Shopify settings.
  await page.getByRole('heading', { name: 'No store connected yet' }).waitFor();
  // The empty state's link and the setup checklist's both lead there.
  for (const link of await page.getByRole('link', { name: 'Connect a store' }).all())
    expect(await link.getAttribute('href')).toBe('/dashboard/settings/integrations/shopify');
  await page.getByRole('link', { name: 'Locations', exact: true }).click();
  await page.waitForURL(`${webUrl}/dashboard/locations`);
  await page.getByRole('heading', { name: 'No store connected yet' }).waitFor();

  const { token, orgId, storeId } = await connectShop(stack, ACCOUNT, DOMAIN);
  const { shop, fullSync, quantityNames } = stack;
  // Every status and some low stock for certain, whatever the generator drew.
  const generated = shop.catalog();
  for (const p of generated.slice(0, 5)) shop.updateProduct(p.id, { status: 'DRAFT' });
  for (const p of generated.slice(5, 8)) shop.updateProduct(p.id, { status: 'ARCHIVED' });
  leaveLow(generated[10]!, 2);
  leaveLow(generated[11]!, 5);

  await page.goto(`${webUrl}/dashboard`);
  const card = page.getByTestId('store-summary');
  await card.getByTestId('store-freshness').getByText('Never synced', { exact: true }).waitFor();

  await fullSync(token, orgId, storeId);

  const truth = shop.catalog();
  expect(truth).toHaveLength(40);
  const variants = truth.reduce((n, p) => n + p.variants.length, 0);
  const available = (p: SimProduct) =>
    p.variants.flatMap((v) => v.inventoryItem.inventoryLevels).reduce((n, l) => n + l.quantities.available, 0);
  const low = truth.filter((p) => available(p) >= 1 && available(p) <= 5);
  expect(low.length).toBeGreaterThanOrEqual(2);

  // The dashboard: the store's size, its freshness in words and its last run.
  await page.reload();
  await expect
    .poll(() => card.getByTestId('store-counts').textContent(), { timeout: 8_000 })
    .toBe(`40 products, ${new Intl.NumberFormat('en-US').format(variants)} variants`);
  expect(await card.getAttribute('aria-label')).toBe(STORE_NAME);
  expect(await card.getByTestId('store-freshness').textContent()).toBe('In step with Shopify as of just now');
  expect(await card.getByTestId('store-last-run-state').textContent()).toBe('Succeeded');
  expect(await card.getByTestId('store-last-run').textContent()).toMatch(/full sync, finished just now$/);

  // The setup checklist: store connected and synced, the team still to invite; an invitation ends it.
  await page.getByTestId('setup-checklist').getByText('2 of 3 done').waitFor();
  await stack.call(token, 'POST', '/api/team/invitations/', { email: 'teammate@example.com', role: 'member' });
  const invitationsRead = page.waitForResponse((r) => r.url().includes('/api/team/invitations/') && r.ok());
  await page.reload();
  await invitationsRead;
  await card.getByTestId('store-counts').waitFor();
  await page.waitForTimeout(300);
  expect(await page.getByTestId('setup-checklist').count()).toBe(0);

  // The status chart's words equal the simulator's statuses.
  const byStatus = (s: SimProduct['status']) => truth.filter((p) => p.status === s).length;
  const statusChart = page.getByRole('figure', { name: /Products by status/ });
  expect(await statusChart.getByTestId('chart-summary').textContent()).toBe(
    `Active: ${byStatus('ACTIVE')}; Draft: ${byStatus('DRAFT')}; Archived: ${byStatus('ARCHIVED')}`,
  );

  // The stock chart's words: available units per location, summed over the simulator's catalog.
  const levels = truth.flatMap((p) =>
    p.variants.flatMap((v) => v.inventoryItem.inventoryLevels.map((l) => ({ product: p.id, ...l }))),
  );
  const locations = shop.locations().filter((l) => l.isActive);
  expect(locations).toHaveLength(3);
  const total = (location: string, name: QuantityName) =>
    levels.filter((l) => l.location.id === location).reduce((n, l) => n + l.quantities[name], 0);
  const fmt = new Intl.NumberFormat('en-US');
  // GET /api/shopify/locations/ takes 6-7 s on this freshly synced copy (and longer on a busy
  // machine), so its chart is waited for longer than the rest.
  const stockChart = page.getByRole('figure', { name: /Available units by location/ });
  expect(await stockChart.getByTestId('chart-summary').textContent({ timeout: 40_000 })).toBe(
    [...locations]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((l) => `${l.name}: ${fmt.format(total(l.id, 'available'))}`)
      .join('; '),
  );

  // The low-stock count leads, by keyboard too, to the list filtered the same way.
  const lowLink = page.getByTestId('low-stock-link');
  expect(await lowLink.textContent()).toBe(`${low.length} products with 1 to 5 left`);
  await lowLink.focus();
  await page.keyboard.press('Enter');
  await page.waitForURL(`${webUrl}/dashboard/products?stock=low`);
  await page.getByTestId('products-count').getByText(`${low.length} products`, { exact: true }).waitFor();
  expect(await page.getByRole('combobox', { name: 'Stock', exact: true }).inputValue()).toMatch(/^Low stock/);

  // The locations page: every location with its products and each quantity's total.
  await page.getByRole('link', { name: 'Locations', exact: true }).click();
  await page.waitForURL(`${webUrl}/dashboard/locations`);
  const rows = page.getByTestId('locations-table').getByTestId('location-row');
  await expect.poll(() => rows.count(), { timeout: 40_000 }).toBe(3);
  for (const location of locations) {
    const row = rows.filter({ has: page.getByRole('rowheader', { name: location.name, exact: true }) });
    expect(await row.getByRole('cell').nth(0).textContent()).toBe(STORE_NAME);
    expect(await row.getByRole('cell').nth(1).textContent()).toBe('Active');
    const products = new Set(levels.filter((l) => l.location.id === location.id).map((l) => l.product)).size;
    expect(await row.locator('[data-quantity="product_count"]').textContent()).toBe(String(products));
    for (const name of quantityNames) {
      expect(await row.locator(`[data-quantity="${name}"]`).textContent(), `${location.name} ${name}`).toBe(
        String(total(location.id, name)),
      );
    }
  }

  // On a phone: cards instead of the table, the same numbers, and no sideways scrolling.
  await page.setViewportSize({ width: 375, height: 800 });
  const cards = page.getByRole('list', { name: 'Locations' }).getByRole('listitem');
  await expect.poll(() => cards.count(), { timeout: 8_000 }).toBe(3);
  expect(await page.getByTestId('locations-table').isVisible()).toBe(false);
  const first = locations[0]!;
  const firstCard = cards.filter({ has: page.getByRole('heading', { name: first.name, exact: true }) });
  expect(await firstCard.locator('[data-quantity="on_hand"]').textContent()).toBe(
    fmt.format(total(first.id, 'on_hand')),
  );
  expect(await noSidewaysScroll(page)).toBeLessThanOrEqual(375);
  await page.goto(`${webUrl}/dashboard`);
  await page.getByTestId('low-stock-link').waitFor();
  expect(await noSidewaysScroll(page)).toBeLessThanOrEqual(375);
}, 120_000);
