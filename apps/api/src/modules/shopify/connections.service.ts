import { missingScopes, normalizeShopDomain } from '@invpro/contract';
import { newId } from '../../db/ids.ts';
import { withTenant } from '../../db/tenant.ts';
import { AppError } from '../../http/errors.ts';
import { assertCanManageTeam, assertMember } from '../accounts/team.service.ts';
import { membershipOf } from '../accounts/users.queries.ts';
import { startSyncOnConnect } from '../catalog/sync.service.ts';
import { ShopifyError } from './client.ts';
import {
  type ConnectionRow,
  type ConnectionView,
  clearCredentials,
  connectionView,
  deleteConnection,
  findConnection,
  findConnectionByShop,
  listConnections,
  recordConnectionFailure,
  recordConnectionTested,
  upsertTestedConnection,
} from './connections.queries.ts';
import type { ShopifyContext } from './context.ts';
import { hint, open, seal } from './crypto.ts';
import { CONNECTION_TEST, type ConnectionTestResult } from './operations.ts';
import type { shopifyConnections } from './schema.ts';
import { ensureFreshAccessToken, scheduleTokenRenewal } from './token-refresh.ts';
import { registerWebhooks, unregisterWebhooks } from './webhook-subscriptions.ts';

interface Actor {
  userId: string;
  orgId: string;
}

interface Credentials {
  accessToken: string;
  tokenExpiresAt: Date | null;
  method: 'access_token' | 'client_credentials';
}

/** A failed test as a person-readable sentence and the HTTP answer it deserves. */
export function describeFailure(err: unknown, shop: string): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof ShopifyError) {
    switch (err.kind) {
      case 'unauthorized':
        return new AppError(
          'validation',
          `Shopify rejected these credentials for ${shop}. Check the Admin API access token (it starts with "shpat_") or the API key and secret.`,
          {
            errors: { access_token: ['Shopify rejected this token.'] },
          },
        );
      case 'access_denied':
        return new AppError('validation', `The app installed on ${shop} lacks permissions: ${err.message}`);
      case 'unavailable':
        return new AppError('validation', `${err.message} Check the store in Shopify admin.`);
      default:
        return new AppError(
          'upstream',
          `Shopify could not be reached to test ${shop}: ${err.message} Try again in a minute.`,
        );
    }
  }
  return new AppError('upstream', `Testing ${shop} failed unexpectedly. Try again in a minute.`);
}

async function obtainToken(
  ctx: ShopifyContext,
  shop: string,
  input: { api_key: string; api_secret: string; access_token?: string | undefined },
): Promise<Credentials> {
  if (input.access_token) return { accessToken: input.access_token, tokenExpiresAt: null, method: 'access_token' };
  // Dev Dashboard apps on the merchant's own store: the client-credentials grant (docs/shopify.md §7).
  const grant = await ctx.client.postJson<{ access_token: string; expires_in?: number }>(
    shop,
    '/admin/oauth/access_token',
    {
      client_id: input.api_key,
      client_secret: input.api_secret,
      grant_type: 'client_credentials',
    },
  );
  return {
    accessToken: grant.access_token,
    tokenExpiresAt: grant.expires_in ? new Date(Date.now() + grant.expires_in * 1000) : null,
    method: 'client_credentials',
  };
}

export async function testConnection(
  ctx: ShopifyContext,
  shop: string,
  accessToken: string,
): Promise<ConnectionTestResult> {
  const result = await ctx.client.graphql<ConnectionTestResult>(shop, accessToken, CONNECTION_TEST, {}, 5);
  if (result.shop.myshopifyDomain.toLowerCase() !== shop) {
    throw new AppError('validation', `This token belongs to ${result.shop.myshopifyDomain}, not ${shop}.`, {
      errors: { access_token: [`This token belongs to ${result.shop.myshopifyDomain}.`] },
    });
  }
  const missing = missingScopes(result.currentAppInstallation.accessScopes.map((s) => s.handle));
  if (missing.length > 0) {
    throw new AppError(
      'validation',
      `The app on ${shop} is missing the scopes ${missing.join(', ')}. Grant them in the app's configuration, reinstall it, and connect again.`,
      {
        errors: { access_token: [`Missing scopes: ${missing.join(', ')}.`] },
      },
    );
  }
  return result;
}

async function recordFailure(ctx: ShopifyContext, orgId: string, connectionId: string, failure: AppError) {
  await withTenant(ctx.db, orgId, (tx) =>
    recordConnectionFailure(tx, { orgId, id: connectionId, message: failure.message, checked: true }),
  );
}

export async function assertManager(ctx: ShopifyContext, actor: Actor) {
  await withTenant(ctx.db, actor.orgId, (tx) => assertCanManageTeam(tx, actor), actor.userId).catch((err) => {
    if (err instanceof AppError && err.code === 'forbidden')
      throw new AppError('forbidden', 'Only owners and admins can manage store connections.');
    throw err;
  });
}

