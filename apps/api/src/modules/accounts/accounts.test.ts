import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, json, newAccount, registerUser, type TestApp } from '../../test/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: '3', LOGIN_MAX_ATTEMPTS_PER_ADDRESS: '1000' });
});
afterAll(() => t.close());

describe('register', () => {
  it('creates the user and an organization they own, and never returns the hash', async () => {
    const account = newAccount();
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/auth/register/',
      payload: { ...account, organization: 'Acme Outfitters' },
    });
    expect(res.statusCode).toBe(201);
    const body = json(res);
    expect(body.access).toMatch(/^ey/);
    expect(body.refresh).toBeTypeOf('string');
    expect(body.user).toMatchObject({
      email: account.email,
      username: account.username,
      organization: { name: 'Acme Outfitters' },
      role: 'owner',
    });
    expect(res.body).not.toContain('argon2');
    expect(res.headers['set-cookie']).toMatch(/invpro_refresh=.*HttpOnly/i);
    const [row] = (await t.database.db.execute(sql`select password_hash from users where id = ${body.user.id}`))
      .rows as { password_hash: string }[];
    expect(row!.password_hash).toMatch(/^\$argon2id\$/);
    expect(row!.password_hash).not.toContain(account.password);
  });

  it('refuses a taken username, case-insensitively, with a field error', async () => {
    const first = await registerUser(t.app);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/auth/register/',
      payload: { ...newAccount(), username: first.username.toUpperCase() },
    });
    expect(res.statusCode).toBe(400);
    expect(json(res).errors.username[0]).toMatch(/already exists/);
    // A taken email is not refused (that would reveal it): see registration.test.ts.
  });

  it('refuses weak passwords with the reason, and stores nothing', async () => {
    const account = newAccount();
    const before = await t.database.db.execute(sql`select count(*)::int n from users`);
    for (const password of ['short', '1234567890123', 'password123', `${account.username}!!`]) {
      const res = await t.app.inject({ method: 'POST', url: '/api/auth/register/', payload: { ...account, password } });
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(json(res).errors.password.length).toBeGreaterThan(0);
    }
    const after = await t.database.db.execute(sql`select count(*)::int n from users`);
    expect(after.rows).toEqual(before.rows);
  });
});

describe('login', () => {
  it('logs in by email or by username, case-insensitively', async () => {
    const user = await registerUser(t.app);
    for (const payload of [
      { email: user.email.toUpperCase(), password: user.password },
      { username: user.username.toUpperCase(), password: user.password },
      { email: user.username, password: user.password },
    ]) {
      const res = await t.app.inject({ method: 'POST', url: '/api/auth/login/', payload });
      expect(res.statusCode, res.body).toBe(200);
      expect(json(res).user.id).toBe(user.user.id);
    }
  });

  it('gives one generic answer for a wrong password and an unknown account', async () => {
    const user = await registerUser(t.app);
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login/',
      payload: { email: user.email, password: 'nope-nope-nope' },
    });
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login/',
      payload: { email: 'nobody-at-all@example.com', password: 'nope-nope-nope' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(json(wrong).detail).toBe(json(unknown).detail);
  });

  it('limits failed attempts per account with 429 and Retry-After, even for the right password', async () => {
    const user = await registerUser(t.app);
    for (let i = 0; i < 3; i++) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/auth/login/',
        payload: { email: user.email, password: 'wrong-wrong-wrong' },
      });
      expect(res.statusCode).toBe(401);
    }
    const blocked = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login/',
      payload: { email: user.email, password: user.password },
    });
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(json(blocked).detail).toMatch(/Too many failed login attempts/);
    // The counter lives in PostgreSQL, not in this process.
    const rows = await t.database.db.execute(
      sql`select count(*)::int n from login_failures where key = ${`user:${user.user.id}`}`,
    );
    expect((rows.rows[0] as { n: number }).n).toBe(3);
  });
});

