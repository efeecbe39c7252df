import { randomBytes } from 'node:crypto';
import { BulkRunner } from './bulk.ts';
import { hash, hashString, Rng } from './rng.ts';
import { type AdminSchema, adminSchema, compressScopes } from './schema.ts';
import {
  type AddShopOptions,
  type AppRecord,
  type AuthCodeRecord,
  DEFAULT_SCOPES,
  type FaultConfig,
  type Installation,
  newToken,
  nextId,
  type RefreshTokenRecord,
  ShopState,
  type TokenRecord,
} from './state.ts';
import { shopPayload, WebhookDispatcher } from './webhooks.ts';

export const SHOP_DOMAIN = /^[a-zA-Z0-9][a-zA-Z0-9-]*\.myshopify\.com$/;

export interface SimOptions {
  seed: number;
  webhookDelayMs: number;
  webhookRetryDelaysMs: number[];
  webhookTimeoutMs: number;
  bulkDir: string;
}

/** Everything the fake Shopify knows: shops, apps, tokens, the clock, faults and background work. */
export class Sim {
  origin = '';
  readonly seed: number;
  readonly schema: AdminSchema;
  readonly shops = new Map<string, ShopState>();
  readonly apps = new Map<string, AppRecord>();
  readonly tokens = new Map<string, TokenRecord>();
  readonly refreshTokens = new Map<string, RefreshTokenRecord>();
  readonly codes = new Map<string, AuthCodeRecord>();
  readonly webhooks: WebhookDispatcher;
  readonly bulk: BulkRunner;
  globalFaults: FaultConfig | null = null;
  private clockOffset = 0;

  constructor(o: SimOptions) {
    this.seed = o.seed;
    this.schema = adminSchema();
    this.webhooks = new WebhookDispatcher({
      delayMs: o.webhookDelayMs,
      retryDelaysMs: o.webhookRetryDelaysMs,
      timeoutMs: o.webhookTimeoutMs,
      now: this.now,
    });
    this.bulk = new BulkRunner(this, o.bulkDir, randomBytes(16).toString('hex'));
  }

  /** The sim's clock: real time plus whatever tests skipped ahead with advanceTime. */
  readonly now = (): number => Date.now() + this.clockOffset;

  advanceTime(ms: number): void {
    this.clockOffset += ms;
  }

  addShop(o: AddShopOptions): ShopState {
    const domain = o.domain.toLowerCase();
    if (!SHOP_DOMAIN.test(domain)) throw new Error(`shop domain must look like name.myshopify.com, got "${o.domain}"`);
    if (this.shops.has(domain)) throw new Error(`shop ${domain} already exists`);
    const shop = new ShopState({ ...o, domain }, this.seed, this.now);
    this.shops.set(domain, shop);
    const inst = this.install(shop, {
      key: 'custom',
      apiKey: shop.apiKey,
      secret: shop.apiSecret,
      title: `${shop.name} custom app`,
      scopes: o.scopes ?? DEFAULT_SCOPES,
    });
    const token = o.accessToken ?? newToken('shpat');
    if (this.tokens.has(token)) throw new Error('accessToken is already used by another shop');
    this.tokens.set(token, { token, domain, installationKey: inst.key, expiresAt: null });
    return shop;
  }

  /** The shop's offline (non-expiring) token for its custom app, if it still has one. */
  customToken(domain: string): string | null {
    for (const t of this.tokens.values()) {
      if (t.domain === domain && t.installationKey === 'custom' && t.expiresAt === null) return t.token;
    }
    return null;
  }

  registerApp(o: {
    clientId: string;
    clientSecret: string;
    scopes?: string[];
    title?: string;
    redirectUris?: string[];
  }): AppRecord {
    const app: AppRecord = {
      clientId: o.clientId,
      clientSecret: o.clientSecret,
      scopes: o.scopes ?? DEFAULT_SCOPES,
      title: o.title ?? 'InvPro360',
      redirectUris: o.redirectUris ?? null,
      id: 3_000_000 + (hashString(o.clientId) % 1_000_000),
    };
    this.apps.set(o.clientId, app);
    return app;
  }

  /** Installs (or re-installs with new scopes) an app on a shop. */
  install(
    shop: ShopState,
    o: { key: string; apiKey: string; secret: string; title: string; scopes: string[]; appId?: number },
  ): Installation {
    const existing = shop.installations.get(o.key);
    if (existing?.active) {
      existing.scopes = [...new Set(o.scopes)];
      return existing;
    }
    const inst: Installation = {
      key: o.key,
      id: nextId(800_000_000),
      appId: o.appId ?? 3_000_000 + (hash(hashString(o.key)) % 1_000_000),
      appTitle: o.title,
      apiKey: o.apiKey,
      secret: o.secret,
      scopes: [...new Set(o.scopes)],
      bucket: shop.newBucket(this.now),
      subscriptions: [],
      bulkOps: [],
      idempotency: new Map(),
      active: true,
    };
    shop.installations.set(o.key, inst);
    return inst;
  }

