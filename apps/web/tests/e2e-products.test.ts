// Browsing the synced catalog in a browser: chromium → Next (its /api proxy) → the real API, whose
// copy a full sync filled from the Shopify simulator. The sync runs in-process, as the worker would
// run it. Needs the root vitest config (PostgreSQL) and a web build.

import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { loginAndConnect, register, type SimShopBase, storeStackFor } from './e2e-stack';

type QuantityName =
  | 'available'
  | 'on_hand'
  | 'committed'
  | 'incoming'
  | 'reserved'
  | 'damaged'
  | 'safety_stock'
  | 'quality_control';

interface SimProduct {
  id: string;
  title: string;
  status: 'ACTIVE' | 'DRAFT' | 'ARCHIVED';
  productType: string;
  vendor: string;
  tags: string[];
  variants: Array<{
    sku: string | null;
    barcode: string | null;
    inventoryItem: {
      inventoryLevels: Array<{ location: { id: string; name: string }; quantities: Record<QuantityName, number> }>;
    };
  }>;
}

interface SimShop extends SimShopBase {
  catalog(): SimProduct[];
  product(id: string): SimProduct | null;
  updateProduct(id: string, patch: { status?: SimProduct['status']; descriptionHtml?: string }): SimProduct;
  deleteProduct(id: string): void;
}

const DOMAIN = 'e2e-products.myshopify.com';
const ACCOUNT = {
  email: 'ada@example.com',
  username: 'ada',
  password: 'Quartz-Meadow-Falcon-58!',
  organization: 'Lovelace Supplies',
};

const stack = storeStackFor<SimShop>({ domain: DOMAIN, name: 'Products Store', products: 30, locations: 2 }, 9);

/** A full sync: the API queues the run, and this test does the worker's part. */
async function fullSync(token: string, orgId: string, store: string): Promise<void> {
  const { call, executeRun, api } = stack();
  const run = await call<{ id: string }>(token, 'POST', '/api/shopify/sync/', { store, scope: 'full' });
  expect(await executeRun(api.shopify, { orgId, runId: run.id })).toBe('succeeded');
}

const rows = (page: Page) => page.getByTestId('products-table').getByTestId('product-row');
/** Waits for the list's count, rather than polling a text that may not be there yet. */
const shows = (page: Page, n: number) =>
  page
    .getByTestId('products-count')
    .getByText(`${n} ${n === 1 ? 'product' : 'products'}`, { exact: true })
    .waitFor();
const search = (page: Page) => page.getByRole('searchbox', { name: 'Search' });

