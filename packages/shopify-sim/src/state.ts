import { randomBytes } from 'node:crypto';
import { Catalog } from './catalog.ts';
import { buildParams } from './generate.ts';
import { hash, hashString, Rng } from './rng.ts';
import { LeakyBucket, type Plan, RESTORE_RATES } from './throttle.ts';

export const DEFAULT_SCOPES = ['read_products', 'read_inventory', 'write_inventory', 'read_locations'];

export interface ShopStats {
  requests: number;
  pointsUsed: number;
  throttled: number;
  maxCostExceeded: number;
  unauthorized: number;
  accessDenied: number;
  /** Injected faults by kind: "500", "502", "503", "429", "reset", "slow". */
  faults: Record<string, number>;
  bulkOperations: number;
  webhooksDelivered: number;
  webhooksFailed: number;
  webhookAttempts: number;
  /** GraphQL requests by operation name ("anonymous" when unnamed). */
  operations: Record<string, number>;
}

export function emptyStats(): ShopStats {
  return {
    requests: 0,
    pointsUsed: 0,
    throttled: 0,
    maxCostExceeded: 0,
    unauthorized: 0,
    accessDenied: 0,
    faults: {},
    bulkOperations: 0,
    webhooksDelivered: 0,
    webhooksFailed: 0,
    webhookAttempts: 0,
    operations: {},
  };
}

export interface WebhookSubscriptionRecord {
  id: number;
  topic: string;
  uri: string;
  format: 'JSON' | 'XML';
  filter: string | null;
  includeFields: string[];
  name: string | null;
  createdAt: number;
  updatedAt: number;
}

export type BulkStatus = 'CREATED' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELING' | 'CANCELED' | 'EXPIRED';

export interface BulkOperationRecord {
  id: number;
  status: BulkStatus;
  type: 'QUERY' | 'MUTATION';
  query: string;
  groupObjects: boolean;
  errorCode: 'ACCESS_DENIED' | 'INTERNAL_SERVER_ERROR' | 'TIMEOUT' | null;
  createdAt: number;
  completedAt: number | null;
  objectCount: number;
  rootObjectCount: number;
  fileSize: number | null;
  url: string | null;
  partialDataUrl: string | null;
  cancelRequested: boolean;
}

export interface IdempotencyRecord {
  fingerprint: string;
  state: 'in_flight' | 'succeeded' | 'failed';
  /** The payload returned the first time, replayed for a retry with the same key. */
  payload: unknown;
}

/** One app installed on one shop: its scopes, its rate-limit bucket and what it created. */
export interface Installation {
  /** 'custom' for the shop's own (custom/Dev Dashboard) app, else the registered app's client id. */
  key: string;
  id: number;
  appId: number;
  appTitle: string;
  apiKey: string;
  /** Signs this app's webhooks: the client secret, or the shop's api secret for its custom app. */
  secret: string;
  scopes: string[];
  bucket: LeakyBucket;
  subscriptions: WebhookSubscriptionRecord[];
  bulkOps: BulkOperationRecord[];
  idempotency: Map<string, IdempotencyRecord>;
  active: boolean;
}

export interface FaultConfig {
  error500?: number;
  error502?: number;
  error503?: number;
  error429?: number;
  retryAfterSeconds?: number;
  reset?: number;
  slowMs?: number;
  slowProbability?: number;
}

export interface BulkBehaviour {
  /** Time an operation stays CREATED before it starts. */
  startDelayMs: number;
  /** Pause between chunks of 250 root objects while RUNNING. */
  chunkDelayMs: number;
  /** Fail after the first chunk with this error code (leaving partialDataUrl). */
  failWith: 'ACCESS_DENIED' | 'INTERNAL_SERVER_ERROR' | 'TIMEOUT' | null;
}

export interface WebhookDelivery {
  topic: string;
  uri: string;
  webhookId: string;
  eventId: string;
  triggeredAt: string;
  body: string;
  attempts: number;
  status: number | null;
  ok: boolean;
  error?: string;
}