describe('refresh tokens', () => {
  it('rotate on every use; a spent token revokes the whole family', async () => {
    const user = await registerUser(t.app);
    const first = await t.app.inject({
      method: 'POST',
      url: '/api/token/refresh/',
      payload: { refresh: user.refresh },
    });
    expect(first.statusCode).toBe(200);
    const rotated = json(first);
    expect(rotated.refresh).not.toBe(user.refresh);
    expect(rotated.access).toMatch(/^ey/);

    // Presented again after the grace window (which covers one client refreshing twice at once).
    await t.database.db.execute(
      sql`update refresh_tokens set used_at = used_at - interval '1 minute' where user_id = ${user.user.id} and used_at is not null`,
    );
    const replay = await t.app.inject({
      method: 'POST',
      url: '/api/token/refresh/',
      payload: { refresh: user.refresh },
    });
    expect(replay.statusCode).toBe(401);
    expect(json(replay).detail).toMatch(/already used/);
    // The legitimate descendant is revoked too.
    const after = await t.app.inject({
      method: 'POST',
      url: '/api/token/refresh/',
      payload: { refresh: rotated.refresh },
    });
    expect(after.statusCode).toBe(401);
  });

  it('reads the refresh token from the httpOnly cookie when the body has none', async () => {
    const user = await registerUser(t.app);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/token/refresh/',
      payload: {},
      cookies: { invpro_refresh: user.refresh },
    });
    expect(res.statusCode).toBe(200);
    // The rotated token travels only in the httpOnly cookie, never in the body.
    expect(json(res).refresh).toBeUndefined();
    expect(json(res).access).toMatch(/^ey/);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/invpro_refresh=[A-Za-z0-9_-]{40,}; Max-Age=\d+; Path=\/api\/; HttpOnly; SameSite=Lax/);
  });

  it('are stored only as SHA-256 hashes', async () => {
    const user = await registerUser(t.app);
    const rows = await t.database.db.execute(sql`select token_hash from refresh_tokens`);
    const hashes = (rows.rows as { token_hash: string }[]).map((r) => r.token_hash);
    expect(hashes.every((h) => /^[0-9a-f]{64}$/.test(h))).toBe(true);
    expect(hashes).not.toContain(user.refresh);
  });

  it('logout revokes the session', async () => {
    const user = await registerUser(t.app);
    const out = await t.app.inject({ method: 'POST', url: '/api/auth/logout/', payload: { refresh: user.refresh } });
    expect(out.statusCode).toBe(204);
    const res = await t.app.inject({ method: 'POST', url: '/api/token/refresh/', payload: { refresh: user.refresh } });
    expect(res.statusCode).toBe(401);
  });
});

describe('me and organizations', () => {
  it('GET /api/auth/me/ needs a valid token', async () => {
    const user = await registerUser(t.app);
    const ok = await t.app.inject({ method: 'GET', url: '/api/auth/me/', headers: user.auth });
    expect(ok.statusCode).toBe(200);
    expect(json(ok).organizations).toHaveLength(1);
    const none = await t.app.inject({ method: 'GET', url: '/api/auth/me/' });
    expect(none.statusCode).toBe(401);
    expect(json(none).detail).toMatch(/Bearer/);
  });

  it('a member of two organizations switches the active one, and the token carries it', async () => {
    const owner = await registerUser(t.app, { organization: 'Second Shop' });
    const other = await registerUser(t.app);
    const invite = await t.app.inject({
      method: 'POST',
      url: '/api/team/invitations/',
      headers: owner.auth,
      payload: { email: other.email, role: 'admin' },
    });
    expect(invite.statusCode).toBe(201);
    const accept = await t.app.inject({
      method: 'POST',
      url: `/api/auth/invitations/${json(invite).token}/accept/`,
      headers: other.auth,
    });
    expect(accept.statusCode, accept.body).toBe(200);
    expect(json(accept).user).toMatchObject({ organization: { name: 'Second Shop' }, role: 'admin' });
    expect(json(accept).user.organizations).toHaveLength(2);

    const back = await t.app.inject({
      method: 'POST',
      url: '/api/auth/switch-organization/',
      headers: { authorization: `Bearer ${json(accept).access}` },
      payload: { organization_id: other.user.organization.id },
    });
    expect(back.statusCode).toBe(200);
    expect(json(back).user).toMatchObject({ organization: { id: other.user.organization.id }, role: 'owner' });

    const foreign = await t.app.inject({
      method: 'POST',
      url: '/api/auth/switch-organization/',
      headers: other.auth,
      payload: { organization_id: (await registerUser(t.app)).user.organization.id },
    });
    expect(foreign.statusCode).toBe(404);
  });
});

describe('secrets in logs', () => {
  it('never logs passwords, tokens or cookies', async () => {
    const account = newAccount();
    const res = await t.app.inject({ method: 'POST', url: '/api/auth/register/', payload: account });
    const { refresh, access } = json(res);
    await t.app.inject({
      method: 'POST',
      url: '/api/auth/login/',
      payload: { email: account.email, password: account.password },
    });
    await t.app.inject({ method: 'GET', url: '/api/auth/me/', headers: { authorization: `Bearer ${access}` } });
    await t.app.inject({
      method: 'POST',
      url: '/api/token/refresh/',
      payload: {},
      cookies: { invpro_refresh: refresh },
    });
    const all = t.logs.join('\n');
    expect(all.length).toBeGreaterThan(0);
    for (const secret of [account.password, refresh, access]) expect(all).not.toContain(secret);
  });
});
