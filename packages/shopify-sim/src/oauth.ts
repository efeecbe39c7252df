import { createHmac, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { header, parseBody, readBody, sendJson } from './http.ts';
import { SHOP_DOMAIN, type Sim } from './sim.ts';
import type { ShopState } from './state.ts';

// OAuth as Shopify does it (docs/shopify.md §7). The authorize page auto-approves and redirects back with
// code, hmac, host, shop, state and timestamp; the hmac is hex HMAC-SHA256 with the app's client secret
// over the other parameters sorted by key, URL-encoded as URLSearchParams does with spaces as %20.
// The token endpoint does the code exchange (optionally expiring tokens with rotating refresh tokens),
// refresh_token, and client_credentials for a shop's own app.

const CODE_TTL_S = 600;
export const EXPIRING_TOKEN_TTL_S = 3600;
export const REFRESH_TOKEN_TTL_S = 90 * 86_400;
export const CLIENT_CREDENTIALS_TTL_S = 86_399;

export function signParams(params: Record<string, string>, secret: string): string {
  const sorted = Object.keys(params)
    .filter((k) => k !== 'hmac' && k !== 'signature')
    .sort()
    .map((k): [string, string] => [k, params[k] as string]);
  const message = new URLSearchParams(sorted).toString().replace(/\+/g, '%20');
  return createHmac('sha256', secret).update(message).digest('hex');
}

function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(body);
}

export function handleAuthorize(sim: Sim, url: URL, res: ServerResponse): void {
  const q = url.searchParams;
  const domain = (q.get('shop') ?? '').toLowerCase();
  if (!SHOP_DOMAIN.test(domain)) {
    text(res, 400, 'Invalid shop parameter.');
    return;
  }
  const shop = sim.shops.get(domain);
  if (!shop) {
    text(res, 404, `There is no shop at ${domain}.`);
    return;
  }
  const clientId = q.get('client_id') ?? '';
  const app = sim.apps.get(clientId);
  if (!app) {
    text(res, 400, 'Oauth error invalid_request: The requested application does not exist or is not installed.');
    return;
  }
  const redirectUri = q.get('redirect_uri');
  if (!redirectUri) {
    text(res, 400, 'Oauth error invalid_request: The redirect_uri is missing.');
    return;
  }
  let redirect: URL;
  try {
    redirect = new URL(redirectUri);
  } catch {
    text(res, 400, 'Oauth error invalid_request: The redirect_uri is not a valid URL.');
    return;
  }
  if (app.redirectUris && !app.redirectUris.some((allowed) => redirectUri.startsWith(allowed))) {
    text(res, 400, 'Oauth error invalid_request: The redirect_uri is not whitelisted');
    return;
  }
  const scopeParam = q.get('scope');
  const scopes = (scopeParam ? scopeParam.split(',') : app.scopes).map((s) => s.trim()).filter(Boolean);
  const code = randomBytes(16).toString('hex');
  sim.codes.set(code, { code, domain, clientId, scopes, expiresAt: sim.now() + CODE_TTL_S * 1000, used: false });
  const params: Record<string, string> = {
    code,
    host: Buffer.from(`admin.shopify.com/store/${domain.replace(/\.myshopify\.com$/, '')}`)
      .toString('base64')
      .replace(/=+$/, ''),
    shop: domain,
    timestamp: String(Math.floor(sim.now() / 1000)),
  };
  const state = q.get('state');
  if (state !== null) params.state = state;
  params.hmac = signParams(params, app.clientSecret);
  for (const [k, v] of Object.entries(params).sort(([a], [b]) => (a < b ? -1 : 1))) redirect.searchParams.set(k, v);
  res.writeHead(302, { Location: redirect.toString() });
  res.end();
}

function oauthError(res: ServerResponse, status: number, error: string, description: string): void {
  sendJson(res, status, { error, error_description: description });
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v ? v : undefined;
}

