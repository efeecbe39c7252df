// Installing our app with Shopify OAuth in a browser: chromium → Next (its /api proxy, which must
// carry the state cookie both ways) → the real API → the Shopify simulator's authorize page → back to
// the callback through the proxy → the settings page with the outcome. Needs a web build.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { startWeb, type WebHarness } from './harness';
import { type RealApi, startRealApi } from './real-api';

interface ShopifySim {
  origin: string;
  addShop(o: { domain: string; name?: string; products?: number }): unknown;
  registerApp(o: { clientId: string; clientSecret: string }): void;
  close(): Promise<void>;
}

const SHOPIFY_SIM = '@invpro/shopify-sim';

let sim: ShopifySim;
let api: RealApi;
let web: WebHarness;

beforeAll(async () => {
  const { startShopifySim } = (await import(/* @vite-ignore */ SHOPIFY_SIM)) as {
    startShopifySim: () => Promise<ShopifySim>;
  };
  sim = await startShopifySim();
  sim.registerApp({ clientId: 'e2e-oauth-app', clientSecret: 'e2e-oauth-secret-0123456789' });
  sim.addShop({ domain: 'oauth-e2e.myshopify.com', name: 'OAuth Outfitters', products: 2 });

  api = await startRealApi({
    SHOPIFY_API_ORIGIN: sim.origin,
    SHOPIFY_API_KEY: 'e2e-oauth-app',
    SHOPIFY_API_SECRET: 'e2e-oauth-secret-0123456789',
  });
  web = await startWeb({ apiUrl: api.url });
  // The web app's port is only known now; the API builds its callback and return URLs from this.
  api.config.publicWebUrl = web.webUrl;
});

afterAll(async () => {
  await web?.close();
  await api?.close();
  await sim?.close();
});

it('installs the app through Shopify and comes back connected; a refused install says why', async () => {
  const { page, webUrl } = web;
  await page.setViewportSize({ width: 1280, height: 900 });
  page.setDefaultTimeout(8_000);

  await page.goto(`${webUrl}/register`);
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill('oauth@example.com');
  await page.getByRole('textbox', { name: 'Username', exact: true }).fill('oauthowner');
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill('Quartz-Meadow-Falcon-58!');
  await page.getByRole('textbox', { name: 'Organization name', exact: true }).fill('OAuth Goods');
  await page.getByRole('textbox', { name: 'Organization name', exact: true }).press('Enter');
  await page.waitForURL(`${webUrl}/dashboard`);
  await page.goto(`${webUrl}/dashboard/settings/integrations/shopify`);

  const shopInput = page.getByRole('textbox', { name: 'Store address for the install' });
  const install = page.getByRole('button', { name: 'Install with Shopify' });
  await install.click();
  await page.getByText('Enter the store address, e.g. acme.myshopify.com.').waitFor();

  await shopInput.fill('https://OAuth-E2E.myshopify.com/admin');
  await install.click();
  // Off to the simulator's authorize page, which approves and sends the browser back.
  await page.waitForURL((url) => url.pathname === '/dashboard/settings/integrations/shopify' && !url.search);
  await page.getByText('oauth-e2e.myshopify.com is connected').waitFor();
  const card = page.getByRole('article', { name: 'OAuth Outfitters' });
  await card.waitFor();
  expect(await card.getByTestId('store-state').textContent()).toBe('Connected');
  await card.getByText('OAuth install').waitFor();
  if (process.env.E2E_SCREENSHOTS) {
    await page.waitForTimeout(300);
    await page.screenshot({ path: `${process.env.E2E_SCREENSHOTS}/oauth-connected.png`, fullPage: true });
  }

  // Coming back with a refusal (e.g. a stale or forged answer) shows the reason.
  await page.goto(`${webUrl}/api/shopify/oauth/callback/?shop=oauth-e2e.myshopify.com&hmac=00&state=x&timestamp=1`);
  const alert = page.getByRole('alert').filter({ hasText: 'The store was not installed' });
  await alert.waitFor();
  expect(await alert.textContent()).toContain('bad signature');
  expect(new URL(page.url()).search).toBe('');
  if (process.env.E2E_SCREENSHOTS) {
    await page.screenshot({ path: `${process.env.E2E_SCREENSHOTS}/oauth-refused.png`, fullPage: true });
  }

  // Disconnected, an OAuth store's Reconnect is the install flow again, for that shop, back to the same card.
  await page.getByRole('button', { name: 'Disconnect OAuth Outfitters' }).click();
  const dialog = page.getByRole('dialog', { name: 'Disconnect OAuth Outfitters' });
  await dialog.getByRole('button', { name: 'Disconnect', exact: true }).click();
  await dialog.waitFor({ state: 'hidden' });
  await expect.poll(() => card.getByTestId('store-state').textContent()).toBe('Disconnected');
  await card.getByRole('button', { name: 'Reconnect OAuth Outfitters' }).click();
  await page.getByText('oauth-e2e.myshopify.com is connected').waitFor();
  await expect.poll(() => card.getByTestId('store-state').textContent()).toBe('Connected');
  expect(await page.getByTestId('shopify-store').count()).toBe(1);
});
