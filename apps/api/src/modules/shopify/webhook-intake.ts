import { eq } from 'drizzle-orm';
import type { Transaction } from '../../db/client.ts';
import { withScope, withTenant } from '../../db/tenant.ts';
import { QUEUES, sendInTransaction } from '../../jobs/boss.ts';
import { findConnection } from './connections.queries.ts';
import type { ShopifyContext } from './context.ts';
import { open } from './crypto.ts';
import { shopifyShopIndex, webhookEvents } from './schema.ts';

// Webhook intake at Shopify's pace (bench `webhooks`). A big store's bulk edit arrives as
// thousands of deliveries a minute from one shop, and recording each in its own transaction (look
// the shop up, read its connection, insert, queue, commit: ten round trips and a pg-boss insert per
// delivery) made PostgreSQL the bottleneck at a few hundred a second. So:
// - the secrets of a shop's connections are kept for two seconds (one read for a burst); a
//   delivery that none of them verifies is checked again against a fresh read, so a changed secret
//   is never refused, and a connection deleted meanwhile is noticed by its foreign key;
// - deliveries verified at the same time are recorded together: one transaction per organization
//   inserts them all and queues each connection's catalog batch once (group commit). Each request
//   is answered once its row is committed; a batch that fails is retried row by row, so one bad
//   payload fails alone.

export interface WebhookCandidate {
  orgId: string;
  connectionId: string;
  /** The secret that signs this connection's webhooks; undefined when it cannot be opened. */
  secret: string | undefined;
}

/**
 * Hints for the catalog: queued as one batch job per connection (`catalog.webhooks`), which
 * applies them to what the copy holds and reads the rest back from Shopify.
 */
export const CATALOG_TOPICS = [
  'products/create',
  'products/update',
  'products/delete',
  'inventory_levels/update',
  'bulk_operations/finish',
] as const;

export interface WebhookJobData {
  org_id: string;
  event_id: string;
}

/** The job queue refused the event: nothing was recorded, and Shopify will deliver it again. */
export class QueueUnavailable extends Error {}

export type EventRow = typeof webhookEvents.$inferInsert & { id: string; orgId: string };

interface Waiting {
  row: EventRow;
  resolve: (outcome: 'created' | 'duplicate') => void;
  reject: (err: unknown) => void;
}

const SECRETS_TTL_MS = 2_000;
/**
 * Batches recorded at once; more wait and go together in the next one. Two: batches of one store
 * wait on its job's singleton key anyway, and more in flight only makes them smaller (bench
 * `webhooks`: 1 → 1,425, 2 → 1,661, 3 → 1,425, 4 → 1,241 deliveries/s).
 */
const MAX_IN_FLIGHT = 2;
const MAX_BATCH = 250;

function secretOf(ctx: ShopifyContext, row: { authMethod: string; apiSecretEnc: string | null }): string | undefined {
  if (row.authMethod === 'oauth') return ctx.config.shopify.apiSecret;
  if (!row.apiSecretEnc) return undefined;
  try {
    return open(ctx.config.encryptionKeys, row.apiSecretEnc);
  } catch {
    return undefined;
  }
}

export class WebhookIntake {
  private readonly secrets = new Map<string, { until: number; candidates: Promise<WebhookCandidate[]> }>();
  private readonly waiting: Waiting[] = [];
  private inFlight = 0;
  private readonly ctx: ShopifyContext;

  constructor(ctx: ShopifyContext) {
    this.ctx = ctx;
  }

  /**
   * The connections holding `shop` with their secrets: those read in the last two seconds, or a
   * fresh read (`fresh`, or nothing kept); `loaded` says which it was.
   */
  async candidates(shop: string, fresh = false): Promise<{ candidates: WebhookCandidate[]; loaded: boolean }> {
    const kept = this.secrets.get(shop);
    if (!fresh && kept && kept.until > Date.now()) return { candidates: await kept.candidates, loaded: false };
    const candidates = this.load(shop);
    this.secrets.set(shop, { until: Date.now() + SECRETS_TTL_MS, candidates });
    // A failed read is not kept (unless a newer one has replaced it meanwhile).
    candidates.catch(() => {
      if (this.secrets.get(shop)?.candidates === candidates) this.secrets.delete(shop);
    });
    if (this.secrets.size > 10_000) this.secrets.delete(this.secrets.keys().next().value!);
    return { candidates: await candidates, loaded: true };
  }

  forget(shop: string): void {
    this.secrets.delete(shop);
  }