export async function connectStore(
  ctx: ShopifyContext,
  actor: Actor,
  input: { store_url: string; api_key: string; api_secret?: string | undefined; access_token?: string | undefined },
): Promise<ConnectionView> {
  await assertManager(ctx, actor);
  const normalized = normalizeShopDomain(input.store_url);
  if (!normalized.valid)
    throw new AppError('validation', normalized.reason, { errors: { store_url: [normalized.reason] } });
  const shop = normalized.domain;
  const existing = await withTenant(ctx.db, actor.orgId, (tx) => findConnectionByShop(tx, actor.orgId, shop));
  // Reconnecting a listed store may keep its stored secret (an uninstall keeps it; a disconnect does not).
  const storedSecret = existing?.apiSecretEnc ? open(ctx.config.encryptionKeys, existing.apiSecretEnc) : undefined;
  const apiSecret = input.api_secret ?? storedSecret;
  if (!input.api_secret && storedSecret && existing?.apiKey !== input.api_key) {
    // The stored secret belongs to the stored key: a new app's key needs that app's secret.
    const detail = `This API key is not the one stored for ${shop}: enter its API secret too.`;
    throw new AppError('validation', detail, { errors: { api_secret: [detail] } });
  }
  if (!apiSecret) {
    const detail = existing
      ? `No API secret is stored for ${shop} any more. Enter the API secret.`
      : 'Enter the API secret.';
    throw new AppError('validation', detail, { errors: { api_secret: [detail] } });
  }

  // Shopify is called outside any database transaction.
  let credentials: Credentials;
  let result: ConnectionTestResult;
  try {
    credentials = await obtainToken(ctx, shop, { ...input, api_secret: apiSecret });
    result = await testConnection(ctx, shop, credentials.accessToken);
  } catch (err) {
    const failure = describeFailure(err, shop);
    // The stored credentials stay as they were; the failed attempt is counted.
    if (existing) await recordFailure(ctx, actor.orgId, existing.id, failure);
    throw failure;
  }

  const id = await saveTestedConnection(
    ctx,
    actor,
    shop,
    {
      authMethod: credentials.method,
      apiKey: input.api_key,
      apiSecretEnc: seal(ctx.config.encryptionKeys, apiSecret),
      apiSecretHint: hint(apiSecret),
      accessTokenEnc: seal(ctx.config.encryptionKeys, credentials.accessToken),
      accessTokenHint: hint(credentials.accessToken),
      refreshTokenEnc: null,
      tokenExpiresAt: credentials.tokenExpiresAt,
    },
    result,
    credentials.accessToken,
  );
  return connectionView((await withTenant(ctx.db, actor.orgId, (tx) => findConnection(tx, actor.orgId, id)))!);
}

type CredentialColumns = Pick<
  typeof shopifyConnections.$inferInsert,
  | 'authMethod'
  | 'apiKey'
  | 'apiSecretEnc'
  | 'apiSecretHint'
  | 'accessTokenEnc'
  | 'accessTokenHint'
  | 'refreshTokenEnc'
  | 'tokenExpiresAt'
  | 'refreshTokenExpiresAt'
> & { authMethod: (typeof shopifyConnections.$inferInsert)['authMethod'] };

/**
 * Save a connection whose credentials just passed the connection test (insert, or update the
 * organization's connection to the same shop), route its webhooks to it, and register them.
 * Shared by the credentials form and the OAuth callback. Returns the connection id.
 */
export async function saveTestedConnection(
  ctx: ShopifyContext,
  actor: Actor,
  shop: string,
  credentials: CredentialColumns,
  result: ConnectionTestResult,
  accessToken: string,
): Promise<string> {
  const values = {
    ...credentials,
    state: 'connected' as const,
    shopName: result.shop.name,
    shopGid: result.shop.id,
    planName: result.shop.plan.publicDisplayName,
    currency: result.shop.currencyCode,
    timezone: result.shop.ianaTimezone,
    scopes: result.currentAppInstallation.accessScopes.map((s) => s.handle).sort(),
    lastCheckedAt: new Date(),
    connectedAt: new Date(),
    lastError: null,
    lastErrorAt: null,
    updatedAt: new Date(),
  };
  const existing = await withTenant(ctx.db, actor.orgId, (tx) => findConnectionByShop(tx, actor.orgId, shop));
  const id = existing?.id ?? newId();
  await withTenant(ctx.db, actor.orgId, async (tx) => {
    await upsertTestedConnection(tx, { orgId: actor.orgId, id, shopDomain: shop, connectedBy: actor.userId, values });
    await scheduleTokenRenewal(ctx, tx, { orgId: actor.orgId, id, tokenExpiresAt: credentials.tokenExpiresAt ?? null });
    // A sync starts now (the copy a reconnected store kept is brought up to date); each scheduled
    // sync queues the next.
    await startSyncOnConnect(ctx, tx, {
      orgId: actor.orgId,
      connectionId: id,
      userId: actor.userId,
      reconcile: existing?.state !== 'connected',
    });
  });
  await registerWebhooks(ctx, actor.orgId, id, shop, accessToken);
  return id;
}

