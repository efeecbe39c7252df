// Connecting a Shopify store in a browser: chromium → Next (its /api proxy) → the real API →
// the Shopify simulator. Needs the root vitest config (PostgreSQL) and a web build.
// E2E_SCREENSHOTS=<dir> saves a PNG of each step there.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startWeb, type WebHarness } from './harness';
import { type RealApi, startRealApi } from './real-api';

interface SimShop {
  apiKey: string;
  apiSecret: string;
  accessToken: string | null;
}

interface ShopifySim {
  origin: string;
  addShop(o: { domain: string; name?: string; products?: number }): SimShop;
  close(): Promise<void>;
}

const SHOPIFY_SIM = '@invpro/shopify-sim';

let sim: ShopifySim;
let api: RealApi;
let web: WebHarness;
let shop: SimShop;

beforeAll(async () => {
  const { startShopifySim } = (await import(/* @vite-ignore */ SHOPIFY_SIM)) as {
    startShopifySim: () => Promise<ShopifySim>;
  };
  sim = await startShopifySim();
  shop = sim.addShop({ domain: 'e2e-store.myshopify.com', name: 'E2E Store', products: 3 });

  api = await startRealApi({ SHOPIFY_API_ORIGIN: sim.origin });
  web = await startWeb({ apiUrl: api.url });
});

afterAll(async () => {
  await web?.close();
  await api?.close();
  await sim?.close();
});

const textbox = (page: Page, name: string) => page.getByRole('textbox', { name, exact: true });
// Password inputs have no ARIA role; their label text includes the required asterisk.
const secret = (page: Page, name: string) => page.locator('input[type="password"]').and(page.getByLabel(name));

const shots = process.env.E2E_SCREENSHOTS;
async function snap(page: Page, name: string): Promise<void> {
  if (!shots) return;
  mkdirSync(shots, { recursive: true });
  // The header is fixed: scrolled away, it would be painted over the middle of a full-page shot.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(300); // Let modals and notifications finish their transitions.
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

it('connects a store, then counts a failed reconnect with a wrong token on it', async () => {
  const { page, webUrl } = web;
  await page.setViewportSize({ width: 1280, height: 900 });
  // Fail on the step that hangs, well within the test's own timeout.
  page.setDefaultTimeout(8_000);

  await page.goto(`${webUrl}/register`);
  await textbox(page, 'Email').fill('tobi@example.com');
  await textbox(page, 'Username').fill('tobi');
  await textbox(page, 'Password').fill('Quartz-Meadow-Falcon-58!');
  await textbox(page, 'Organization name').fill('Lütke Goods');
  await textbox(page, 'Organization name').press('Enter');
  await page.waitForURL(`${webUrl}/dashboard`);

  await page.getByRole('link', { name: 'Stores', exact: true }).click();
  await page.waitForURL(`${webUrl}/dashboard/settings/integrations/shopify`);
  await page.getByText('No stores connected yet').waitFor();
  await snap(page, '1-empty');

  // Inline validation before anything is sent.
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  await page.getByText('Enter the store URL, e.g. acme.myshopify.com.').waitFor();
  await textbox(page, 'Store URL').fill('shop.example.com');
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  await page.getByText('Enter your store’s myshopify.com address, e.g. acme.myshopify.com.').waitFor();
  await snap(page, '2-validation');

  await textbox(page, 'Store URL').fill('https://e2e-store.myshopify.com/admin');
  await textbox(page, 'API Key').fill(shop.apiKey);
  await secret(page, 'API Secret').fill(shop.apiSecret);
  await secret(page, 'Access Token').fill(shop.accessToken!);
  expect(await secret(page, 'Access Token').getAttribute('type')).toBe('password');
  await page.getByRole('button', { name: 'Connect', exact: true }).click();

  const card = page.getByRole('article', { name: 'E2E Store' });
  await card.waitFor();
  expect(await card.getByTestId('store-state').textContent()).toBe('Connected');
  await card.getByText('e2e-store.myshopify.com').waitFor();
  expect(await card.getByTestId('store-error-count').textContent()).toBe('0');
  // Only the hint of the token is ever shown.
  await card.getByText(`…${shop.accessToken!.slice(-4)}`).waitFor();
  expect(await page.content()).not.toContain(shop.accessToken!);
  // The form closed once the credentials were stored, taking them with it: with a store listed it
  // waits behind "Add store", and opens empty.
  expect(await secret(page, 'Access Token').count()).toBe(0);
  await snap(page, '3-connected');
  await page.getByRole('button', { name: 'Add store' }).click();
  expect(await secret(page, 'Access Token').inputValue()).toBe('');

  await textbox(page, 'Store URL').fill('e2e-store.myshopify.com');
  await textbox(page, 'API Key').fill(shop.apiKey);
  await secret(page, 'API Secret').fill(shop.apiSecret);
  await secret(page, 'Access Token').fill('shpat_this-token-is-wrong');
  await page.getByRole('button', { name: 'Connect', exact: true }).click();

  const alert = page.getByRole('alert').filter({ hasText: 'The store was not connected' });
  await alert.waitFor();
  expect(await alert.textContent()).toContain('Shopify rejected these credentials for e2e-store.myshopify.com');
  await page.getByText('Shopify rejected this token.').waitFor();
  await expect.poll(() => card.getByTestId('store-error-count').textContent()).toBe('1');
  expect(await card.getByTestId('store-state').textContent()).toBe('Error');
  await card.getByTestId('store-last-error').getByText('Shopify rejected these credentials').waitFor();
  await snap(page, '4-wrong-token');

  // The stored credentials were kept, so a re-test brings the store back.
  await card.getByRole('button', { name: 'Test connection to E2E Store' }).click();
  await page.getByText('Connection works').waitFor();
  await expect.poll(() => card.getByTestId('store-state').textContent()).toBe('Connected');

  // The dashboard summarises the stores.
  await page.getByRole('link', { name: 'Dashboard' }).click();
  await expect.poll(() => page.getByTestId('stores-summary').textContent()).toBe('1 of 1 store connected.');
  await page.getByRole('link', { name: 'Stores', exact: true }).click();
  await card.waitFor();

  await card.getByRole('button', { name: 'Disconnect E2E Store' }).click();
  const dialog = page.getByRole('dialog', { name: 'Disconnect E2E Store' });
  await dialog.waitFor();
  expect(await dialog.getByRole('radio', { name: 'Keep synced data' }).isChecked()).toBe(true);
  await snap(page, '5-disconnect-modal');
  await dialog.getByRole('button', { name: 'Disconnect', exact: true }).click();
  await dialog.waitFor({ state: 'hidden' });
  await expect.poll(() => card.getByTestId('store-state').textContent()).toBe('Disconnected');
  await snap(page, '6-disconnected');
});
