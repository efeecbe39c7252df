import { createHmac, randomUUID } from 'node:crypto';
import type { GraphQLResolveInfo } from 'graphql';
import { gid, iso, type LevelRecord, levelGid, type ProductRecord } from './records.ts';
import { type ExecContext, parseGid, webhookView } from './resolvers.ts';
import { API_VERSION } from './schema.ts';
import { type Installation, nextId, type ShopState, type WebhookDelivery } from './state.ts';

// Webhook subscriptions (per app and shop, as Shopify scopes them) and deliveries: REST-style JSON bodies,
// Shopify's headers, X-Shopify-Hmac-Sha256 = base64 HMAC-SHA256 of the raw body keyed with the app's secret,
// and a few quick retries for failed deliveries.

export const SUPPORTED_TOPICS = new Set([
  'PRODUCTS_CREATE',
  'PRODUCTS_UPDATE',
  'PRODUCTS_DELETE',
  'INVENTORY_LEVELS_UPDATE',
  'APP_UNINSTALLED',
  'BULK_OPERATIONS_FINISH',
]);

/** PRODUCTS_UPDATE → products/update, INVENTORY_LEVELS_UPDATE → inventory_levels/update. */
export function topicHeader(topic: string): string {
  const i = topic.lastIndexOf('_');
  return `${topic.slice(0, i)}/${topic.slice(i + 1)}`.toLowerCase();
}

export function signWebhook(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body, 'utf8').digest('base64');
}

// ---- payloads ----

function rest(ms: number | null): string | null {
  return ms === null ? null : iso(ms).replace(/Z$/, '-00:00');
}

/** products/create and products/update carry at most the first 100 variants, like Shopify's. */
export function productPayload(p: ProductRecord): Record<string, unknown> {
  const variants = p.variants.slice(0, 100);
  return {
    admin_graphql_api_id: gid('Product', p.id),
    body_html: p.descriptionHtml,
    created_at: rest(p.createdAt),
    handle: p.handle,
    id: p.id,
    product_type: p.productType,
    published_at: rest(p.publishedAt),
    template_suffix: null,
    title: p.title,
    updated_at: rest(p.updatedAt),
    vendor: p.vendor,
    status: p.status.toLowerCase(),
    published_scope: 'global',
    tags: p.tags.join(', '),
    variants: variants.map((v) => ({
      admin_graphql_api_id: gid('ProductVariant', v.id),
      barcode: v.barcode,
      compare_at_price: v.compareAtPrice,
      created_at: rest(v.createdAt),
      id: v.id,
      inventory_policy: v.inventoryPolicy.toLowerCase(),
      position: v.position,
      price: v.price,
      product_id: p.id,
      sku: v.sku ?? '',
      taxable: v.taxable,
      title: v.title,
      updated_at: rest(v.updatedAt),
      option1: v.optionValues[0] ?? null,
      option2: v.optionValues[1] ?? null,
      option3: v.optionValues[2] ?? null,
      image_id: null,
      inventory_item_id: v.item.id,
      inventory_quantity: v.item.levels.reduce((s, l) => s + l.quantities.available, 0),
      old_inventory_quantity: v.item.levels.reduce((s, l) => s + l.quantities.available, 0),
    })),
    options: p.options.map((o) => ({
      name: o.name,
      id: o.id,
      product_id: p.id,
      position: o.position,
      values: o.values,
    })),
    images: p.media.map((m, k) => ({
      id: m.id,
      product_id: p.id,
      position: k + 1,
      created_at: rest(m.createdAt),
      updated_at: rest(m.createdAt),
      alt: m.alt,
      width: m.width,
      height: m.height,
      src: m.url,
      variant_ids: [],
      admin_graphql_api_id: gid('ProductImage', m.id),
    })),
    image: null,
    media: p.media.map((m, k) => ({
      id: m.id,
      product_id: p.id,
      position: k + 1,
      created_at: rest(m.createdAt),
      updated_at: rest(m.createdAt),
      alt: m.alt,
      status: 'READY',
      media_content_type: 'IMAGE',
      preview_image: { width: m.width, height: m.height, src: m.url, status: 'READY' },
      variant_ids: [],
      admin_graphql_api_id: gid('MediaImage', m.id),
    })),
    variant_gids: variants.map((v) => ({
      admin_graphql_api_id: gid('ProductVariant', v.id),
      updated_at: iso(v.updatedAt),
    })),
    has_variants_that_requires_components: false,
    category: null,
  };
}

/** Shopify's products/delete body is only the numeric id. */
export function productDeletePayload(p: ProductRecord): Record<string, unknown> {
  return { id: p.id };
}

export function inventoryLevelPayload(itemId: number, l: LevelRecord): Record<string, unknown> {
  return {
    inventory_item_id: itemId,
    location_id: l.locationId,
    available: l.quantities.available,
    updated_at: rest(l.updatedAt),
    admin_graphql_api_id: levelGid(l.locationId, itemId),
  };
}

