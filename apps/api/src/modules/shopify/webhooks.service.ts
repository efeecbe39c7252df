import { createHmac, timingSafeEqual } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { newId } from '../../db/ids.ts';
import { withTenant } from '../../db/tenant.ts';
import { AppError } from '../../http/errors.ts';
import { ShopifyError } from './client.ts';
import { CATALOG_TOPICS, intakeOf, QueueUnavailable, type WebhookJobData } from './webhook-intake.ts';

export { CATALOG_TOPICS, QueueUnavailable, type WebhookJobData };

import { type ConnectionRow, clearCredentials, deleteConnection, findConnection } from './connections.queries.ts';
import type { ShopifyContext } from './context.ts';
import { SHOP_IDENTITY } from './operations.ts';
import { webhookEvents } from './schema.ts';
import { ensureFreshAccessToken } from './token-refresh.ts';

// Inbound Shopify webhooks (docs/shopify.md, "Webhooks"): verify the HMAC of the raw body with the
// secret of each connection that holds the shop (inside that connection's tenant), record the event
// once per (connection, event id) and queue its job in the same transaction. Expected failures are
// values.
//
// Shopify signs only the body, and every OAuth store shares our app's secret: the headers (shop,
// topic, event id, triggered-at) can be replayed around a body signed for another store. So a
// webhook is a hint. It changes only rows of the connection it was recorded under, after the
// payload's own shop fields agree with that connection, and a destructive one (uninstall, redact)
// acts only once Shopify has refused that connection's own token.

/** Set in the app configuration, not by subscription; they must be acknowledged even for unknown shops. */
export const COMPLIANCE_TOPICS = ['customers/data_request', 'customers/redact', 'shop/redact'] as const;
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

const sqlState = (err: unknown) =>
  ((err as { cause?: { code?: unknown } })?.cause?.code ?? (err as { code?: unknown })?.code) as string | undefined;

/** The row's connection is gone (deleted since its secret was read). */
const foreignKeyViolation = (err: unknown) => sqlState(err) === '23503';

/** PostgreSQL data exceptions (e.g. \u0000 in a jsonb string): the payload, not the server, is at fault. */
function dataException(err: unknown): boolean {
  const code = sqlState(err);
  return typeof code === 'string' && code.startsWith('22');
}

const UNSAFE_DIGITS = /\d{16}/;

/**
 * The body as a JSON object, or undefined. Integers keep their exact digits as strings where they
 * would lose precision as numbers (Shopify's numeric ids exceed 2^53).
 */
