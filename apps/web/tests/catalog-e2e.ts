// What the browser tests of the synced catalog share: chromium → Next → the real API, whose copy a
// full sync fills from the Shopify simulator. The sync runs in-process, as the worker would run it.
// The simulator's catalog is the ground truth the screens are checked against. Needs the root
// vitest config (PostgreSQL) and a web build.

import { expect } from 'vitest';
import { type Account, loginAndConnect, register, type StoreStack, startStoreStack } from './e2e-stack';

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

const SHOPIFY_SIM = '@invpro/shopify-sim';

/** The shared store stack (`e2e-stack.ts`) with what the catalog's screens are checked against. */
export interface CatalogStack extends Pick<StoreStack<SimShop>, 'shop' | 'api' | 'web' | 'call' | 'close'> {
  /** The simulator's quantity names, in its order (the order Shopify's admin shows them). */
  quantityNames: readonly QuantityName[];
  /** A full sync: the API queues the run, and the test does the worker's part. */
  fullSync(token: string, orgId: string, store: string): Promise<void>;
}

export async function startCatalogStack(o: {
  seed: number;
  shop: { domain: string; name: string; products: number; locations: number };
}): Promise<CatalogStack> {
  const { QUANTITY_NAMES } = (await import(/* @vite-ignore */ SHOPIFY_SIM)) as {
    QUANTITY_NAMES: readonly QuantityName[];
  };
  const stack = await startStoreStack<SimShop>(o.shop, o.seed);
  const fullSync = async (token: string, orgId: string, store: string) => {
    const run = await stack.call<{ id: string }>(token, 'POST', '/api/shopify/sync/', { store, scope: 'full' });
    expect(await stack.executeRun(stack.api.shopify, { orgId, runId: run.id })).toBe('succeeded');
  };
  return { ...stack, quantityNames: QUANTITY_NAMES, fullSync };
}

/** Registers through the screens, landing on the dashboard. */
export const registerThroughScreens = register;

/** Logs the account in through the API and connects the simulated shop with its token. */
export const connectShop = (stack: CatalogStack, account: Pick<Account, 'username' | 'password'>, domain: string) =>
  loginAndConnect(stack, account, domain);