it('lists, searches, filters and opens the synced products; deleted ones only on request', async () => {
  const { web, shop } = stack();
  const { page, webUrl } = web;
  await page.setViewportSize({ width: 1280, height: 900 });
  page.setDefaultTimeout(8_000);

  await register(page, webUrl, ACCOUNT);

  // Before any store: the list leads to the Shopify settings.
  await page.getByRole('link', { name: 'Products', exact: true }).click();
  await page.waitForURL(`${webUrl}/dashboard/products`);
  await page.getByRole('heading', { name: 'No store connected yet' }).waitFor();
  expect(await page.getByRole('link', { name: 'Connect a store' }).getAttribute('href')).toBe(
    '/dashboard/settings/integrations/shopify',
  );

  const { token, orgId, storeId } = await loginAndConnect(stack(), ACCOUNT, DOMAIN);
  // Some drafts for certain, so the status filter has something to narrow to.
  for (const p of shop.catalog().slice(0, 4)) shop.updateProduct(p.id, { status: 'DRAFT' });
  // Merchants and their apps write descriptions: whatever could run must not reach the page.
  shop.updateProduct(shop.catalog()[0]!.id, {
    descriptionHtml: `<p>Soft <strong>merino</strong> wool.</p><img src="/x" onerror="window.__xss=1"><script>window.__xss=2</script><a href="javascript:window.__xss=3">more</a>`,
  });
  await fullSync(token, orgId, storeId);

  const truth = shop.catalog();
  const drafts = truth.filter((p) => p.status === 'DRAFT');
  expect(truth).toHaveLength(30);
  await page.reload();
  await shows(page, 30);
  expect(await rows(page).count()).toBe(30);

  // Search as you type: a word of one title, matched the way the API matches (any of these fields).
  const term = truth[7]!.title.split(/\s+/)[0]!.toLowerCase();
  const matches = truth.filter((p) =>
    [p.title, p.vendor, p.productType, ...p.tags, ...p.variants.flatMap((v) => [v.sku ?? '', v.barcode ?? ''])]
      .join('\n')
      .toLowerCase()
      .includes(term),
  );
  expect(matches.length).toBeLessThan(30);
  await search(page).pressSequentially(term, { delay: 40 });
  await page.waitForURL((url) => url.searchParams.get('search') === term);
  await shows(page, matches.length);
  expect(await rows(page).count()).toBe(matches.length);

  // The status filter narrows what the search left.
  await search(page).fill('');
  await page.waitForURL(`${webUrl}/dashboard/products`);
  await expect.poll(() => rows(page).count()).toBe(30);
  await page.getByRole('combobox', { name: 'Status', exact: true }).click();
  await page.getByRole('option', { name: 'Draft' }).click();
  await page.waitForURL((url) => url.searchParams.get('status') === 'draft');
  await expect.poll(() => rows(page).count()).toBe(drafts.length);

  // The URL is the view: a reload shows the same list, and back returns to the previous one.
  await page.reload();
  await shows(page, drafts.length);
  expect(await page.getByRole('combobox', { name: 'Status', exact: true }).inputValue()).toBe('Draft');
  await page.goBack();
  await expect.poll(() => rows(page).count()).toBe(30);
  await page.goForward();
  await expect.poll(() => rows(page).count()).toBe(drafts.length);

  // Sorting by title, descending, from its header.
  await page.getByRole('button', { name: /^Title/ }).click();
  await page.waitForURL((url) => url.searchParams.get('ordering') === '-title');
  const descending = drafts.map((p) => p.title).sort((a, b) => b.toLowerCase().localeCompare(a.toLowerCase()));
  await expect.poll(() => rows(page).getByRole('link').allTextContents()).toEqual(descending);

  // A product's page: its variants' SKUs and the stock at each location, as Shopify has them.
  const opened = drafts.find((p) => p.id === truth[0]!.id)!;
  await rows(page).getByRole('link', { name: opened.title, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: opened.title }).waitFor();
  const expected = shop.product(opened.id)!;
  expect(await page.getByTestId('variant-sku').allTextContents()).toEqual(expected.variants.map((v) => v.sku ?? '—'));
  const locations = new Set(
    expected.variants.flatMap((v) => v.inventoryItem.inventoryLevels.map((l) => l.location.name)),
  );
  expect(locations.size).toBe(2);
  for (const [i, variant] of expected.variants.entries()) {
    for (const level of variant.inventoryItem.inventoryLevels) {
      const row = page
        .getByRole('table', { name: `Stock at ${level.location.name}` })
        .getByRole('row')
        .nth(i + 1);
      for (const [name, quantity] of Object.entries(level.quantities)) {
        expect(await row.locator(`[data-quantity="${name}"]`).textContent(), `${variant.sku} ${name}`).toBe(
          String(quantity),
        );
      }
    }
  }
  const description = page.getByTestId('product-description');
  await description.getByText('merino', { exact: true }).waitFor();
  expect(await description.locator('strong').textContent()).toBe('merino');
  expect(await description.locator('script, [onerror]').count()).toBe(0);
  expect(await description.locator('a', { hasText: 'more' }).getAttribute('href')).toBeNull();
  expect(await page.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();

  // On a phone the page does not scroll sideways.
  await page.setViewportSize({ width: 375, height: 800 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  await page.setViewportSize({ width: 1280, height: 900 });

  const numeric = opened.id.split('/').pop();
  expect(await page.getByRole('link', { name: 'Open in Shopify admin' }).getAttribute('href')).toBe(
    `https://admin.shopify.com/store/e2e-products/products/${numeric}`,
  );
  await page.goBack();
  await expect.poll(() => rows(page).count()).toBe(drafts.length);

  // On a phone the list shows cards instead of the table, and does not scroll sideways.
  await page.setViewportSize({ width: 375, height: 800 });
  await page.getByRole('list', { name: 'Products' }).getByRole('link', { name: opened.title, exact: true }).waitFor();
  expect(await page.getByTestId('products-table').isVisible()).toBe(false);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  await page.setViewportSize({ width: 1280, height: 900 });

  // Deleted in Shopify and reconciled by a full sync: gone from the list unless asked for.
  shop.deleteProduct(opened.id);
  await fullSync(token, orgId, storeId);
  await page.goto(`${webUrl}/dashboard/products`);
  await shows(page, 29);
  expect(await rows(page).getByRole('link', { name: opened.title, exact: true }).count()).toBe(0);
  // Controlled by the URL, so it turns on once the address has changed: click, not check().
  await page.getByRole('switch', { name: /Show deleted/ }).click();
  await page.waitForURL((url) => url.searchParams.get('include_deleted') === 'true');
  await shows(page, 30);
  const deletedRow = rows(page).filter({ has: page.getByRole('link', { name: opened.title, exact: true }) });
  await deletedRow.getByText('Deleted', { exact: true }).waitFor();
  await deletedRow.getByRole('link').click();
  await page.getByText('Deleted in Shopify', { exact: true }).waitFor();

  // An id that is no product of this organization.
  await page.goto(`${webUrl}/dashboard/products/00000000-0000-4000-8000-000000000000`);
  await page.getByRole('heading', { name: 'Product not found' }).waitFor();
}, 120_000);
