import { and, eq, inArray, isNotNull, lt, sql } from 'drizzle-orm';
import type { Transaction } from '../../db/client.ts';
import { withScope, withTenant } from '../../db/tenant.ts';
import { AppError } from '../../http/errors.ts';
import { ShopifyError } from './client.ts';
import { type ConnectionRow, findConnection } from './connections.queries.ts';
import type { ShopifyContext } from './connections.service.ts';
import { hint, open, seal } from './crypto.ts';
import { shopifyConnections, shopifyShopIndex } from './schema.ts';

/**
 * Expiring offline tokens (SHOPIFY.md §7): an OAuth connection's access token lives about an hour and
 * is renewed with its refresh token, which rotates on every use. Anything that calls Shopify for a
 * connection asks `ensureFreshAccessToken` first; the worker calls `refreshExpiringTokens` on a
 * schedule so idle stores stay renewable.
 */

/** Renew when the access token has less than this left. */
export const REFRESH_MARGIN_MS = 5 * 60 * 1000;

export interface TokenGrant {
  access_token: string;
  scope?: string;
  expires_in?: number;
  refresh_token?: string;
  refresh_token_expires_in?: number;
}

/** The columns a token grant sets (sealed secrets, hints, expiry times). */
export function tokenColumns(ctx: ShopifyContext, grant: TokenGrant, now = Date.now()) {
  const keys = ctx.config.encryptionKeys;
  return {
    accessTokenEnc: seal(keys, grant.access_token),
    accessTokenHint: hint(grant.access_token),
    refreshTokenEnc: grant.refresh_token ? seal(keys, grant.refresh_token) : null,
    tokenExpiresAt: grant.expires_in ? new Date(now + grant.expires_in * 1000) : null,
    refreshTokenExpiresAt: grant.refresh_token_expires_in
      ? new Date(now + grant.refresh_token_expires_in * 1000)
      : null,
  };
}

const needsRefresh = (row: ConnectionRow, marginMs: number, now: number) =>
  row.authMethod === 'oauth' &&
  row.refreshTokenEnc !== null &&
  row.tokenExpiresAt !== null &&
  row.tokenExpiresAt.getTime() - now < marginMs;

const where = (orgId: string, id: string) => and(eq(shopifyConnections.orgId, orgId), eq(shopifyConnections.id, id));

function refusal(row: ConnectionRow, err: unknown): AppError {
  if (err instanceof ShopifyError && err.kind === 'unreachable') {
    return new AppError(
      'upstream',
      `Shopify could not be reached to renew the access token of ${row.shopDomain}. Try again in a minute.`,
    );
  }
  return new AppError(
    'conflict',
    `Shopify refused to renew the access token of ${row.shopDomain}. Install the app again from the Shopify settings.`,
  );
}

/**
 * Under a per-connection advisory lock, re-read the row (another process may have renewed it while
 * we waited) and renew it when it still needs it. The lock lives in this transaction, so it is held
 * across the token call: that is the point (a rotating refresh token must be spent once), and this
 * transaction touches only this one row.
 */