export function shopPayload(shop: ShopState): Record<string, unknown> {
  return {
    id: shop.id,
    name: shop.name,
    email: shop.email,
    domain: shop.domain,
    province: 'Ontario',
    country: 'CA',
    address1: '1 Sim Street',
    zip: 'M5V 1A1',
    city: 'Toronto',
    source: null,
    phone: null,
    latitude: null,
    longitude: null,
    primary_locale: 'en',
    address2: null,
    created_at: rest(shop.createdAt),
    updated_at: rest(shop.createdAt),
    country_code: 'CA',
    country_name: 'Canada',
    currency: shop.currency,
    customer_email: shop.email,
    timezone: '(GMT-05:00) Eastern Time (US & Canada)',
    iana_timezone: 'America/New_York',
    shop_owner: shop.name,
    money_format: '$' + '{{amount}}',
    money_with_currency_format: `\${{amount}} ${shop.currency}`,
    weight_unit: 'kg',
    province_code: 'ON',
    taxes_included: false,
    plan_display_name: shop.plan,
    plan_name: shop.plan,
    myshopify_domain: shop.domain,
    primary_location_id: shop.catalog.locations[0]?.id ?? null,
    multi_location_enabled: true,
    admin_graphql_api_id: gid('Shop', shop.id),
  };
}

export function bulkFinishPayload(op: {
  id: number;
  status: string;
  errorCode: string | null;
  createdAt: number;
  completedAt: number | null;
  type: string;
}): Record<string, unknown> {
  return {
    admin_graphql_api_id: gid('BulkOperation', op.id),
    completed_at: rest(op.completedAt),
    created_at: rest(op.createdAt),
    error_code: op.errorCode === null ? null : op.errorCode.toLowerCase(),
    status: op.status.toLowerCase(),
    type: op.type.toLowerCase(),
  };
}

// ---- delivery ----

export interface DispatcherOptions {
  delayMs: number;
  retryDelaysMs: number[];
  timeoutMs: number;
  now: () => number;
}

export class WebhookDispatcher {
  private readonly opts: DispatcherOptions;
  private readonly pending = new Set<Promise<void>>();
  private closed = false;

  constructor(opts: DispatcherOptions) {
    this.opts = opts;
  }

