import { sql } from 'drizzle-orm';
import type { Queryable, Transaction } from '../../db/client.ts';
import { withTenant } from '../../db/tenant.ts';
import { AppError } from '../../http/errors.ts';
import { QUEUES, sendInTransaction } from '../../jobs/boss.ts';
import { ShopifyError } from './client.ts';
import { type ConnectionRow, findConnection, recordConnectionFailure, saveTokens } from './connections.queries.ts';
import type { ShopifyContext } from './context.ts';
import { hint, open, seal } from './crypto.ts';

/**
 * Expiring offline tokens (docs/shopify.md §7): an OAuth connection's access token lives about an hour and
 * is renewed with its refresh token, which rotates on every use. Anything that calls Shopify for a
 * connection asks `ensureFreshAccessToken` first, and every saved token schedules a job for its own
 * connection (`scheduleTokenRenewal`), so idle stores stay renewable without any loop over tenants.
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
      await recordConnectionFailure(tx, { orgId, id: connectionId, message: failure.message });
      return { failure };
    }
    const columns = tokenColumns(ctx, grant);
    const tokens = {
      ...columns,
      // Shopify answers a refresh with the refresh token it rotated to; keep ours if it did not.
      refreshTokenEnc: columns.refreshTokenEnc ?? row.refreshTokenEnc,
      refreshTokenExpiresAt: columns.refreshTokenEnc ? columns.refreshTokenExpiresAt : row.refreshTokenExpiresAt,
    };
    await saveTokens(tx, { orgId, id: connectionId, tokens });
    await scheduleTokenRenewal(ctx, tx, { orgId, id: connectionId, tokenExpiresAt: tokens.tokenExpiresAt });
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

/** How far ahead of expiry the scheduled renewal runs: a token is renewed while it still works. */
export const SCHEDULED_REFRESH_WINDOW_MS = 15 * 60 * 1000;

export interface TokenRenewalJob {
  org_id: string;
  connection_id: string;
}

/**
 * Schedule this connection's next renewal, in the transaction that saved its token, as a job that
 * names its tenant: found by pg-boss, not by a loop over every organization. One queued job per
 * connection (the queue's `short` policy and the connection id as singleton key); a job that runs
 * early finds nothing due and schedules the next.
 */
export async function scheduleTokenRenewal(
  ctx: ShopifyContext,
  tx: Queryable,
  p: { orgId: string; id: string; tokenExpiresAt: Date | null },
): Promise<void> {
  if (!ctx.jobs || !p.tokenExpiresAt) return;
  const data: TokenRenewalJob = { org_id: p.orgId, connection_id: p.id };
  const startAfter = new Date(Math.max(Date.now(), p.tokenExpiresAt.getTime() - SCHEDULED_REFRESH_WINDOW_MS));
  await sendInTransaction(tx as Transaction, ctx.jobs, QUEUES.shopifyTokenRenewal.name, data, {
    singletonKey: p.id,
    startAfter,
  });
}

/**
 * The renewal job of one connection: renew when it expires within the window. A connection that is
 * gone or holds no renewable token is done with (the job is not rescheduled). A refusal is recorded
 * on the connection by the renewal itself; a Shopify outage throws, and pg-boss retries.
 */
export async function renewConnectionToken(
  ctx: ShopifyContext,
  job: TokenRenewalJob,
  windowMs = SCHEDULED_REFRESH_WINDOW_MS,
): Promise<'refreshed' | 'not_due' | 'gone'> {
  const row = await withTenant(ctx.db, job.org_id, (tx) => findConnection(tx, job.org_id, job.connection_id));
  if (row?.authMethod !== 'oauth' || !row.refreshTokenEnc || !row.tokenExpiresAt) return 'gone';
  if (!['connected', 'error'].includes(row.state)) return 'gone';
  const outcome = await freshAccessToken(ctx, job.org_id, job.connection_id, windowMs);
  if (outcome.refreshed) return 'refreshed';
  // Not due yet (a job that ran early, or one renewed on use meanwhile): the next one is queued by
  // whichever renewal saved the current token; make sure of it.
  await withTenant(ctx.db, job.org_id, (tx) =>
    scheduleTokenRenewal(ctx, tx, { orgId: job.org_id, id: job.connection_id, tokenExpiresAt: row.tokenExpiresAt }),
  );
  return 'not_due';
}
