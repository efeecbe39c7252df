import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ShopHandle, shopHandle } from './control.ts';
import { createSimServer } from './server.ts';
import { Sim } from './sim.ts';
import { type AddShopOptions, emptyStats, type FaultConfig, type ShopStats } from './state.ts';

export type { ProductInput, ProductPatch, VariantInput } from './catalog.ts';
export type {
  ControlOptions,
  ShopCredentials,
  ShopHandle,
  SimLevel,
  SimLocation,
  SimProduct,
  SimVariant,
  ThrottleSettings,
} from './control.ts';
export { actualQueryCost, MAX_QUERY_COST, requestedQueryCost } from './cost.ts';
export { loadOperations, operationsDir } from './operations.ts';
export { QUANTITY_NAMES, type Quantities, type QuantityName } from './records.ts';
export { API_VERSION, adminSchema } from './schema.ts';
export type { AddShopOptions, BulkBehaviour, FaultConfig, ShopStats, WebhookDelivery } from './state.ts';
export { type Plan, RESTORE_RATES } from './throttle.ts';
export { signWebhook } from './webhooks.ts';

export interface StartOptions {
  port?: number;
  host?: string;
  /** Seeds catalogs (per shop unless addShop gets its own seed) and fault draws. */
  seed?: number;
  /** Delay before the first delivery attempt of each webhook. */
  webhookDelayMs?: number;
  /** Waits between retries of a failed delivery (one retry per entry). */
  webhookRetryDelaysMs?: number[];
  webhookTimeoutMs?: number;
}

export interface SimStats extends ShopStats {
  /** Only for stats() without a domain: the same counters per shop. */
  shops?: Record<string, ShopStats>;
}

export interface ShopifySim {
  /** Base URL to use as SHOPIFY_API_ORIGIN, e.g. http://127.0.0.1:41234. */
  readonly origin: string;
  addShop(o: AddShopOptions): ShopHandle;
  /** The public app that installs through OAuth. */
  registerApp(o: {
    clientId: string;
    clientSecret: string;
    scopes?: string[];
    title?: string;
    redirectUris?: string[];
  }): void;
  shop(domain: string): ShopHandle;
  shops(): string[];
  apps(): Array<{ clientId: string; scopes: string[] }>;
  /** Uninstalls an app (default: every app) from a shop, delivering app/uninstalled first. */
  uninstall(domain: string, o?: { clientId?: string; duplicate?: boolean }): void;
  /** Fault probabilities for one shop or, with '*', every shop without its own; {} clears them. */
  faults(domain: string | '*', f: FaultConfig): void;
  stats(domain?: string): SimStats;
  /** Moves the sim's clock forward (token expiry, timestamps, bucket refill). */
  advanceTime(ms: number): void;
  now(): number;
  /** Waits for pending webhook deliveries and bulk operations. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

function sumStats(all: ShopStats[]): ShopStats {
  const total = emptyStats();
  for (const s of all) {
    for (const k of Object.keys(total) as Array<keyof ShopStats>) {
      if (typeof total[k] === 'number') (total[k] as number) += s[k] as number;
    }
    for (const [k, v] of Object.entries(s.faults)) total.faults[k] = (total.faults[k] ?? 0) + v;
    for (const [k, v] of Object.entries(s.operations)) total.operations[k] = (total.operations[k] ?? 0) + v;
  }
  return total;
}

export async function startShopifySim(opts: StartOptions = {}): Promise<ShopifySim> {
  const bulkDir = mkdtempSync(join(tmpdir(), 'shopify-sim-'));
  const sim = new Sim({
    seed: opts.seed ?? 1,
    webhookDelayMs: opts.webhookDelayMs ?? 0,
    webhookRetryDelaysMs: opts.webhookRetryDelaysMs ?? [100, 400, 1600],
    webhookTimeoutMs: opts.webhookTimeoutMs ?? 5000,
    bulkDir,
  });
  const handles = new Map<string, ShopHandle>();
  const handleFor = (domain: string): ShopHandle => {
    const shop = sim.shop(domain);
    let h = handles.get(shop.domain);
    if (!h) {
      h = shopHandle(sim, shop);
      handles.set(shop.domain, h);
    }
    return h;
  };
  const api: ShopifySim = {
    get origin() {
      return sim.origin;
    },
    addShop: (o) => handleFor(sim.addShop(o).domain),
    registerApp: (o) => {
      sim.registerApp(o);
    },
    shop: handleFor,
    shops: () => [...sim.shops.keys()],
    apps: () => [...sim.apps.values()].map((a) => ({ clientId: a.clientId, scopes: [...a.scopes] })),
    uninstall: (domain, o) => {
      sim.uninstall(domain, o);
    },
    faults: (domain, f) => sim.setFaults(domain, f),
    stats: (domain) => {
      if (domain) return structuredClone(sim.shop(domain).stats);
      const shops = Object.fromEntries([...sim.shops].map(([d, s]) => [d, structuredClone(s.stats)]));
      return { ...sumStats(Object.values(shops)), shops };
    },
    advanceTime: (ms) => sim.advanceTime(ms),
    now: () => sim.now(),
    idle: () => sim.idle(),
    close: async () => {
      sim.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      rmSync(bulkDir, { recursive: true, force: true });
    },
  };
  const server = createSimServer(sim, api);
  // Longer than clients' keep-alive, so a client never reuses a socket the sim is closing.
  server.keepAliveTimeout = 65_000;
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const originHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  sim.origin = `http://${originHost}:${port}`;
  return api;
}