export function parsePayload(raw: Buffer): Record<string, unknown> | undefined {
  try {
    const text = raw.toString('utf8');
    // The reviver is a call per value (a third of intake's parsing time): only when some run of
    // 16 digits could be an integer beyond 2^53.
    const value: unknown = UNSAFE_DIGITS.test(text)
      ? JSON.parse(text, (_key, v, context?: { source?: string }) =>
          typeof v === 'number' && !Number.isSafeInteger(v) && context?.source && /^-?\d+$/.test(context.source)
            ? context.source
            : v,
        )
      : JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Verify and record one delivery. Each connection holding the shop is tried inside its own tenant
 * with its own secret; the event is stored under every connection whose secret signed it, once,
 * with its processing job queued in the same transaction. The body is parsed only after a
 * signature matched: an unverified request costs an HMAC, never a JSON parse.
 */
export async function receiveWebhook(ctx: ShopifyContext, raw: Buffer, rawHeaders: HeaderBag): Promise<ReceiveResult> {
  const parsed = parseWebhookHeaders(rawHeaders);
  if (!parsed.valid) return { outcome: 'rejected', reason: parsed.reason };
  const h = parsed.headers;
  let payload: Record<string, unknown> | undefined | null = null; // null: not parsed yet
  const verifiedPayload = () => {
    if (payload === null) payload = parsePayload(raw);
    if (!payload) throw new InvalidBody(NOT_JSON);
    return payload;
  };

  // The shop's connections from the last two seconds; a delivery none of them verifies is checked
  // again against a fresh read (a secret may just have changed), as is one whose connection has
  // gone since (its foreign key refuses the row).
  const intake = intakeOf(ctx);
  for (let fresh = false, tries = 0; tries < 2; tries++, fresh = true) {
    const { candidates, loaded } = await intake.candidates(h.shop, fresh);
    const signed = candidates.filter((c) => c.secret && signatureMatches(c.secret, raw, h.hmac));
    if (signed.length === 0) {
      if (loaded) break;
      continue;
    }
    let body: Record<string, unknown>;
    try {
      body = verifiedPayload();
    } catch (err) {
      if (err instanceof InvalidBody) return { outcome: 'invalid_body', reason: err.message };
      throw err;
    }
    try {
      const outcomes = await Promise.all(
        signed.map(async (c) => {
          const id = newId();
          const outcome = await intake.record({
            orgId: c.orgId,
            id,
            connectionId: c.connectionId,
            topic: h.topic,
            eventId: h.eventId,
            webhookId: h.webhookId,
            apiVersion: h.apiVersion,
            triggeredAt: h.triggeredAt,
            payload: body,
          });
          return outcome === 'created' ? { orgId: c.orgId, eventId: id } : null;
        }),
      );
      const created = outcomes.filter((o) => o !== null);
      return { outcome: 'recorded', created, duplicates: outcomes.length - created.length };
    } catch (err) {
      if (dataException(err))
        return { outcome: 'invalid_body', reason: 'The webhook body holds values that cannot be stored.' };
      if (!fresh && foreignKeyViolation(err)) {
        intake.forget(h.shop);
        continue;
      }
      throw err;
    }
  }

  const appSecret = ctx.config.shopify.apiSecret;
  if (
    (COMPLIANCE_TOPICS as readonly string[]).includes(h.topic) &&
    appSecret &&
    signatureMatches(appSecret, raw, h.hmac)
  ) {
    if (!parsePayload(raw)) return { outcome: 'invalid_body', reason: NOT_JSON };
    return { outcome: 'acknowledged' };
  }
  return { outcome: 'rejected', reason: UNVERIFIED };
}

/** The connection's catalog deliveries not handled yet, oldest first (for the catalog's batch). */
export async function pendingCatalogEvents(tx: Queryable, orgId: string, connectionId: string, limit: number) {
  return tx
    .select({
      id: webhookEvents.id,
      topic: webhookEvents.topic,
      payload: webhookEvents.payload,
      receivedAt: webhookEvents.receivedAt,
    })
    .from(webhookEvents)
    .where(
      and(
        eq(webhookEvents.orgId, orgId),
        eq(webhookEvents.connectionId, connectionId),
        eq(webhookEvents.status, 'received'),
        inArray(webhookEvents.topic, [...CATALOG_TOPICS]),
      ),
    )
    .orderBy(webhookEvents.receivedAt, webhookEvents.id)
    .limit(limit);
}

/** Record how each delivery ended (processed, or ignored with the reason). */
export async function settleEvents(
  tx: Queryable,
  orgId: string,
  outcomes: Map<string, { status: 'processed' | 'ignored'; error?: string }>,
) {
  for (const status of ['processed', 'ignored'] as const) {
    const byError = new Map<string | null, string[]>();
    for (const [id, o] of outcomes) {
      if (o.status !== status) continue;
      const key = o.error ?? null;
      byError.set(key, [...(byError.get(key) ?? []), id]);
    }
    for (const [error, ids] of byError) {
      await tx
        .update(webhookEvents)
        .set({ status, error, processedAt: sql`now()` })
        .where(
          and(eq(webhookEvents.orgId, orgId), inArray(webhookEvents.id, ids), eq(webhookEvents.status, 'received')),
        );
    }
  }
}

export type ProcessOutcome = 'processed' | 'stored' | 'ignored' | 'redacted' | 'failed' | 'skipped';

const DESTRUCTIVE_TOPICS = ['app/uninstalled', 'shop/redact'];

/** The numeric id at the end of a GID (`gid://shopify/Shop/123` → `123`). */
const legacyId = (gid: string | null | undefined) => gid?.match(/\/(\d+)$/)?.[1];

/**
 * Does a destructive payload name this connection's shop? `app/uninstalled` carries the shop
 * (`myshopify_domain`, `id`, `admin_graphql_api_id`), `shop/redact` carries `shop_domain` and
 * `shop_id`. A body signed for another store and replayed with this shop's headers names that other
 * store. Returns why not, or undefined when it does.
 */
export function payloadShopMismatch(topic: string, payload: unknown, row: ConnectionRow): string | undefined {
  const p = (payload ?? {}) as Record<string, unknown>;
  const domain = topic === 'shop/redact' ? p.shop_domain : p.myshopify_domain;
  const id = topic === 'shop/redact' ? p.shop_id : (legacyId(p.admin_graphql_api_id as string) ?? p.id);
  if (typeof domain !== 'string' || domain.toLowerCase() !== row.shopDomain) {
    return `the payload names ${typeof domain === 'string' ? domain.slice(0, 255) : 'no shop'}, not ${row.shopDomain}`;
  }
  const ours = legacyId(row.shopGid);
  if (ours && String(id) !== ours) return `the payload's shop id is not ${row.shopDomain}'s`;
  return undefined;
}

/**
 * Ask Shopify whether the app is still installed on this connection's store: only a refused token
 * proves an uninstall. `installed` when a call with the connection's token succeeds; `uninstalled`
 * when Shopify refuses it (or refuses to renew it); `unknown` when there is no token to ask with or
 * the store is otherwise unavailable. A Shopify outage throws, and the job is retried.
 */
export async function confirmUninstalled(
  ctx: ShopifyContext,
  orgId: string,
  row: ConnectionRow,
): Promise<'installed' | 'uninstalled' | 'unknown'> {
  let token: string | undefined;
  try {
    token = await ensureFreshAccessToken(ctx, orgId, row.id);
  } catch (err) {
    if (err instanceof AppError && err.code === 'conflict') return 'uninstalled'; // the refresh token was refused
    throw err;
  }
  if (!token) return 'unknown';
  try {
    await ctx.client.graphql(row.shopDomain, token, SHOP_IDENTITY, {}, 1);
    return 'installed';
  } catch (err) {
    if (err instanceof ShopifyError && err.kind === 'unauthorized') return 'uninstalled';
    if (err instanceof ShopifyError && (err.kind === 'unavailable' || err.kind === 'access_denied')) return 'unknown';
    throw err;
  }
}

/** How long processed events are kept (for support and the sync's audit trail). */
export const WEBHOOK_EVENT_RETENTION_DAYS = 30;

/**
 * Apply one recorded event. Idempotent: an event already handled (or gone with its connection
 * after shop/redact) is skipped, and each effect is the same when applied twice. Shopify is called
 * between two transactions, never inside one.
 */
export async function processWebhookEvent(
  ctx: ShopifyContext,
  orgId: string,
  eventId: string,
): Promise<ProcessOutcome> {
  const first = await withTenant(ctx.db, orgId, async (tx) => {
    const [event] = await tx
      .select()
      .from(webhookEvents)
      .where(and(eq(webhookEvents.orgId, orgId), eq(webhookEvents.id, eventId)));
    if (event?.status !== 'received') return undefined;
    return { event, connection: await findConnection(tx, orgId, event.connectionId) };
  });
  if (!first?.connection) return 'skipped';
  const { event, connection } = first;

  let confirmed: 'installed' | 'uninstalled' | 'unknown' | undefined;
  let ignored: string | undefined;
  if (DESTRUCTIVE_TOPICS.includes(event.topic)) {
    ignored = staleness(event, connection) ?? payloadShopMismatch(event.topic, event.payload, connection);
    if (!ignored && connection.state !== 'uninstalled') {
      confirmed = await confirmUninstalled(ctx, orgId, connection);
      if (confirmed === 'installed')
        ignored = `Shopify still accepts ${connection.shopDomain}'s token: the app is installed`;
      if (confirmed === 'unknown')
        ignored = `the uninstall of ${connection.shopDomain} could not be confirmed with Shopify`;
    }
  }

  const outcome = await withTenant(ctx.db, orgId, async (tx) => {
    const [locked] = await tx
      .select()
      .from(webhookEvents)
      .where(and(eq(webhookEvents.orgId, orgId), eq(webhookEvents.id, eventId)))
      .for('update');
    if (locked?.status !== 'received') return 'skipped' as const;
    const finish = async (status: 'processed' | 'stored' | 'ignored' | 'failed', error: string | null = null) => {
      await tx
        .update(webhookEvents)
        .set({ status, error, processedAt: sql`now()` })
        .where(and(eq(webhookEvents.orgId, orgId), eq(webhookEvents.id, eventId)));
      return status;
    };
    const current = await findConnection(tx, orgId, event.connectionId);
    if (!current) return 'skipped' as const;

    if (DESTRUCTIVE_TOPICS.includes(event.topic)) {
      // The store may have been connected again while we asked Shopify.
      const why = ignored ?? staleness(locked, current);
      if (why) return finish('ignored', `Ignored: ${why}.`.slice(0, 1000));
      if (event.topic === 'app/uninstalled') {
        // Shopify revoked our tokens; the API secret stays so shop/redact can still be verified.
        if (current.state !== 'uninstalled') {
          await clearCredentials(tx, { orgId, id: current.id, state: 'uninstalled' });
        }
        return finish('processed');
      }
      // shop/redact: everything of that shop in this tenant goes; its events (this one too) cascade.
      await deleteConnection(tx, { orgId, id: current.id });
      return 'redacted' as const;
    }
    if (event.topic === 'customers/data_request' || event.topic === 'customers/redact') {
      return finish('processed'); // we hold no customer data
    }
    if ((CATALOG_TOPICS as readonly string[]).includes(event.topic)) return finish('stored');
    return finish('failed', `No handler for the topic ${event.topic}.`);
  });
  if (outcome !== 'redacted' && outcome !== 'skipped') await dropExpiredEvents(ctx, orgId, event.connectionId);
  return outcome;
}

/**
 * Shopify retries for hours, with the original payload: an uninstall or redact we received before
 * the store was connected again must not undo the new connection. Judged by our own receipt time;
 * X-Shopify-Triggered-At is an unsigned header.
 */
function staleness(event: { receivedAt: Date }, connection: ConnectionRow): string | undefined {
  if (connection.connectedAt && event.receivedAt < connection.connectedAt) {
    return `stale, received ${event.receivedAt.toISOString()}, before the store was connected again`;
  }
  return undefined;
}

/** Retention, found where the work is: the handled events of this connection past their time, a bounded batch. */
async function dropExpiredEvents(ctx: ShopifyContext, orgId: string, connectionId: string) {
  await withTenant(ctx.db, orgId, (tx) =>
    tx.execute(sql`
      delete from webhook_events where (org_id, id) in (
        select org_id, id from webhook_events
        where org_id = ${orgId} and connection_id = ${connectionId} and status <> 'received'
          and received_at < now() - make_interval(days => ${WEBHOOK_EVENT_RETENTION_DAYS})
        limit 500)`),
  );
}

/** Record why processing failed; on the last attempt the event is marked failed for good. */
export async function recordProcessingError(
  ctx: ShopifyContext,
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
      .where(
        and(eq(webhookEvents.orgId, orgId), eq(webhookEvents.id, eventId), inArray(webhookEvents.status, ['received'])),
      ),
  );
}