  issueToken(domain: string, installationKey: string, ttlSeconds: number | null, prefix = 'shpat'): TokenRecord {
    const rec: TokenRecord = {
      token: newToken(prefix),
      domain,
      installationKey,
      expiresAt: ttlSeconds === null ? null : this.now() + ttlSeconds * 1000,
    };
    this.tokens.set(rec.token, rec);
    return rec;
  }

  /** Resolves a request's token (and optional shop header) to the shop and app it acts for. */
  authenticate(
    token: string | undefined,
    headerDomain: string | undefined,
  ): { shop: ShopState; inst: Installation } | null {
    if (!token) return null;
    const rec = this.tokens.get(token);
    if (!rec) return null;
    if (rec.expiresAt !== null && rec.expiresAt <= this.now()) return null;
    if (headerDomain && headerDomain.toLowerCase() !== rec.domain) return null;
    const shop = this.shops.get(rec.domain);
    const inst = shop?.installations.get(rec.installationKey);
    if (!shop || !inst?.active) return null;
    return { shop, inst };
  }

  /** Which shop a request is about, before authentication (faults and statistics need it). */
  shopFor(token: string | undefined, headerDomain: string | undefined): ShopState | undefined {
    if (headerDomain) return this.shops.get(headerDomain.toLowerCase());
    const rec = token ? this.tokens.get(token) : undefined;
    return rec ? this.shops.get(rec.domain) : undefined;
  }

  /**
   * Uninstalls one app (or every app) from a shop: sends app/uninstalled to its subscriptions, then
   * revokes its tokens and forgets its subscriptions, as Shopify does.
   */
  uninstall(domain: string, o: { clientId?: string; duplicate?: boolean } = {}): number {
    const shop = this.shop(domain);
    let count = 0;
    for (const inst of shop.installations.values()) {
      if (
        !inst.active ||
        (o.clientId && inst.key !== o.clientId && !(o.clientId === shop.apiKey && inst.key === 'custom'))
      )
        continue;
      this.webhooks.emit(shop, 'APP_UNINSTALLED', shopPayload(shop), { only: inst, duplicate: o.duplicate });
      inst.active = false;
      inst.subscriptions = [];
      for (const [t, rec] of this.tokens)
        if (rec.domain === shop.domain && rec.installationKey === inst.key) this.tokens.delete(t);
      for (const [t, rec] of this.refreshTokens) {
        if (rec.domain === shop.domain && rec.installationKey === inst.key) this.refreshTokens.delete(t);
      }
      count++;
    }
    return count;
  }

  /** Gives the custom app a fresh installation and token after an uninstall. */
  reinstallCustom(domain: string, accessToken?: string): string {
    const shop = this.shop(domain);
    const old = shop.installations.get('custom');
    const inst = this.install(shop, {
      key: 'custom',
      apiKey: shop.apiKey,
      secret: shop.apiSecret,
      title: `${shop.name} custom app`,
      scopes: old?.scopes ?? DEFAULT_SCOPES,
    });
    const token = accessToken ?? newToken('shpat');
    this.tokens.set(token, { token, domain: shop.domain, installationKey: inst.key, expiresAt: null });
    return token;
  }

  shop(domain: string): ShopState {
    const shop = this.shops.get(domain.toLowerCase());
    if (!shop) throw new Error(`unknown shop ${domain}`);
    return shop;
  }

  setFaults(domain: string, f: FaultConfig): void {
    const config = Object.values(f).some((v) => v !== undefined && v !== 0) ? { ...f } : null;
    if (domain === '*') {
      this.globalFaults = config;
      for (const shop of this.shops.values()) shop.faultRng = new Rng(hash(shop.seed, 0xfa17));
    } else {
      const shop = this.shop(domain);
      shop.faults = config;
      // Re-seeding makes a given fault configuration produce the same sequence every time it is set.
      shop.faultRng = new Rng(hash(shop.seed, 0xfa17));
    }
  }

  grantedScopeString(scopes: string[]): string {
    return compressScopes(scopes).join(',');
  }

  async idle(): Promise<void> {
    await this.bulk.idle();
    await this.webhooks.idle();
  }

  close(): void {
    this.bulk.close();
    this.webhooks.close();
  }
}
