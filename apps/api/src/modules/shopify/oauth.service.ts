import { createHmac, timingSafeEqual } from 'node:crypto';
import { missingScopes, normalizeShopDomain, REQUIRED_SCOPES } from '@invpro/contract';
import { and, eq, gt, isNull, lt, or, sql } from 'drizzle-orm';
import { isUuid } from '../../db/ids.ts';
import { withTenant } from '../../db/tenant.ts';
import { AppError } from '../../http/errors.ts';
import { assertCanManageTeam } from '../accounts/team.service.ts';
import { newOpaqueToken, sha256 } from '../accounts/tokens.ts';
import { assertManager, describeFailure, saveTestedConnection, testConnection } from './connections.service.ts';
import type { ShopifyContext } from './context.ts';
import { shopifyOauthStates } from './schema.ts';
import { type TokenGrant, tokenColumns } from './token-refresh.ts';

/**
 * OAuth install of our public app (docs/shopify.md §7). `startInstall` makes a single-use state
 * `<org id>.<nonce>` bound to the user, the organization, the shop and (by the route) a browser
 * cookie; only the nonce's SHA-256 is stored. `completeInstall` checks Shopify's redirect in the
 * documented order, spends the state inside its organization's tenant scope, exchanges the code for
 * an expiring offline token and saves the connection like a credentials connect does.
 * Expected failures are values (`{ok: false, reason}`), since the route answers them with a redirect.
 */

export const OAUTH_SCOPES = REQUIRED_SCOPES.join(',');
export const STATE_COOKIE = 'invpro_oauth_state';
export const STATE_COOKIE_PATH = '/api/shopify/oauth/';
export const STATE_TTL_SECONDS = 600;
/** Shopify's `timestamp` may differ from our clock by this much (as @shopify/shopify-api allows). */
export const TIMESTAMP_TOLERANCE_SECONDS = 90;

/** docs/shopify.md §7: the callback's `shop`, checked before anything else. */
const SHOP = /^[a-zA-Z0-9][a-zA-Z0-9-]*\.myshopify\.com$/;
const NONCE = /^[A-Za-z0-9_-]{20,100}$/;

export const callbackUrl = (ctx: ShopifyContext) => `${ctx.config.publicWebUrl}/api/shopify/oauth/callback/`;

function oauthCredentials(ctx: ShopifyContext): { apiKey: string; apiSecret: string } | undefined {
  const { apiKey, apiSecret } = ctx.config.shopify;
  return apiKey && apiSecret ? { apiKey, apiSecret } : undefined;
}

export async function startInstall(
  ctx: ShopifyContext,
  actor: { userId: string; orgId: string },
  input: { shop: string },
): Promise<{ authorizeUrl: string; state: string }> {
  const app = oauthCredentials(ctx);
  if (!app) {
    throw new AppError(
      'validation',
      'Install with Shopify is not configured on this server (SHOPIFY_API_KEY and SHOPIFY_API_SECRET are unset). Connect the store with its app credentials instead.',
    );
  }
  await assertManager(ctx, actor);
  const normalized = normalizeShopDomain(input.shop);
  if (!normalized.valid) throw new AppError('validation', normalized.reason, { errors: { shop: [normalized.reason] } });
  const shop = normalized.domain;
  const nonce = newOpaqueToken();
  await withTenant(
    ctx.db,
    actor.orgId,
    async (tx) => {
      // Housekeeping: spent and expired states of this organization are of no further use.
      await tx
        .delete(shopifyOauthStates)
        .where(
          and(
            eq(shopifyOauthStates.orgId, actor.orgId),
            or(lt(shopifyOauthStates.expiresAt, sql`now()`), sql`${shopifyOauthStates.usedAt} is not null`),
          ),
        );
      await tx.insert(shopifyOauthStates).values({
        orgId: actor.orgId,
        nonce: sha256(nonce),
        userId: actor.userId,
        shopDomain: shop,
        expiresAt: new Date(Date.now() + STATE_TTL_SECONDS * 1000),
      });
    },
    actor.userId,
  );
  const state = `${actor.orgId}.${nonce}`;
  const params = new URLSearchParams({
    client_id: app.apiKey,
    scope: OAUTH_SCOPES,
    redirect_uri: callbackUrl(ctx),
    state,
  });
  return { authorizeUrl: ctx.client.authorizeUrl(shop, params), state };
}

/**
 * Shopify's query signature: hex HMAC-SHA256 with the app secret over every other parameter
 * (without `hmac` and `signature`) sorted by key, encoded as URLSearchParams does but with spaces as
 * %20, compared in constant time.
 */
export function queryHmacValid(query: Map<string, string>, secret: string): boolean {
  const given = query.get('hmac') ?? '';
  if (!/^[0-9a-f]{64}$/i.test(given)) return false;
  const pairs = [...query.entries()]
    .filter(([k]) => k !== 'hmac' && k !== 'signature')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const message = new URLSearchParams(pairs).toString().replace(/\+/g, '%20');
  const expected = createHmac('sha256', secret).update(message).digest();
  return timingSafeEqual(expected, Buffer.from(given, 'hex'));
}

