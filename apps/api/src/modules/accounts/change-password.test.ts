import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, json, registerUser, type TestApp } from '../../test/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: '3' });
});
afterAll(() => t.close());

const change = (auth: Record<string, string>, current: string, next: string) =>
  t.app.inject({
    method: 'POST',
    url: '/api/auth/password/',
    headers: auth,
    payload: { current_password: current, new_password: next },
  });
const login = (email: string, password: string) =>
  t.app.inject({ method: 'POST', url: '/api/auth/login/', payload: { email, password } });
const refresh = (token: string) =>
  t.app.inject({ method: 'POST', url: '/api/token/refresh/', payload: { refresh: token } });

describe('changing the password', () => {
  it('sets the new password and ends every other session; the current one stays', async () => {
    const user = await registerUser(t.app);
    const other = json(await login(user.email, user.password));
    const res = await change(user.auth, user.password, 'copper-orchid-saddle-58');
    expect(res.statusCode, res.body).toBe(204);

    expect((await refresh(other.refresh)).statusCode).toBe(401);
    const kept = await refresh(user.refresh);
    expect(kept.statusCode, kept.body).toBe(200);
    expect((await login(user.email, user.password)).statusCode).toBe(401);
    expect((await login(user.email, 'copper-orchid-saddle-58')).statusCode).toBe(200);
  });

  it('a wrong current password is a 400 counted as a failed login', async () => {
    const user = await registerUser(t.app);
    const failures = async () =>
      (
        (
          await t.database.db.execute(
            sql`select count(*)::int as n from login_failures where scope = 'account' and key = ${`user:${user.user.id}`}`,
          )
        ).rows[0] as { n: number }
      ).n;
    const wrong = await change(user.auth, 'not-my-password', 'copper-orchid-saddle-58');
    expect(wrong.statusCode).toBe(400);
    expect(json(wrong).errors.current_password).toHaveLength(1);
    expect(await failures()).toBe(1);
    await change(user.auth, 'not-my-password-2', 'copper-orchid-saddle-58');
    await change(user.auth, 'not-my-password-3', 'copper-orchid-saddle-58');
    // The account's login limit (3 here) now holds for this form too, and for logging in.
    const blocked = await change(user.auth, user.password, 'copper-orchid-saddle-58');
    expect(blocked.statusCode).toBe(429);
    expect((await login(user.email, user.password)).statusCode).toBe(429);
  });

  it('refuses a weak new password by the registration rules, before counting anything', async () => {
    const user = await registerUser(t.app);
    for (const weak of ['short', '12345678901', user.email]) {
      const res = await change(user.auth, user.password, weak);
      expect(res.statusCode, weak).toBe(400);
      expect(json(res).errors.new_password.length).toBeGreaterThan(0);
    }
    expect((await login(user.email, user.password)).statusCode).toBe(200);
  });

  it('needs a login', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/auth/password/',
      payload: { current_password: 'a', new_password: 'b' },
    });
    expect(res.statusCode).toBe(401);
  });
});