  /**
   * Sends one event to every matching subscription of the shop's installed apps (or only `only`).
   * `duplicate` delivers it twice with the same X-Shopify-Event-Id, as Shopify sometimes does.
   */
  emit(
    shop: ShopState,
    topic: string,
    payload: Record<string, unknown>,
    o: { duplicate?: boolean; only?: Installation } = {},
  ): number {
    const body = JSON.stringify(payload);
    const eventId = randomUUID();
    const triggeredAt = new Date(this.opts.now()).toISOString();
    const installations = o.only ? [o.only] : [...shop.installations.values()].filter((i) => i.active);
    let sent = 0;
    const copies = o.duplicate || shop.duplicateWebhooks ? 2 : 1;
    for (const inst of installations) {
      for (const sub of inst.subscriptions) {
        if (sub.topic !== topic || !/^https?:\/\//.test(sub.uri)) continue;
        for (let c = 0; c < copies; c++) {
          const delivery: WebhookDelivery = {
            topic: topicHeader(topic),
            uri: sub.uri,
            webhookId: randomUUID(),
            eventId,
            triggeredAt,
            body,
            attempts: 0,
            status: null,
            ok: false,
          };
          shop.deliveries.push(delivery);
          if (shop.deliveries.length > 5000) shop.deliveries.shift();
          this.track(this.deliver(shop, inst.secret, delivery));
          sent++;
        }
      }
    }
    return sent;
  }

  private track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  private async deliver(shop: ShopState, secret: string, d: WebhookDelivery): Promise<void> {
    const headers = {
      'Content-Type': 'application/json',
      'X-Shopify-Topic': d.topic,
      'X-Shopify-Shop-Domain': shop.domain,
      'X-Shopify-Webhook-Id': d.webhookId,
      'X-Shopify-Event-Id': d.eventId,
      'X-Shopify-API-Version': API_VERSION,
      'X-Shopify-Triggered-At': d.triggeredAt,
      'X-Shopify-Hmac-Sha256': signWebhook(secret, d.body),
      'User-Agent': 'Shopify-Captain-Hook',
    };
    const delays = [this.opts.delayMs, ...this.opts.retryDelaysMs];
    for (let attempt = 0; attempt < delays.length; attempt++) {
      await sleep(delays[attempt] ?? 0);
      if (this.closed) return;
      d.attempts++;
      shop.stats.webhookAttempts++;
      try {
        const res = await fetch(d.uri, {
          method: 'POST',
          headers,
          body: d.body,
          signal: AbortSignal.timeout(this.opts.timeoutMs),
        });
        await res.arrayBuffer().catch(() => undefined);
        d.status = res.status;
        if (res.ok) {
          d.ok = true;
          shop.stats.webhooksDelivered++;
          return;
        }
      } catch (err) {
        d.error = err instanceof Error ? err.message : String(err);
      }
    }
    shop.stats.webhooksFailed++;
  }

  /** Resolves once every delivery started so far has succeeded or given up. */
  async idle(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  close(): void {
    this.closed = true;
  }
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve();
}

// ---- subscription mutations ----

interface UserError {
  field: string[] | null;
  message: string;
}

function validUri(uri: string): string | null {
  if (/^pubsub:\/\/[^:]+:.+$/.test(uri) || /^arn:aws:events:/.test(uri)) return null;
  try {
    const u = new URL(uri);
    // Shopify only accepts HTTPS; the sim also takes plain HTTP so local receivers work.
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return `Address protocol ${u.protocol}// is not supported`;
    return null;
  } catch {
    return 'Address is invalid';
  }
}

/** A topic's events are only sent to apps that may read what they describe. */
const TOPIC_SCOPES: Record<string, string> = {
  PRODUCTS_CREATE: 'read_products',
  PRODUCTS_UPDATE: 'read_products',
  PRODUCTS_DELETE: 'read_products',
  INVENTORY_LEVELS_UPDATE: 'read_inventory',
  INVENTORY_LEVELS_CONNECT: 'read_inventory',
  INVENTORY_LEVELS_DISCONNECT: 'read_inventory',
};

export function webhookSubscriptionCreate(args: Record<string, unknown>, ctx: ExecContext, _info: GraphQLResolveInfo) {
  const topic = args.topic as string;
  const input = args.webhookSubscription as Record<string, unknown>;
  const uri = (input.uri ?? input.callbackUrl) as string | undefined;
  const errors: UserError[] = [];
  const needed = TOPIC_SCOPES[topic];
  if (needed && !ctx.scopes.has(needed)) {
    errors.push({
      field: ['topic'],
      message: `You do not have permission to create or update webhooks with ${topicHeader(topic)} topic. This topic requires the ${needed} access scope.`,
    });
  }
  if (!uri) errors.push({ field: ['webhookSubscription', 'uri'], message: "Address can't be blank" });
  else {
    const problem = validUri(uri);
    if (problem) errors.push({ field: ['webhookSubscription', 'uri'], message: problem });
    else if (ctx.inst.subscriptions.some((s) => s.topic === topic && s.uri === uri)) {
      errors.push({ field: ['webhookSubscription', 'uri'], message: 'Address for this topic has already been taken' });
    }
  }
  if (errors.length) return { webhookSubscription: null, userErrors: errors };
  const at = ctx.sim.now();
  const sub = {
    id: nextId(1_400_000_000),
    topic,
    uri: uri as string,
    format: ((input.format as string) ?? 'JSON') as 'JSON' | 'XML',
    filter: (input.filter as string | undefined) ?? null,
    includeFields: (input.includeFields as string[] | undefined) ?? [],
    name: (input.name as string | undefined) ?? null,
    createdAt: at,
    updatedAt: at,
  };
  ctx.inst.subscriptions.push(sub);
  return { webhookSubscription: webhookView(sub), userErrors: [] };
}

export function webhookSubscriptionUpdate(args: Record<string, unknown>, ctx: ExecContext) {
  const g = parseGid(args.id);
  const sub = g?.type === 'WebhookSubscription' ? ctx.inst.subscriptions.find((s) => s.id === g.id) : undefined;
  if (!sub) {
    return {
      webhookSubscription: null,
      userErrors: [{ field: ['id'], message: 'Webhook subscription does not exist' }],
    };
  }
  const input = args.webhookSubscription as Record<string, unknown>;
  const uri = (input.uri ?? input.callbackUrl) as string | undefined;
  if (uri !== undefined) {
    const problem = validUri(uri);
    if (problem)
      return { webhookSubscription: null, userErrors: [{ field: ['webhookSubscription', 'uri'], message: problem }] };
    sub.uri = uri;
  }
  if (input.filter !== undefined) sub.filter = (input.filter as string | null) ?? null;
  if (input.format !== undefined) sub.format = input.format as 'JSON' | 'XML';
  if (input.includeFields !== undefined) sub.includeFields = (input.includeFields as string[] | null) ?? [];
  sub.updatedAt = ctx.sim.now();
  return { webhookSubscription: webhookView(sub), userErrors: [] };
}

export function webhookSubscriptionDelete(args: Record<string, unknown>, ctx: ExecContext) {
  const g = parseGid(args.id);
  const index = g?.type === 'WebhookSubscription' ? ctx.inst.subscriptions.findIndex((s) => s.id === g.id) : -1;
  if (index < 0) {
    return {
      deletedWebhookSubscriptionId: null,
      userErrors: [{ field: ['id'], message: 'Webhook subscription does not exist' }],
    };
  }
  const [sub] = ctx.inst.subscriptions.splice(index, 1);
  return { deletedWebhookSubscriptionId: gid('WebhookSubscription', sub?.id ?? 0), userErrors: [] };
}