export function accessTokenOf(ctx: ShopifyContext, row: ConnectionRow): string | undefined {
  return row.accessTokenEnc ? open(ctx.config.encryptionKeys, row.accessTokenEnc) : undefined;
}

/** Re-run the connection test with the stored credentials and record the outcome. */
export async function retestConnection(
  ctx: ShopifyContext,
  actor: Actor,
  connectionId: string,
): Promise<ConnectionView> {
  await assertManager(ctx, actor);
  const row = await withTenant(ctx.db, actor.orgId, (tx) => findConnection(tx, actor.orgId, connectionId));
  if (!row) throw new AppError('not_found', 'No store connection with that id in this organization.');
  let token: string | undefined;
  try {
    // OAuth tokens expire: renewed first when close (a refused renewal is recorded on the row).
    token = await ensureFreshAccessToken(ctx, actor.orgId, row.id);
  } catch (err) {
    if (!(err instanceof AppError) || err.code === 'not_found') throw err;
    return connectionView((await withTenant(ctx.db, actor.orgId, (tx) => findConnection(tx, actor.orgId, row.id)))!);
  }
  if (!token)
    throw new AppError('conflict', `${row.shopDomain} has no stored credentials (${row.state}). Connect it again.`);
  try {
    const result = await testConnection(ctx, row.shopDomain, token);
    await withTenant(ctx.db, actor.orgId, (tx) =>
      recordConnectionTested(tx, {
        orgId: actor.orgId,
        id: row.id,
        shopName: result.shop.name,
        planName: result.shop.plan.publicDisplayName,
        currency: result.shop.currencyCode,
        scopes: result.currentAppInstallation.accessScopes.map((s) => s.handle).sort(),
      }),
    );
  } catch (err) {
    const failure = describeFailure(err, row.shopDomain);
    await recordFailure(ctx, actor.orgId, row.id, failure);
  }
  return connectionView((await withTenant(ctx.db, actor.orgId, (tx) => findConnection(tx, actor.orgId, row.id)))!);
}

/**
 * Disconnect: remove our webhook subscriptions (best effort) and the credentials. The merchant
 * chooses whether what was synced from the store stays (`keep`) or goes with the connection.
 */
export async function disconnectStore(
  ctx: ShopifyContext,
  actor: Actor,
  connectionId: string,
  deleteData: boolean,
): Promise<ConnectionView | null> {
  await assertManager(ctx, actor);
  const row = await withTenant(ctx.db, actor.orgId, (tx) => findConnection(tx, actor.orgId, connectionId));
  if (!row) throw new AppError('not_found', 'No store connection with that id in this organization.');
  const token = await ensureFreshAccessToken(ctx, actor.orgId, row.id).catch(() => accessTokenOf(ctx, row));
  if (token) await unregisterWebhooks(ctx, row, token).catch(() => {});
  await withTenant(ctx.db, actor.orgId, (tx) =>
    deleteData
      ? deleteConnection(tx, { orgId: actor.orgId, id: row.id })
      : clearCredentials(tx, { orgId: actor.orgId, id: row.id, state: 'disconnected' }),
  );
  if (deleteData) return null;
  return connectionView((await withTenant(ctx.db, actor.orgId, (tx) => findConnection(tx, actor.orgId, row.id)))!);
}

export async function storeStatus(ctx: ShopifyContext, actor: Actor) {
  const rows = await withTenant(
    ctx.db,
    actor.orgId,
    async (tx) => {
      if (!(await membershipOf(tx, actor.orgId, actor.userId))) {
        throw new AppError('unauthorized', 'You are no longer a member of this organization. Log in again.');
      }
      return listConnections(tx, actor.orgId);
    },
    actor.userId,
  );
  const stores = rows.map(connectionView);
  const first = stores[0];
  // The single-store summary older clients read, plus every store.
  return {
    connected: first?.state === 'connected',
    store_url: first?.store_url ?? null,
    shop_name: first?.shop_name ?? null,
    state: first?.state ?? ('not_connected' as const),
    last_error: first?.last_error ?? null,
    oauth_available: Boolean(ctx.config.shopify.apiKey && ctx.config.shopify.apiSecret),
    stores,
  };
}

export async function getConnection(ctx: ShopifyContext, actor: Actor, connectionId: string): Promise<ConnectionView> {
  const row = await withTenant(
    ctx.db,
    actor.orgId,
    async (tx) => {
      // The token's membership may be stale (removed since it was issued): ask the database.
      await assertMember(tx, actor);
      return findConnection(tx, actor.orgId, connectionId);
    },
    actor.userId,
  );
  if (!row) throw new AppError('not_found', 'No store connection with that id in this organization.');
  return connectionView(row);
}
