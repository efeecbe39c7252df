import { createHmac, timingSafeEqual } from 'node:crypto';
import { and, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { PgBoss } from 'pg-boss';
import type { Config } from '../../config.ts';
import type { Database } from '../../db/client.ts';
import { newId } from '../../db/ids.ts';
import { withScope, withTenant } from '../../db/tenant.ts';
import { QUEUES } from '../../jobs/boss.ts';
import { open } from './crypto.ts';
import { shopifyConnections, shopifyShopIndex, webhookEvents } from './schema.ts';

// Inbound Shopify webhooks (SHOPIFY.md §6): verify the HMAC of the raw body with the secret of each
// connection that holds the shop (inside that connection's tenant), record the event once per
// (connection, event id), and hand the work to a pg-boss job. Expected failures are values.

/** What the API needs of pg-boss: sending only (the worker does the work). */
export type WebhookJobSender = Pick<PgBoss, 'send'>;

export interface WebhookContext {
  db: Database;
  config: Config;
}

export interface WebhookJobData {
  org_id: string;
  event_id: string;
}

/** Set in the app configuration, not by subscription; they must be acknowledged even for unknown shops. */
export const COMPLIANCE_TOPICS = ['customers/data_request', 'customers/redact', 'shop/redact'] as const;
/** Kept for the sync engine (the next step applies them to the catalog). */
export const STORED_TOPICS = [
  'products/create',
  'products/update',
  'products/delete',
  'inventory_levels/update',
  'bulk_operations/finish',
] as const;

export interface WebhookHeaders {
  hmac: Buffer;
  shop: string;
  topic: string;
  eventId: string;
  webhookId: string | null;
  apiVersion: string | null;
  triggeredAt: Date | null;
}

const SHOP = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;
const TOPIC = /^[a-z_]{1,40}\/[a-z_]{1,40}$/;
const TOKEN = /^[\x21-\x7e]{1,255}$/;
const BASE64_SHA256 = /^[A-Za-z0-9+/]{43}=$/;
const API_VERSION = /^[\w-]{1,32}$/;

type HeaderBag = Record<string, string | string[] | undefined>;

function one(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? (value.length === 1 ? value[0] : undefined) : value;
}

/** Shopify's headers, validated; any missing or malformed one rejects the delivery. */
export function parseWebhookHeaders(
  headers: HeaderBag,
): { valid: true; headers: WebhookHeaders } | { valid: false; reason: string } {
  const hmac = one(headers, 'x-shopify-hmac-sha256');
  if (!hmac) return { valid: false, reason: 'The X-Shopify-Hmac-Sha256 header is missing.' };
  if (!BASE64_SHA256.test(hmac))
    return { valid: false, reason: 'The X-Shopify-Hmac-Sha256 header is not a base64 HMAC-SHA256.' };
  const shop = one(headers, 'x-shopify-shop-domain')?.trim().toLowerCase();
  if (!shop) return { valid: false, reason: 'The X-Shopify-Shop-Domain header is missing.' };
  if (!SHOP.test(shop) || shop.length > 255)
    return { valid: false, reason: 'The X-Shopify-Shop-Domain header is not a *.myshopify.com domain.' };
  const topic = one(headers, 'x-shopify-topic')?.trim().toLowerCase();
  if (!topic) return { valid: false, reason: 'The X-Shopify-Topic header is missing.' };
  if (!TOPIC.test(topic)) return { valid: false, reason: 'The X-Shopify-Topic header is not a webhook topic.' };
  const webhookId = one(headers, 'x-shopify-webhook-id');
  if (webhookId !== undefined && !TOKEN.test(webhookId))
    return { valid: false, reason: 'The X-Shopify-Webhook-Id header is malformed.' };
  const eventId = one(headers, 'x-shopify-event-id');
  if (eventId !== undefined && !TOKEN.test(eventId))
    return { valid: false, reason: 'The X-Shopify-Event-Id header is malformed.' };
  const id = eventId ?? webhookId;
  if (!id) return { valid: false, reason: 'The X-Shopify-Event-Id (or X-Shopify-Webhook-Id) header is missing.' };
  const apiVersion = one(headers, 'x-shopify-api-version');
  if (apiVersion !== undefined && !API_VERSION.test(apiVersion))
    return { valid: false, reason: 'The X-Shopify-API-Version header is malformed.' };
  const triggered = one(headers, 'x-shopify-triggered-at');
  let triggeredAt: Date | null = null;
  if (triggered !== undefined) {
    const ms = triggered.length <= 64 ? Date.parse(triggered) : Number.NaN;
    const year = Number.isNaN(ms) ? 0 : new Date(ms).getUTCFullYear();
    if (year < 2000 || year > 9999)
      return { valid: false, reason: 'The X-Shopify-Triggered-At header is not a timestamp.' };
    triggeredAt = new Date(ms);
  }
  return {
    valid: true,
    headers: {
      hmac: Buffer.from(hmac, 'base64'),
      shop,
      topic,
      eventId: id,
      webhookId: webhookId ?? null,
      apiVersion: apiVersion ?? null,
      triggeredAt,
    },
  };
}

/** Constant-time comparison of HMAC-SHA256(secret, raw body) with the header's digest. */
export function signatureMatches(secret: string, raw: Buffer, given: Buffer): boolean {
  const expected = createHmac('sha256', secret).update(raw).digest();
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export type ReceiveResult =
  | { outcome: 'rejected'; reason: string }
  | { outcome: 'invalid_body'; reason: string }
  /** A compliance topic for a shop we hold nothing of, signed by our app. */
  | { outcome: 'acknowledged' }
  | { outcome: 'recorded'; created: { orgId: string; eventId: string }[]; duplicates: number };

const UNVERIFIED = 'The webhook signature could not be verified for this shop.';
const NOT_JSON = 'The webhook body is not a JSON object.';

class InvalidBody extends Error {}

/** PostgreSQL data exceptions (e.g. \u0000 in a jsonb string): the payload, not the server, is at fault. */
function dataException(err: unknown): boolean {
  const code = ((err as { cause?: { code?: unknown } })?.cause?.code ?? (err as { code?: unknown })?.code) as
    | string
    | undefined;
  return typeof code === 'string' && code.startsWith('22');
}

function parsePayload(raw: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(raw.toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function secretOf(ctx: WebhookContext, row: { authMethod: string; apiSecretEnc: string | null }): string | undefined {
  if (row.authMethod === 'oauth') return ctx.config.shopify.apiSecret;
  if (!row.apiSecretEnc) return undefined;
  try {
    return open(ctx.config.encryptionKeys, row.apiSecretEnc);
  } catch {
    return undefined;
  }
}

/**
 * Verify and record one delivery. Each connection holding the shop is tried inside its own tenant
 * with its own secret; the event is stored under every connection whose secret signed it, once.
 */
export async function receiveWebhook(ctx: WebhookContext, raw: Buffer, rawHeaders: HeaderBag): Promise<ReceiveResult> {
  const parsed = parseWebhookHeaders(rawHeaders);
  if (!parsed.valid) return { outcome: 'rejected', reason: parsed.reason };
  const h = parsed.headers;
  const payload = parsePayload(raw);

  const candidates = await withScope(ctx.db, {}, (tx) =>
    tx
      .select({ orgId: shopifyShopIndex.orgId, connectionId: shopifyShopIndex.connectionId })
      .from(shopifyShopIndex)
      .where(eq(shopifyShopIndex.shopDomain, h.shop)),
  );

  const created: { orgId: string; eventId: string }[] = [];
  let matched = 0;
  for (const candidate of candidates) {
    try {
      const result = await withTenant(ctx.db, candidate.orgId, async (tx) => {
        const [row] = await tx
          .select({
            authMethod: shopifyConnections.authMethod,
            apiSecretEnc: shopifyConnections.apiSecretEnc,
            shopDomain: shopifyConnections.shopDomain,
          })
          .from(shopifyConnections)
          .where(and(eq(shopifyConnections.orgId, candidate.orgId), eq(shopifyConnections.id, candidate.connectionId)));
        if (!row || row.shopDomain !== h.shop) return 'no_match' as const;
        const secret = secretOf(ctx, row);
        if (!secret || !signatureMatches(secret, raw, h.hmac)) return 'no_match' as const;
        if (!payload) throw new InvalidBody(NOT_JSON);
        const inserted = await tx
          .insert(webhookEvents)
          .values({
            orgId: candidate.orgId,
            id: newId(),
            connectionId: candidate.connectionId,
            topic: h.topic,
            eventId: h.eventId,
            webhookId: h.webhookId,
            apiVersion: h.apiVersion,
            triggeredAt: h.triggeredAt,
            payload,
          })
          .onConflictDoNothing({ target: [webhookEvents.orgId, webhookEvents.connectionId, webhookEvents.eventId] })
          .returning({ id: webhookEvents.id });
        return inserted[0]?.id ?? ('duplicate' as const);
      });
      if (result === 'no_match') continue;
      matched++;
      if (result !== 'duplicate') created.push({ orgId: candidate.orgId, eventId: result });
    } catch (err) {
      if (err instanceof InvalidBody) return { outcome: 'invalid_body', reason: err.message };
      if (dataException(err))
        return { outcome: 'invalid_body', reason: 'The webhook body holds values that cannot be stored.' };
      throw err;
    }
  }
  if (matched > 0) return { outcome: 'recorded', created, duplicates: matched - created.length };

  const appSecret = ctx.config.shopify.apiSecret;
  if (
    (COMPLIANCE_TOPICS as readonly string[]).includes(h.topic) &&
    appSecret &&
    signatureMatches(appSecret, raw, h.hmac)
  ) {
    if (!payload) return { outcome: 'invalid_body', reason: NOT_JSON };
    return { outcome: 'acknowledged' };
  }
  return { outcome: 'rejected', reason: UNVERIFIED };
}

/** Queue the processing of new events; a failed send leaves them `received` for the sweep. */
export async function enqueueEvents(
  boss: WebhookJobSender,
  events: { orgId: string; eventId: string }[],
): Promise<number> {
  let sent = 0;
  for (const { orgId, eventId } of events) {
    const data: WebhookJobData = { org_id: orgId, event_id: eventId };
    // The queue keeps at most one queued job per key, so the sweep cannot pile up copies.
    await boss.send(QUEUES.shopifyWebhook.name, data, { singletonKey: `${orgId}:${eventId}` });
    sent++;
  }
  return sent;
}

export type ProcessOutcome = 'processed' | 'stored' | 'redacted' | 'failed' | 'skipped';

/**
 * Apply one recorded event. Idempotent: an event already processed or stored (or gone with its
 * connection after shop/redact) is skipped, and each effect is the same when applied twice.
 */
export async function processWebhookEvent(
  ctx: WebhookContext,
  orgId: string,
  eventId: string,
): Promise<ProcessOutcome> {
  return withTenant(ctx.db, orgId, async (tx) => {
    const [event] = await tx
      .select()
      .from(webhookEvents)
      .where(and(eq(webhookEvents.orgId, orgId), eq(webhookEvents.id, eventId)))
      .for('update');
    if (!event || event.status === 'processed' || event.status === 'stored') return 'skipped';
    const connection = and(eq(shopifyConnections.orgId, orgId), eq(shopifyConnections.id, event.connectionId));
    const finish = async (status: 'processed' | 'stored' | 'failed', error: string | null = null) => {
      await tx
        .update(webhookEvents)
        .set({ status, error, processedAt: sql`now()` })
        .where(and(eq(webhookEvents.orgId, orgId), eq(webhookEvents.id, eventId)));
      return status;
    };

    if (event.topic === 'app/uninstalled' || event.topic === 'shop/redact') {
      // Shopify retries for hours: an uninstall or redact sent before the store was connected again
      // (X-Shopify-Triggered-At) must not undo the new connection.
      const [current] = await tx
        .select({ connectedAt: shopifyConnections.connectedAt })
        .from(shopifyConnections)
        .where(connection);
      if (event.triggeredAt && current?.connectedAt && event.triggeredAt < current.connectedAt) {
        return finish(
          'processed',
          `Stale: sent ${event.triggeredAt.toISOString()}, before the store was connected again.`,
        );
      }
    }
    if (event.topic === 'app/uninstalled') {
      // Shopify revoked our tokens; the API secret stays so shop/redact can still be verified.
      await tx
        .update(shopifyConnections)
        .set({
          state: 'uninstalled',
          accessTokenEnc: null,
          refreshTokenEnc: null,
          accessTokenHint: null,
          tokenExpiresAt: null,
          refreshTokenExpiresAt: null,
          webhooksState: 'not_configured',
          webhooksError: null,
          webhookSubscriptions: [],
          updatedAt: sql`now()`,
        })
        .where(connection);
      return finish('processed');
    }
    if (event.topic === 'shop/redact') {
      // Everything of that shop in this tenant goes; its events (this one too) cascade.
      await tx.delete(shopifyConnections).where(connection);
      return 'redacted';
    }
    if (event.topic === 'customers/data_request' || event.topic === 'customers/redact') {
      return finish('processed'); // we hold no customer data
    }
    if ((STORED_TOPICS as readonly string[]).includes(event.topic)) return finish('stored');
    return finish('failed', `No handler for the topic ${event.topic}.`);
  });
}

/** Record why processing failed; on the last attempt the event is marked failed for good. */
export async function recordProcessingError(
  ctx: WebhookContext,
  orgId: string,
  eventId: string,
  err: unknown,
  final: boolean,
) {
  const message = (err instanceof Error ? err.message : String(err)).slice(0, 1000);
  await withTenant(ctx.db, orgId, (tx) =>
    tx
      .update(webhookEvents)
      .set({ error: message, ...(final ? { status: 'failed' as const, processedAt: sql`now()` } : {}) })
      .where(and(eq(webhookEvents.orgId, orgId), eq(webhookEvents.id, eventId), eq(webhookEvents.status, 'received'))),
  );
}

/**
 * Re-queue events still `received` (with no recorded failure) after `olderThanSeconds`: the API's
 * send failed, or it had no queue. Tenants are found through the shop index, since no query may
 * bypass row-level security.
 */
export async function sweepReceivedEvents(
  ctx: WebhookContext,
  boss: WebhookJobSender,
  olderThanSeconds = 60,
): Promise<number> {
  const orgs = await withScope(ctx.db, {}, (tx) =>
    tx.selectDistinct({ orgId: shopifyShopIndex.orgId }).from(shopifyShopIndex),
  );
  let sent = 0;
  for (const { orgId } of orgs) {
    const stale = await withTenant(ctx.db, orgId, (tx) =>
      tx
        .select({ id: webhookEvents.id })
        .from(webhookEvents)
        .where(
          and(
            eq(webhookEvents.orgId, orgId),
            inArray(webhookEvents.status, ['received']),
            isNull(webhookEvents.error),
            lt(webhookEvents.receivedAt, sql`now() - make_interval(secs => ${olderThanSeconds})`),
          ),
        )
        .orderBy(webhookEvents.receivedAt)
        .limit(1000),
    );
    sent += await enqueueEvents(
      boss,
      stale.map((e) => ({ orgId, eventId: e.id })),
    );
  }
  return sent;
}