  private async load(shop: string): Promise<WebhookCandidate[]> {
    const { db } = this.ctx;
    const held = await withScope(db, {}, (tx) =>
      tx
        .select({ orgId: shopifyShopIndex.orgId, connectionId: shopifyShopIndex.connectionId })
        .from(shopifyShopIndex)
        .where(eq(shopifyShopIndex.shopDomain, shop)),
    );
    const out: WebhookCandidate[] = [];
    for (const { orgId, connectionId } of held) {
      // Each connection is read inside its own tenant.
      const row = await withTenant(db, orgId, (tx) => findConnection(tx, orgId, connectionId));
      if (row && row.shopDomain === shop) out.push({ orgId, connectionId, secret: secretOf(this.ctx, row) });
    }
    return out;
  }

  /** Records one verified delivery, with its job, in the next batch: 'duplicate' for an event already held. */
  record(row: EventRow): Promise<'created' | 'duplicate'> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ row, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < MAX_IN_FLIGHT && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, MAX_BATCH);
      this.inFlight++;
      void this.flush(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async flush(batch: Waiting[]): Promise<void> {
    const byOrg = new Map<string, Waiting[]>();
    for (const w of batch) {
      const entries = byOrg.get(w.row.orgId);
      if (entries) entries.push(w);
      else byOrg.set(w.row.orgId, [w]);
    }
    for (const [orgId, entries] of byOrg) {
      try {
        const created = await withTenant(this.ctx.db, orgId, (tx) => this.insert(tx, orgId, entries));
        for (const w of entries) w.resolve(created.has(w.row.id) ? 'created' : 'duplicate');
      } catch (err) {
        if (entries.length === 1) entries[0]!.reject(err);
        // One row (a payload PostgreSQL refuses, a connection deleted meanwhile) fails alone.
        else for (const w of entries) await this.flush([w]);
      }
    }
  }

  private async insert(tx: Transaction, orgId: string, entries: Waiting[]): Promise<Set<string>> {
    const inserted = await tx
      .insert(webhookEvents)
      .values(entries.map((w) => w.row))
      .onConflictDoNothing({ target: [webhookEvents.orgId, webhookEvents.connectionId, webhookEvents.eventId] })
      .returning({ id: webhookEvents.id });
    const created = new Set(inserted.map((r) => r.id));
    if (this.ctx.jobs) {
      const catalogBatches = new Set<string>();
      for (const { row } of entries) {
        if (!created.has(row.id)) continue;
        if ((CATALOG_TOPICS as readonly string[]).includes(row.topic)) catalogBatches.add(row.connectionId);
        else await queueProcessing(tx, this.ctx, { org_id: orgId, event_id: row.id });
      }
      // Last, and without going back to the app role: concurrent batches of a connection wait on its
      // job's singleton key from here to the commit.
      for (const connectionId of catalogBatches) await queueCatalogBatch(tx, this.ctx, orgId, connectionId);
    }
    return created;
  }
}

const intakes = new WeakMap<ShopifyContext, WebhookIntake>();

/** The process's intake for this context (one per API process). */
export function intakeOf(ctx: ShopifyContext): WebhookIntake {
  let intake = intakes.get(ctx);
  if (!intake) {
    intake = new WebhookIntake(ctx);
    intakes.set(ctx, intake);
  }
  return intake;
}

async function queueProcessing(tx: Transaction, ctx: ShopifyContext, data: WebhookJobData) {
  try {
    // At most one queued job per event, so a retried delivery cannot pile up copies.
    await sendInTransaction(tx, ctx.jobs!, QUEUES.shopifyWebhook.name, data, {
      singletonKey: `${data.org_id}:${data.event_id}`,
    });
  } catch (err) {
    throw new QueueUnavailable(`The job queue refused the event: ${(err as Error).message}`);
  }
}

/**
 * The connection's catalog batch: one queued job per connection (the queue's `short` policy), due
 * a moment later so a burst of deliveries lands in one batch.
 */
async function queueCatalogBatch(tx: Transaction, ctx: ShopifyContext, orgId: string, connectionId: string) {
  try {
    await sendInTransaction(
      tx,
      ctx.jobs!,
      QUEUES.catalogWebhooks.name,
      { org_id: orgId, connection_id: connectionId },
      { singletonKey: connectionId, startAfter: 1, thenCommit: true },
    );
  } catch (err) {
    throw new QueueUnavailable(`The job queue refused the event: ${(err as Error).message}`);
  }
}
