import { decodeJwt } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, json, registerUser, type TestApp, testConfig } from '../../test/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ ACCESS_TOKEN_TTL_SECONDS: '5' });
});
afterAll(() => t.close());
afterEach(() => {
  vi.useRealTimers();
});

const lifetime = (token: string) => {
  const { iat, exp } = decodeJwt(token);
  return exp! - iat!;
};

describe('ACCESS_TOKEN_TTL_SECONDS', () => {
  it('defaults to 15 minutes and refuses less than 5 seconds', () => {
    expect(testConfig().accessTokenTtlSeconds).toBe(900);
    expect(testConfig({ ACCESS_TOKEN_TTL_SECONDS: '5' }).accessTokenTtlSeconds).toBe(5);
    expect(() => testConfig({ ACCESS_TOKEN_TTL_SECONDS: '4' })).toThrow(/ACCESS_TOKEN_TTL_SECONDS/);
  });

  it('sets the lifetime of access tokens from login and from refresh', async () => {
    const user = await registerUser(t.app);
    expect(lifetime(user.access)).toBe(5);
    const refreshed = await t.app.inject({
      method: 'POST',
      url: '/api/token/refresh/',
      payload: {},
      cookies: { invpro_refresh: user.refresh },
    });
    expect(refreshed.statusCode).toBe(200);
    expect(lifetime(json(refreshed).access)).toBe(5);
  });

  it('an access token is refused once its TTL has passed, and a refresh gets a new one', async () => {
    // Only Date is faked: the token's clock. Timers, and with them the database pool, stay real.
    const start = new Date('2030-01-01T00:00:00.000Z');
    vi.useFakeTimers({ toFake: ['Date'], now: start });
    const user = await registerUser(t.app);
    const me = (access: string) =>
      t.app.inject({ method: 'GET', url: '/api/auth/me/', headers: { authorization: `Bearer ${access}` } });

    vi.setSystemTime(start.getTime() + 4_999);
    expect((await me(user.access)).statusCode).toBe(200);

    vi.setSystemTime(start.getTime() + 5_000);
    const expired = await me(user.access);
    expect(expired.statusCode).toBe(401);
    expect(json(expired).detail).toMatch(/has expired/);

    const refreshed = await t.app.inject({
      method: 'POST',
      url: '/api/token/refresh/',
      payload: { refresh: user.refresh },
    });
    expect(refreshed.statusCode).toBe(200);
    expect((await me(json(refreshed).access)).statusCode).toBe(200);
  });
});
