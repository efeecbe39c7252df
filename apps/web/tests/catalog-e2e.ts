// What the browser tests of the synced catalog share: chromium → Next → the real API, whose copy a
// full sync fills from the Shopify simulator. The sync runs in-process, as the worker would run it.
// The simulator's catalog is the ground truth the screens are checked against. Needs the root
// vitest config (PostgreSQL) and a web build.

import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { startWeb, type WebHarness } from './harness';
import { type RealApi, startRealApi } from './real-api';

export type QuantityName =
  | 'available'
  | 'on_hand'
  | 'committed'
  | 'incoming'
  | 'reserved'
  | 'damaged'
  | 'safety_stock'
  | 'quality_control';

/** The simulator's products, as far as these tests read them. */
export interface SimProduct {
  id: string;
  title: string;
  status: 'ACTIVE' | 'DRAFT' | 'ARCHIVED';
  productType: string;
  vendor: string;
  tags: string[];
  media: unknown[];
  variants: Array<{
    sku: string | null;
    barcode: string | null;
    inventoryItem: {
      id: string;
      inventoryLevels: Array<{ location: { id: string; name: string }; quantities: Record<QuantityName, number> }>;
    };
  }>;
}

export interface SimShop {
  apiKey: string;
  apiSecret: string;
  accessToken: string | null;
  catalog(): SimProduct[];
  product(id: string): SimProduct | null;
  locations(): Array<{ id: string; name: string; isActive: boolean }>;
  updateProduct(id: string, patch: { status?: SimProduct['status']; descriptionHtml?: string }): SimProduct;
  deleteProduct(id: string): void;
  setInventory(o: { inventoryItemId: string; locationId: string; quantity: number }): unknown;
}

interface ShopifySim {
  origin: string;
  addShop(o: { domain: string; name?: string; products?: number; locations?: number }): SimShop;
  close(): Promise<void>;
}

type ExecuteRun = (ctx: unknown, job: { orgId: string; runId: string }) => Promise<string>;

const SHOPIFY_SIM = '@invpro/shopify-sim';
// Loaded at run time, like real-api.ts's test app: a static import would pull the API's sources
// into the web app's type-check.
const SYNC_SERVICE = new URL('../../api/src/modules/catalog/sync.service.ts', import.meta.url).href;

export interface CatalogStack {
  shop: SimShop;
  /** The simulator's quantity names, in its order (the order Shopify's admin shows them). */
  quantityNames: readonly QuantityName[];
  api: RealApi;
  web: WebHarness;
  /** Calls the API directly with a bearer token, for what the screens under test do not do. */
  call<T>(token: string, method: string, path: string, body?: unknown): Promise<T>;
  /** A full sync: the API queues the run, and the test does the worker's part. */
  fullSync(token: string, orgId: string, store: string): Promise<void>;
  close(): Promise<void>;
}

export async function startCatalogStack(o: {
  seed: number;
  shop: { domain: string; name: string; products: number; locations: number };
}): Promise<CatalogStack> {
  const { startShopifySim, QUANTITY_NAMES } = (await import(/* @vite-ignore */ SHOPIFY_SIM)) as {
    startShopifySim: (o?: { seed?: number }) => Promise<ShopifySim>;
    QUANTITY_NAMES: readonly QuantityName[];
  };
  const { executeRun } = (await import(/* @vite-ignore */ SYNC_SERVICE)) as { executeRun: ExecuteRun };
  const sim = await startShopifySim({ seed: o.seed });
  let api: RealApi | undefined;
  let web: WebHarness | undefined;
  const close = async () => {
    await web?.close();
    await api?.close();
    await sim.close();
  };
  try {
    const shop = sim.addShop(o.shop);
    api = await startRealApi({ SHOPIFY_API_ORIGIN: sim.origin });
    web = await startWeb({ apiUrl: api.url });
    const started = api;
    const call = async <T>(token: string, method: string, path: string, body?: unknown): Promise<T> => {
      const res = await fetch(`${started.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    };
    const fullSync = async (token: string, orgId: string, store: string) => {
      const run = await call<{ id: string }>(token, 'POST', '/api/shopify/sync/', { store, scope: 'full' });
      expect(await executeRun(started.shopify, { orgId, runId: run.id })).toBe('succeeded');
    };
    return { shop, quantityNames: QUANTITY_NAMES, api, web, call, fullSync, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Registers through the screens, landing on the dashboard. */
export async function registerThroughScreens(
  page: Page,
  webUrl: string,
  account: { email: string; username: string; password: string; organization: string },
): Promise<void> {
  await page.goto(`${webUrl}/register`);
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill(account.email);
  await page.getByRole('textbox', { name: 'Username', exact: true }).fill(account.username);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(account.password);
  await page.getByRole('textbox', { name: 'Organization name', exact: true }).fill(account.organization);
  await page.getByRole('textbox', { name: 'Organization name', exact: true }).press('Enter');
  await page.waitForURL(`${webUrl}/dashboard`);
}

/** Logs the account in through the API and connects the simulated shop with its token. */
export async function connectShop(
  stack: CatalogStack,
  account: { username: string; password: string },
  domain: string,
): Promise<{ token: string; orgId: string; storeId: string }> {
  const login = await stack.call<{ access: string; user: { organization: { id: string } } }>(
    '',
    'POST',
    '/api/auth/login/',
    { username: account.username, password: account.password },
  );
  const store = await stack.call<{ id: string }>(login.access, 'POST', '/api/shopify/connect/', {
    store_url: domain,
    api_key: stack.shop.apiKey,
    api_secret: stack.shop.apiSecret,
    access_token: stack.shop.accessToken,
  });
  return { token: login.access, orgId: login.user.organization.id, storeId: store.id };
}