export function parseState(state: string): { orgId: string; nonce: string } | undefined {
  const [orgId, nonce, extra] = state.split('.');
  if (!orgId || !nonce || extra !== undefined || !isUuid(orgId) || !NONCE.test(nonce)) return undefined;
  return { orgId: orgId.toLowerCase(), nonce };
}

const sameText = (a: string, b: string) => {
  const x = Buffer.from(sha256(a));
  const y = Buffer.from(sha256(b));
  return timingSafeEqual(x, y);
};

export type CallbackResult =
  | { ok: true; shop: string; connectionId: string }
  /** `stateSpent`: the browser's state is used up, so its cookie can go. */
  | { ok: false; reason: string; stateSpent: boolean };

const fail = (reason: string, stateSpent = false): CallbackResult => ({ ok: false, reason, stateSpent });

/** The query of a redirect as single values; a repeated parameter makes the whole query invalid. */
export function singleValued(search: URLSearchParams): Map<string, string> | undefined {
  const out = new Map<string, string>();
  for (const [k, v] of search) {
    if (out.has(k)) return undefined;
    out.set(k, v);
  }
  return out;
}

export async function completeInstall(
  ctx: ShopifyContext,
  search: URLSearchParams,
  cookieState: string | undefined,
  now = Date.now(),
): Promise<CallbackResult> {
  const app = oauthCredentials(ctx);
  if (!app) return fail('Install with Shopify is not configured on this server.');
  const query = singleValued(search);
  if (!query) return fail('The answer from Shopify repeats a parameter.');
  const shopParam = query.get('shop') ?? '';
  if (shopParam.length > 255 || !SHOP.test(shopParam)) return fail('The answer from Shopify names no valid shop.');
  const shop = shopParam.toLowerCase();
  if (!queryHmacValid(query, app.apiSecret)) return fail('The answer did not come from Shopify (bad signature).');
  const timestamp = Number(query.get('timestamp'));
  if (
    !/^\d{1,12}$/.test(query.get('timestamp') ?? '') ||
    Math.abs(now / 1000 - timestamp) > TIMESTAMP_TOLERANCE_SECONDS
  )
    return fail('The answer from Shopify is too old or its clock is off. Start the install again.');
  const stateParam = query.get('state') ?? '';
  const state = parseState(stateParam);
  if (!state) return fail('The install link is invalid. Start the install again.');
  if (!cookieState || !sameText(cookieState, stateParam))
    return fail('This install was started in another browser or session. Start it again here.');
  const code = query.get('code') ?? '';
  if (!code || code.length > 512) return fail('Shopify sent no authorization code.');

  // Spend the state: single use, unexpired, for this shop, inside its organization's tenant scope.
  const spent = await withTenant(ctx.db, state.orgId, (tx) =>
    tx
      .update(shopifyOauthStates)
      .set({ usedAt: sql`now()` })
      .where(
        and(
          eq(shopifyOauthStates.orgId, state.orgId),
          eq(shopifyOauthStates.nonce, sha256(state.nonce)),
          eq(shopifyOauthStates.shopDomain, shop),
          isNull(shopifyOauthStates.usedAt),
          gt(shopifyOauthStates.expiresAt, sql`now()`),
        ),
      )
      .returning({ userId: shopifyOauthStates.userId }),
  );
  const userId = spent[0]?.userId;
  if (!userId) return fail('This install link has expired, was already used, or was for another store.');
  const actor = { orgId: state.orgId, userId };
  // Whoever started the install must still be allowed to connect stores.
  try {
    await withTenant(ctx.db, actor.orgId, (tx) => assertCanManageTeam(tx, actor), actor.userId);
  } catch (err) {
    if (err instanceof AppError) return fail('You can no longer manage store connections here.', true);
    throw err;
  }

  // Shopify is called outside any database transaction.
  let grant: TokenGrant;
  try {
    grant = await ctx.client.postJson<TokenGrant>(shop, '/admin/oauth/access_token', {
      client_id: app.apiKey,
      client_secret: app.apiSecret,
      code,
      expiring: '1',
    });
    if (typeof grant?.access_token !== 'string' || !grant.access_token) throw new Error('no access token');
  } catch {
    return fail('Shopify did not accept the authorization. Start the install again.', true);
  }
  const missing = missingScopes(typeof grant.scope === 'string' ? grant.scope.split(',').map((s) => s.trim()) : []);
  if (missing.length > 0) return fail(`The app was granted too few permissions (missing ${missing.join(', ')}).`, true);
  let result: Awaited<ReturnType<typeof testConnection>>;
  try {
    result = await testConnection(ctx, shop, grant.access_token);
  } catch (err) {
    return fail(describeFailure(err, shop).message, true);
  }

  const connectionId = await saveTestedConnection(
    ctx,
    actor,
    shop,
    // The app secret is configuration, not a per-store secret.
    { authMethod: 'oauth', apiKey: app.apiKey, apiSecretEnc: null, apiSecretHint: null, ...tokenColumns(ctx, grant) },
    result,
    grant.access_token,
  );
  return { ok: true, shop, connectionId };
}
