import { WEBHOOK_PATH } from '@invpro/contract';
import { withTenant } from '../../db/tenant.ts';
import { type ConnectionRow, saveWebhookRegistration } from './connections.queries.ts';
import type { ShopifyContext } from './context.ts';
import {
  WEBHOOK_SUBSCRIPTION_CREATE,
  WEBHOOK_SUBSCRIPTION_DELETE,
  WEBHOOK_SUBSCRIPTIONS,
  WEBHOOK_TOPICS,
} from './operations.ts';

export const webhookUri = (base: string) => `${base}${WEBHOOK_PATH}`;

interface Subscription {
  id: string;
  topic: string;
  uri: string;
}

async function listSubscriptions(ctx: ShopifyContext, shop: string, token: string): Promise<Subscription[]> {
  const all: Subscription[] = [];
  let after: string | null = null;
  do {
    const page: {
      webhookSubscriptions: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: Subscription[] };
    } = await ctx.client.graphql(shop, token, WEBHOOK_SUBSCRIPTIONS, { after }, 52);
    all.push(...page.webhookSubscriptions.nodes);
    after = page.webhookSubscriptions.pageInfo.hasNextPage ? page.webhookSubscriptions.pageInfo.endCursor : null;
  } while (after);
  return all;
}

/**
 * Make sure every topic we need is subscribed at our URI (re-listing first, since Shopify removes
 * subscriptions after repeated failures), and record the outcome on the connection.
 */
export async function registerWebhooks(
  ctx: ShopifyContext,
  orgId: string,
  connectionId: string,
  shop: string,
  token: string,
) {
  const base = ctx.config.shopify.webhookBaseUrl;
  const save = (values: Omit<Parameters<typeof saveWebhookRegistration>[1], 'orgId' | 'id'>) =>
    withTenant(ctx.db, orgId, (tx) => saveWebhookRegistration(tx, { orgId, id: connectionId, ...values }));
  if (!base) {
    await save({
      state: 'not_configured',
      error: 'SHOPIFY_WEBHOOK_BASE_URL is not set, so no webhooks were registered.',
    });
    return;
  }
  const uri = webhookUri(base);
  const registered: { topic: string; id: string }[] = [];
  const errors: string[] = [];
  try {
    const existing = (await listSubscriptions(ctx, shop, token)).filter((s) => s.uri === uri);
    for (const topic of WEBHOOK_TOPICS) {
      const found = existing.find((s) => s.topic === topic);
      if (found) {
        registered.push({ topic, id: found.id });
        continue;
      }
      const res: {
        webhookSubscriptionCreate: { webhookSubscription: { id: string } | null; userErrors: { message: string }[] };
      } = await ctx.client.graphql(shop, token, WEBHOOK_SUBSCRIPTION_CREATE, { topic, uri }, 13);
      const created = res.webhookSubscriptionCreate;
      if (created.webhookSubscription) registered.push({ topic, id: created.webhookSubscription.id });
      else errors.push(`${topic}: ${created.userErrors.map((e) => e.message).join('; ')}`);
    }
  } catch (err) {
    errors.push((err as Error).message);
  }
  await save({
    state: errors.length === 0 ? 'registered' : registered.length > 0 ? 'partial' : 'failed',
    error: errors.length ? errors.join(' | ') : null,
    subscriptions: registered,
  });
}

export async function unregisterWebhooks(ctx: ShopifyContext, row: ConnectionRow, token: string) {
  for (const sub of row.webhookSubscriptions) {
    await ctx.client.graphql(row.shopDomain, token, WEBHOOK_SUBSCRIPTION_DELETE, { id: sub.id }, 11);
  }
}
