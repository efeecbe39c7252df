import { createHmac } from 'node:crypto';
import { type ShopifySim, startShopifySim } from '@invpro/shopify-sim';
import { sql } from 'drizzle-orm';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../modules/accounts/tokens.ts';
import { createTestApp, json, newAccount, type TestApp } from '../app.ts';

/**
 * Secrets (passwords, Shopify tokens and secrets, refresh tokens, invitation and password-reset
 * links) never appear in logs, in API answers other than the one that issues them, or in plaintext
 * in any table. Every flow that handles one runs here; then every log line, every answer and every
 * column is searched. The one place a link may be is the message that carries it: the outbox row
 * (no SMTP here, docs/decisions/0015) and the outbox answer that shows it to an owner.
 */
let sim: ShopifySim;
let t: TestApp;
const answers: { request: string; body: string }[] = [];

async function call(options: InjectOptions): Promise<LightMyRequestResponse> {
  const res = await t.app.inject(options);
  answers.push({ request: `${options.method} ${options.url}`, body: `${JSON.stringify(res.headers)}\n${res.body}` });
  return res;
}

beforeAll(async () => {
  sim = await startShopifySim({ seed: 11 });
  t = await createTestApp({ SHOPIFY_API_ORIGIN: sim.origin, LOG_LEVEL: 'trace' });
});
afterAll(async () => {
  await t.close();
  await sim.close();
});

