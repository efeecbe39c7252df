import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, json, newAccount, registerUser, type TestApp } from '../../test/app.ts';

/** The defaults a server runs with. */
const REGISTRATION = { maxPerAddress: 10, windowSeconds: 3600 };

let t: TestApp;
let address = 0;
/** Each test attacks from an address of its own, so the per-address limits of one cannot touch another. */
const nextAddress = () => `198.51.100.${++address}`;

beforeAll(async () => {
  t = await createTestApp({
    LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: '5',
    LOGIN_MAX_ATTEMPTS_PER_ADDRESS: '1000',
    REGISTRATION_MAX_PER_ADDRESS: String(REGISTRATION.maxPerAddress),
  });
});
afterAll(() => t.close());

const login = (payload: Record<string, string>, remoteAddress: string) =>
  t.app.inject({ method: 'POST', url: '/api/auth/login/', payload, remoteAddress });

const accountFailures = async (userId: string) =>
  (
    (
      await t.database.db.execute(
        sql`select count(*)::int as n from login_failures where scope = 'account' and key = ${`user:${userId}`}`,
      )
    ).rows[0] as { n: number }
  ).n;

describe('login limits', () => {
  it('16 parallel wrong passwords against a limit of 5: at most 5 are checked, the rest get 429', async () => {
    const user = await registerUser(t.app);
    const from = nextAddress();
    const answers = await Promise.all(
      Array.from({ length: 16 }, () => login({ email: user.email, password: 'wrong-wrong-wrong' }, from)),
    );
    const statuses = answers.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
    for (const blocked of answers.filter((r) => r.statusCode === 429)) {
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
      expect(json(blocked).detail).toMatch(/Too many failed login attempts. Try again in/);
    }
    expect(await accountFailures(user.user.id)).toBe(statuses.filter((s) => s === 401).length);
  });

  it('failures by email and by username add up on one account', async () => {
    const user = await registerUser(t.app);
    const from = nextAddress();
    for (const identity of [
      { email: user.email } as Record<string, string>,
      { username: user.username },
      { email: user.email.toUpperCase() },
      { username: user.username.toUpperCase() },
      { email: user.username },
    ]) {
      expect((await login({ ...identity, password: 'wrong-wrong-wrong' }, from)).statusCode).toBe(401);
    }
    // The account is full, whichever way it is named, even with the right password.
    expect((await login({ email: user.email, password: user.password }, from)).statusCode).toBe(429);
    expect((await login({ username: user.username, password: user.password }, from)).statusCode).toBe(429);
    expect(await accountFailures(user.user.id)).toBe(5);
  });

  it('the right password after a few failures still works and clears the account', async () => {
    const user = await registerUser(t.app);
    const from = nextAddress();
    for (let i = 0; i < 4; i++) {
      expect((await login({ username: user.username, password: 'wrong-wrong-wrong' }, from)).statusCode).toBe(401);
    }
    const ok = await login({ email: user.email, password: user.password }, from);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(await accountFailures(user.user.id)).toBe(0);
    // A fresh count: five more failures are answered as failures before the limit refuses.
    for (let i = 0; i < 5; i++) {
      expect((await login({ email: user.email, password: 'wrong-wrong-wrong' }, from)).statusCode).toBe(401);
    }
    expect((await login({ email: user.email, password: 'wrong-wrong-wrong' }, from)).statusCode).toBe(429);
  });

  it('an identifier that belongs to no account is limited the same way', async () => {
    const from = nextAddress();
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => login({ email: 'nobody-here@example.com', password: 'wrong-wrong-wrong' }, from)),
    );
    expect(answers.filter((r) => r.statusCode === 401).length).toBeLessThanOrEqual(5);
    expect(answers.filter((r) => r.statusCode === 429).length).toBeGreaterThanOrEqual(3);
  });
});

describe('registration limit', () => {
  it(`allows ${REGISTRATION.maxPerAddress} sign-ups per address and hour, then 429 with Retry-After`, async () => {
    const from = nextAddress();
    const register = (account: Record<string, string>, remoteAddress = from) =>
      t.app.inject({ method: 'POST', url: '/api/auth/register/', payload: account, remoteAddress });
    const taken = await registerUser(t.app);
    // Refused attempts count too (here: a taken username, which costs no hashing).
    const attempts = REGISTRATION.maxPerAddress;
    for (let i = 0; i < attempts; i++) {
      const res = await register(i < 2 ? newAccount() : { ...newAccount(), username: taken.username });
      expect(res.statusCode, res.body).toBe(i < 2 ? 201 : 400);
    }
    const blocked = newAccount();
    const res = await register(blocked);
    expect(res.statusCode).toBe(429);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const retryAfter = Number(res.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(REGISTRATION.windowSeconds - 120);
    expect(retryAfter).toBeLessThanOrEqual(REGISTRATION.windowSeconds);
    expect(json(res).detail).toMatch(
      /^Too many sign-ups from your network in the last hour\. Try again in \d+ minutes\.$/,
    );
    const users = await t.database.db.execute(sql`select 1 from users where username = ${blocked.username}`);
    expect(users.rows).toHaveLength(0);
    // Counted in PostgreSQL, per address: another address still signs up.
    const counted = await t.database.db.execute(
      sql`select count(*)::int as n from registration_attempts where address = ${from}`,
    );
    expect(counted.rows).toEqual([{ n: attempts }]);
    expect((await register(newAccount(), nextAddress())).statusCode).toBe(201);
  });
});
