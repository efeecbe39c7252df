// What the browser tests of a synced store share: the Shopify simulator with one shop, the real
// API pointed at it, the web app in front, and the few steps every such test takes first
// (register in the browser, log in and connect the shop through the API).

import type { Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startWeb, type WebHarness } from './harness';
import { type RealApi, startRealApi } from './real-api';

/** The simulator's shop, as far as every test needs it; a test widens it with what it uses. */
export interface SimShopBase {
  apiKey: string;
  apiSecret: string;
  accessToken: string | null;
}

interface ShopifySim<Shop> {
  origin: string;
  addShop(o: { domain: string; name?: string; products?: number; locations?: number }): Shop;
  close(): Promise<void>;
}

export interface StoreStack<Shop> {
  shop: Shop;
  api: RealApi;
  web: WebHarness;
  /** The API without the browser, for what the screens under test do not do. */
  call: ReturnType<typeof apiCaller>;
  /** Runs a queued sync run in this process, as the worker would. */
  executeRun: ExecuteRun;
  close(): Promise<void>;
}

export type ExecuteRun = (ctx: unknown, job: { orgId: string; runId: string }) => Promise<string>;

const SHOPIFY_SIM = '@invpro/shopify-sim';
// Loaded at run time, like real-api.ts's test app: a static import would pull the API's sources
// into the web app's type-check.
const SYNC_SERVICE = new URL('../../api/src/modules/catalog/sync.service.ts', import.meta.url).href;

/** Starts the stack before the file's tests and stops it after them; call the answer inside a test. */
export function storeStackFor<Shop extends SimShopBase>(
  store: { domain: string; name: string; products: number; locations?: number },
  seed: number,
  opts: { worker?: boolean } = {},
): () => StoreStack<Shop> {
  let stack: StoreStack<Shop> | undefined;
  beforeAll(async () => {
    stack = await startStoreStack<Shop>(store, seed, opts);
  });
  afterAll(async () => {
    await stack?.close();
  });
  return () => {
    if (!stack) throw new Error('The store stack has not started.');
    return stack;
  };
}

export async function startStoreStack<Shop extends SimShopBase>(
  store: { domain: string; name: string; products: number; locations?: number },
  seed: number,
  opts: { worker?: boolean } = {},
): Promise<StoreStack<Shop>> {
  const { startShopifySim } = (await import(/* @vite-ignore */ SHOPIFY_SIM)) as {
    startShopifySim: (o?: { seed?: number }) => Promise<ShopifySim<Shop>>;
  };
  const { executeRun } = (await import(/* @vite-ignore */ SYNC_SERVICE)) as { executeRun: ExecuteRun };
  const sim = await startShopifySim({ seed });
  let api: RealApi | undefined;
  let web: WebHarness | undefined;
  const close = async () => {
    await web?.close();
    await api?.close();
    await sim.close();
  };
  try {
    const shop = sim.addShop(store);
    api = await startRealApi({ SHOPIFY_API_ORIGIN: sim.origin }, undefined, opts);
    web = await startWeb({ apiUrl: api.url });
    return { shop, api, web, call: apiCaller(api), executeRun, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Calls the API directly with a bearer token, for what the screens under test do not do. */
export function apiCaller(api: RealApi) {
  return async <T>(token: string, method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${api.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
}

export interface Account {
  email: string;
  username: string;
  password: string;
  organization: string;
}

/** Registers in the browser, which then holds the session of the new organization. */
export async function register(page: Page, webUrl: string, account: Account): Promise<void> {
  const field = (name: string) => page.getByRole('textbox', { name, exact: true });
  await page.goto(`${webUrl}/register`);
  await field('Email').fill(account.email);
  await field('Username').fill(account.username);
  await field('Password').fill(account.password);
  await field('Organization name').fill(account.organization);
  await field('Organization name').press('Enter');
  await page.waitForURL(`${webUrl}/dashboard`);
}

/** Logs in through the API and connects the shop there, answering what the test needs to call it itself. */
export async function loginAndConnect(
  stack: Pick<StoreStack<SimShopBase>, 'call' | 'shop'>,
  account: Pick<Account, 'username' | 'password'>,
  domain: string,
): Promise<{ token: string; orgId: string; storeId: string }> {
  const login = await stack.call<{ access: string; user: { organization: { id: string } } }>(
    '',
    'POST',
    '/api/auth/login/',
    {
      username: account.username,
      password: account.password,
    },
  );
  const store = await stack.call<{ id: string }>(login.access, 'POST', '/api/shopify/connect/', {
    store_url: domain,
    api_key: stack.shop.apiKey,
    api_secret: stack.shop.apiSecret,
    access_token: stack.shop.accessToken,
  });
  return { token: login.access, orgId: login.user.organization.id, storeId: store.id };
}