export async function handleAccessToken(sim: Sim, url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = parseBody(req, await readBody(req));
  if (body === null) return oauthError(res, 400, 'invalid_request', 'The request body is not valid JSON.');
  for (const [k, v] of url.searchParams) if (body[k] === undefined) body[k] = v;
  const domain = (header(req, 'x-shopify-shop-domain') ?? str(body.shop) ?? header(req, 'host') ?? '').toLowerCase();
  const shop = sim.shops.get(domain);
  if (!shop) {
    sendJson(res, 404, { errors: 'Not Found' });
    return;
  }
  const clientId = str(body.client_id);
  const clientSecret = str(body.client_secret);
  if (!clientId || !clientSecret)
    return oauthError(res, 400, 'invalid_request', 'client_id and client_secret are required.');
  const grant = str(body.grant_type) ?? 'authorization_code';
  if (grant === 'client_credentials') return clientCredentials(sim, shop, clientId, clientSecret, res);

  const app = sim.apps.get(clientId);
  if (!app || app.clientSecret !== clientSecret) {
    return oauthError(
      res,
      400,
      'invalid_client',
      'Client authentication failed: the client_id or client_secret is wrong.',
    );
  }
  if (grant === 'refresh_token') return refresh(sim, shop, clientId, str(body.refresh_token), res);
  if (grant !== 'authorization_code')
    return oauthError(res, 400, 'unsupported_grant_type', `Grant type ${grant} is not supported.`);

  const code = sim.codes.get(str(body.code) ?? '');
  if (!code || code.used || code.expiresAt <= sim.now() || code.domain !== shop.domain || code.clientId !== clientId) {
    return oauthError(res, 400, 'invalid_request', 'The authorization code was not found or was already used');
  }
  code.used = true;
  const inst = sim.install(shop, {
    key: clientId,
    apiKey: clientId,
    secret: app.clientSecret,
    title: app.title,
    scopes: code.scopes,
    appId: app.id,
  });
  const expiring = body.expiring === '1' || body.expiring === 1 || body.expiring === true;
  const access = sim.issueToken(shop.domain, inst.key, expiring ? EXPIRING_TOKEN_TTL_S : null, 'shpua');
  const scope = sim.grantedScopeString(inst.scopes);
  if (!expiring) {
    sendJson(res, 200, { access_token: access.token, scope });
    return;
  }
  const refreshToken = newRefresh(sim, shop, inst.key, null);
  sendJson(res, 200, {
    access_token: access.token,
    scope,
    expires_in: EXPIRING_TOKEN_TTL_S,
    refresh_token: refreshToken,
    refresh_token_expires_in: REFRESH_TOKEN_TTL_S,
  });
}

function newRefresh(sim: Sim, shop: ShopState, key: string, previous: string | null): string {
  const token = `shprt_${randomBytes(16).toString('hex')}`;
  sim.refreshTokens.set(token, {
    token,
    domain: shop.domain,
    installationKey: key,
    expiresAt: sim.now() + REFRESH_TOKEN_TTL_S * 1000,
    previous,
    revoked: false,
  });
  return token;
}

function refresh(sim: Sim, shop: ShopState, clientId: string, token: string | undefined, res: ServerResponse): void {
  const rec = token ? sim.refreshTokens.get(token) : undefined;
  const inst = shop.installations.get(clientId);
  if (
    !rec ||
    rec.revoked ||
    rec.expiresAt <= sim.now() ||
    rec.domain !== shop.domain ||
    rec.installationKey !== clientId ||
    !inst?.active
  ) {
    oauthError(res, 400, 'invalid_grant', 'The refresh token is invalid, expired or revoked.');
    return;
  }
  // Rotation with grace: using this token retires the one it replaced; this one stays valid until its
  // own successor is used.
  if (rec.previous) {
    const prev = sim.refreshTokens.get(rec.previous);
    if (prev) prev.revoked = true;
  }
  const access = sim.issueToken(shop.domain, inst.key, EXPIRING_TOKEN_TTL_S, 'shpua');
  const next = newRefresh(sim, shop, inst.key, rec.token);
  sendJson(res, 200, {
    access_token: access.token,
    scope: sim.grantedScopeString(inst.scopes),
    expires_in: EXPIRING_TOKEN_TTL_S,
    refresh_token: next,
    refresh_token_expires_in: REFRESH_TOKEN_TTL_S,
  });
}

function clientCredentials(
  sim: Sim,
  shop: ShopState,
  clientId: string,
  clientSecret: string,
  res: ServerResponse,
): void {
  // The shop's own (Dev Dashboard) app; a registered app installed on the shop may use it too.
  let key: string | null = null;
  if (clientId === shop.apiKey && clientSecret === shop.apiSecret) key = 'custom';
  else {
    const app = sim.apps.get(clientId);
    if (app && app.clientSecret === clientSecret && shop.installations.get(clientId)?.active) key = clientId;
  }
  if (!key) {
    oauthError(res, 400, 'invalid_client', 'Client authentication failed: the client_id or client_secret is wrong.');
    return;
  }
  const inst = shop.installations.get(key);
  if (!inst?.active) {
    oauthError(res, 400, 'invalid_request', 'The app is not installed on this shop.');
    return;
  }
  const access = sim.issueToken(shop.domain, key, CLIENT_CREDENTIALS_TTL_S);
  sendJson(res, 200, {
    access_token: access.token,
    scope: sim.grantedScopeString(inst.scopes),
    expires_in: CLIENT_CREDENTIALS_TTL_S,
  });
}