async function refreshLocked(
  ctx: ShopifyContext,
  orgId: string,
  connectionId: string,
  marginMs: number,
): Promise<{ token: string | undefined; refreshed: boolean }> {
  const outcome = await withTenant(ctx.db, orgId, async (tx: Transaction) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${connectionId}))`);
    const row = await findConnection(tx, orgId, connectionId);
    if (!row) throw new AppError('not_found', 'No store connection with that id in this organization.');
    const keys = ctx.config.encryptionKeys;
    if (!needsRefresh(row, marginMs, Date.now())) {
      return { token: row.accessTokenEnc ? open(keys, row.accessTokenEnc) : undefined, refreshed: false };
    }
    const { apiKey, apiSecret } = ctx.config.shopify;
    let grant: TokenGrant;
    try {
      if (!apiKey || !apiSecret) throw new Error('SHOPIFY_API_KEY and SHOPIFY_API_SECRET are not configured.');
      grant = await ctx.client.postJson<TokenGrant>(row.shopDomain, '/admin/oauth/access_token', {
        client_id: apiKey,
        client_secret: apiSecret,
        grant_type: 'refresh_token',
        refresh_token: open(keys, row.refreshTokenEnc!),
      });
      if (typeof grant?.access_token !== 'string' || !grant.access_token) throw new Error('No access token.');
    } catch (err) {
      const failure = refusal(row, err);
      await tx
        .update(shopifyConnections)
        .set({
          errorCount: sql`${shopifyConnections.errorCount} + 1`,
          lastError: failure.message,
          lastErrorAt: sql`now()`,
          state: sql`case when ${shopifyConnections.state} = 'connected' then 'error' else ${shopifyConnections.state} end`,
          updatedAt: sql`now()`,
        })
        .where(where(orgId, connectionId));
      return { failure };
    }
    const columns = tokenColumns(ctx, grant);
    await tx
      .update(shopifyConnections)
      .set({
        ...columns,
        // Shopify answers a refresh with the refresh token it rotated to; keep ours if it did not.
        refreshTokenEnc: columns.refreshTokenEnc ?? row.refreshTokenEnc,
        refreshTokenExpiresAt: columns.refreshTokenEnc ? columns.refreshTokenExpiresAt : row.refreshTokenExpiresAt,
        updatedAt: new Date(),
      })
      .where(where(orgId, connectionId));
    return { token: grant.access_token, refreshed: true };
  });
  if ('failure' in outcome) throw outcome.failure;
  return outcome;
}

/**
 * The access token to call Shopify with for this connection, renewed first when it is an OAuth
 * token with less than `marginMs` left. Undefined when the connection holds no token. A refused
 * renewal is recorded on the connection and thrown as an AppError.
 */
export async function ensureFreshAccessToken(
  ctx: ShopifyContext,
  orgId: string,
  connectionId: string,
  marginMs = REFRESH_MARGIN_MS,
): Promise<string | undefined> {
  return (await freshAccessToken(ctx, orgId, connectionId, marginMs)).token;
}

async function freshAccessToken(ctx: ShopifyContext, orgId: string, connectionId: string, marginMs: number) {
  const row = await withTenant(ctx.db, orgId, (tx) => findConnection(tx, orgId, connectionId));
  if (!row) throw new AppError('not_found', 'No store connection with that id in this organization.');
  // The common case costs one read and no lock.
  if (!needsRefresh(row, marginMs, Date.now())) {
    return {
      token: row.accessTokenEnc ? open(ctx.config.encryptionKeys, row.accessTokenEnc) : undefined,
      refreshed: false,
    };
  }
  return refreshLocked(ctx, orgId, connectionId, marginMs);
}

/** How far ahead the scheduled job renews: wider than its interval, so no token lapses between runs. */
export const SCHEDULED_REFRESH_WINDOW_MS = 15 * 60 * 1000;

/**
 * For the worker (every 5 minutes or so): renew every OAuth token that expires within `windowMs`,
 * tenant by tenant. Failures are recorded on their connections and counted; one store's failure
 * does not stop the others.
 */
export async function refreshExpiringTokens(
  ctx: ShopifyContext,
  windowMs = SCHEDULED_REFRESH_WINDOW_MS,
): Promise<{ checked: number; refreshed: number; failed: number }> {
  const orgs = await withScope(ctx.db, {}, (tx) =>
    tx.selectDistinct({ orgId: shopifyShopIndex.orgId }).from(shopifyShopIndex),
  );
  const result = { checked: 0, refreshed: 0, failed: 0 };
  const horizon = new Date(Date.now() + windowMs);
  for (const { orgId } of orgs) {
    const due = await withTenant(ctx.db, orgId, (tx) =>
      tx
        .select({ id: shopifyConnections.id })
        .from(shopifyConnections)
        .where(
          and(
            eq(shopifyConnections.orgId, orgId),
            eq(shopifyConnections.authMethod, 'oauth'),
            inArray(shopifyConnections.state, ['connected', 'error']),
            isNotNull(shopifyConnections.refreshTokenEnc),
            lt(shopifyConnections.tokenExpiresAt, horizon),
          ),
        ),
    );
    for (const { id } of due) {
      result.checked++;
      try {
        if ((await freshAccessToken(ctx, orgId, id, windowMs)).refreshed) result.refreshed++;
      } catch {
        // Recorded on the connection when Shopify refused; anything else is retried next run.
        result.failed++;
      }
    }
  }
  return result;
}