export interface AddShopOptions {
  domain: string;
  plan?: Plan;
  products?: number;
  locations?: number;
  inactiveLocations?: number;
  /** Mean variants per product (1 to 2×mean−1 each); default the merchant mix, about 9. */
  variantsPerProduct?: number;
  seed?: number;
  accessToken?: string;
  scopes?: string[];
  apiKey?: string;
  apiSecret?: string;
  name?: string;
  currency?: string;
  email?: string;
  partnerDevelopment?: boolean;
}

export class ShopState {
  readonly domain: string;
  readonly name: string;
  readonly plan: Plan;
  readonly currency: string;
  readonly email: string;
  readonly id: number;
  readonly seed: number;
  readonly createdAt: number;
  readonly partnerDevelopment: boolean;
  readonly apiKey: string;
  readonly apiSecret: string;
  readonly catalog: Catalog;
  readonly installations = new Map<string, Installation>();
  stats: ShopStats = emptyStats();
  readonly deliveries: WebhookDelivery[] = [];
  faultRng: Rng;
  faults: FaultConfig | null = null;
  duplicateWebhooks = false;
  bulk: BulkBehaviour = { startDelayMs: 10, chunkDelayMs: 0, failWith: null };

  constructor(o: Required<Pick<AddShopOptions, 'domain'>> & AddShopOptions, simSeed: number, now: () => number) {
    this.domain = o.domain;
    const domainHash = hashString(o.domain);
    this.seed = o.seed ?? hash(simSeed, domainHash);
    const label = o.domain.replace(/\.myshopify\.com$/, '');
    this.name =
      o.name ??
      label
        .split('-')
        .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
        .join(' ');
    this.plan = o.plan ?? 'standard';
    this.currency = o.currency ?? 'USD';
    this.email = o.email ?? `owner@${label}.example`;
    this.id = 50_000_000_000 + (domainHash % 1_000_000_000);
    this.createdAt = Date.UTC(2022, 0, 1) + (domainHash % 365) * 86_400_000;
    this.partnerDevelopment = o.partnerDevelopment ?? false;
    this.apiKey = o.apiKey ?? randomBytes(16).toString('hex');
    this.apiSecret = o.apiSecret ?? randomBytes(16).toString('hex');
    this.faultRng = new Rng(hash(this.seed, 0xfa17));
    const products = Math.max(0, Math.floor(o.products ?? 25));
    if (products > 1_000_000) throw new Error('products: at most 1,000,000');
    const locations = Math.min(5, Math.max(1, Math.floor(o.locations ?? 2)));
    this.catalog = new Catalog(
      buildParams({
        seed: this.seed,
        count: products,
        domainHash,
        locations,
        inactiveLocations: Math.max(0, Math.floor(o.inactiveLocations ?? 0)),
        variantsPerProduct: o.variantsPerProduct,
      }),
      now,
    );
  }

  newBucket(now: () => number): LeakyBucket {
    return new LeakyBucket(RESTORE_RATES[this.plan], now);
  }
}

export interface AppRecord {
  clientId: string;
  clientSecret: string;
  scopes: string[];
  title: string;
  redirectUris: string[] | null;
  id: number;
}

export interface TokenRecord {
  token: string;
  domain: string;
  installationKey: string;
  expiresAt: number | null;
}

export interface RefreshTokenRecord {
  token: string;
  domain: string;
  installationKey: string;
  expiresAt: number;
  /** The refresh token this one replaced: it stays usable until this one is used. */
  previous: string | null;
  revoked: boolean;
}

export interface AuthCodeRecord {
  code: string;
  domain: string;
  clientId: string;
  scopes: string[];
  expiresAt: number;
  used: boolean;
}

let counter = 0;
/** Ids for things created at run time (subscriptions, bulk operations, adjustment groups…). */
export function nextId(base: number): number {
  counter += 1;
  return base + counter;
}

export function newToken(prefix: string): string {
  return `${prefix}_${randomBytes(16).toString('hex')}`;
}