describe('secrets stay secret', () => {
  it('in logs, answers and the database, across every flow that handles one', async () => {
    const account = newAccount('secret');
    const reg = await call({ method: 'POST', url: '/api/auth/register/', payload: account });
    const { access, refresh: firstRefresh } = json(reg);
    const auth = { authorization: `Bearer ${access}` };
    const login = await call({
      method: 'POST',
      url: '/api/auth/login/',
      payload: { username: account.username, password: account.password },
    });
    const loginRefresh = json(login).refresh as string;
    await call({
      method: 'POST',
      url: '/api/auth/login/',
      payload: { email: account.email, password: `${account.password}x` },
    });
    const rotated = await call({ method: 'POST', url: '/api/token/refresh/', payload: { refresh: firstRefresh } });
    const rotatedRefresh = json(rotated).refresh as string;
    await call({ method: 'POST', url: '/api/token/refresh/', payload: {}, cookies: { invpro_refresh: loginRefresh } });
    const invite = await call({
      method: 'POST',
      url: '/api/team/invitations/',
      headers: auth,
      payload: { email: 'x@example.com' },
    });
    const invitationToken = json(invite).token as string;
    await call({ method: 'GET', url: `/api/auth/invitations/${invitationToken}/` });
    await call({ method: 'GET', url: '/api/team/invitations/', headers: auth });

    const shop = sim.addShop({ domain: 'secret-store.myshopify.com', products: 2 });
    const creds = {
      store_url: shop.domain,
      api_key: shop.apiKey,
      api_secret: shop.apiSecret,
      access_token: shop.accessToken!,
    };
    const connected = await call({ method: 'POST', url: '/api/shopify/connect/', headers: auth, payload: creds });
    expect(connected.statusCode).toBe(201);
    await call({
      method: 'POST',
      url: '/api/shopify/connect/',
      headers: auth,
      payload: { ...creds, access_token: 'shpat_wrong_token_value' },
    });
    await call({ method: 'GET', url: '/api/shopify/status/', headers: auth });
    await call({ method: 'POST', url: `/api/shopify/connections/${json(connected).id}/test/`, headers: auth });
    const payload = JSON.stringify({ id: 1, admin_graphql_api_id: 'gid://shopify/Product/1', title: 'x' });
    await call({
      method: 'POST',
      url: '/api/shopify/webhook/',
      payload,
      headers: {
        'content-type': 'application/json',
        'x-shopify-topic': 'products/update',
        'x-shopify-shop-domain': shop.domain,
        'x-shopify-event-id': 'evt-secret-1',
        'x-shopify-webhook-id': 'wh-secret-1',
        'x-shopify-hmac-sha256': createHmac('sha256', shop.apiSecret).update(payload).digest('base64'),
      },
    });

    // Password reset: asked for, read from the outbox, used; then the password changed while logged in.
    await call({ method: 'POST', url: '/api/auth/password-reset/', payload: { email: account.email } });
    await t.app.mailer.drain();
    const outbox = await call({ method: 'GET', url: '/api/mail/outbox/', headers: auth });
    const resetItem = json(outbox).results.find((m: { kind: string }) => m.kind === 'password_reset');
    const resetMail = await call({ method: 'GET', url: `/api/mail/outbox/${resetItem.id}/`, headers: auth });
    const resetToken = /\/reset-password\/([A-Za-z0-9_-]+)/.exec(json(resetMail).text)![1]!;
    const resetPassword = 'quartz-meadow-lantern-27';
    const confirmed = await call({
      method: 'POST',
      url: '/api/auth/password-reset/confirm/',
      payload: { token: resetToken, password: resetPassword },
    });
    expect(confirmed.statusCode, confirmed.body).toBe(204);
    const relogin = json(
      await call({
        method: 'POST',
        url: '/api/auth/login/',
        payload: { email: account.email, password: resetPassword },
      }),
    );
    const changedPassword = 'copper-orchid-saddle-58';
    const changed = await call({
      method: 'POST',
      url: '/api/auth/password/',
      headers: { authorization: `Bearer ${relogin.access}` },
      payload: { current_password: resetPassword, new_password: changedPassword },
    });
    expect(changed.statusCode, changed.body).toBe(204);
    await call({
      method: 'POST',
      url: '/api/auth/password/',
      headers: { authorization: `Bearer ${relogin.access}` },
      payload: { current_password: `${changedPassword}x`, new_password: 'never-stored-walrus-31' },
    });

    const invitationSecret = invitationToken.split('.')[1]!;
    const shopifySecrets = [shop.accessToken!, shop.apiSecret, 'shpat_wrong_token_value'];
    const everywhere = [
      account.password,
      `${account.password}x`,
      resetPassword,
      changedPassword,
      `${changedPassword}x`,
      'never-stored-walrus-31',
      ...shopifySecrets,
    ];

    const logs = t.logs.join('\n');
    expect(logs.length).toBeGreaterThan(1000);
    for (const secret of [
      ...everywhere,
      firstRefresh,
      loginRefresh,
      rotatedRefresh,
      invitationSecret,
      resetToken,
      access,
    ]) {
      expect(logs, 'a secret reached the logs').not.toContain(secret);
    }

    // Only the answer that issues a credential may carry it.
    for (const { request, body } of answers) {
      for (const secret of everywhere) expect(body, `${request} answered with a secret`).not.toContain(secret);
    }
    const issuing = (secret: string) => answers.filter((a) => a.body.includes(secret)).map((a) => a.request);
    expect(issuing(invitationSecret)).toEqual(['POST /api/team/invitations/']);
    expect(issuing(loginRefresh)).toEqual(['POST /api/auth/login/']);
    // The link goes only to the mail; the outbox's message is that mail, shown to an owner.
    expect(issuing(resetToken)).toEqual([`GET /api/mail/outbox/${resetItem.id}/`]);

    const tables = (await t.database.db.execute(sql`select tablename from pg_tables where schemaname = 'public'`))
      .rows as {
      tablename: string;
    }[];
    const outboxRows = (
      await t.database.db.execute(sql`select text, html from mail_outbox where kind = 'password_reset'`)
    ).rows as { text: string; html: string }[];
    expect(outboxRows.map((r) => r.text).join('\n')).toContain(resetToken);
    const dump = (
      await Promise.all(
        tables
          .filter(({ tablename }) => tablename !== 'mail_outbox')
          .map(({ tablename }) => t.database.db.execute(sql.raw(`select t::text as row from public."${tablename}" t`))),
      )
    )
      .flatMap((r) => r.rows.map((row) => (row as { row: string }).row))
      .join('\n');
    expect(dump).toContain(shop.domain);
    expect(dump).toContain(sha256(resetToken));
    for (const secret of [...everywhere, firstRefresh, loginRefresh, rotatedRefresh, invitationSecret, resetToken]) {
      expect(dump, 'a secret is stored in plaintext').not.toContain(secret);
    }
  });
});
