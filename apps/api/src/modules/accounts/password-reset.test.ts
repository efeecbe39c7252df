import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, json, registerUser, type TestApp } from '../../test/app.ts';
import { purgeExpiredAuthRows } from './housekeeping.job.ts';
import { INVALID_RESET_LINK, RESET_REQUESTED } from './password-reset.service.ts';
import { sha256 } from './tokens.ts';

let t: TestApp;
beforeAll(async () => {
  // Generous limits here: the limits have a test of their own below, with an app of its own.
  t = await createTestApp({ PASSWORD_RESET_MAX_PER_ADDRESS: '1000', PASSWORD_RESET_MAX_PER_EMAIL: '100' });
});
afterAll(() => t.close());

type User = Awaited<ReturnType<typeof registerUser>>;

const askReset = (email: string, app = t.app) =>
  app.inject({ method: 'POST', url: '/api/auth/password-reset/', payload: { email } });
const confirm = (token: string, password: string) =>
  t.app.inject({ method: 'POST', url: '/api/auth/password-reset/confirm/', payload: { token, password } });
const login = (email: string, password: string) =>
  t.app.inject({ method: 'POST', url: '/api/auth/login/', payload: { email, password } });

/** The newest reset link the owner of `user`'s organization can read in its outbox. */
async function linkFromOutbox(owner: User, to: string): Promise<string> {
  await t.app.mailer.drain();
  const list = json(await t.app.inject({ method: 'GET', url: '/api/mail/outbox/', headers: owner.auth }));
  const item = list.results.find((m: { kind: string; to: string }) => m.kind === 'password_reset' && m.to === to);
  expect(item, `no reset mail for ${to}`).toBeDefined();
  const message = json(await t.app.inject({ method: 'GET', url: `/api/mail/outbox/${item.id}/`, headers: owner.auth }));
  const match = /http:\/\/localhost:3000\/reset-password\/([A-Za-z0-9_-]{43})/.exec(message.text);
  expect(match, message.text).not.toBeNull();
  return match![1]!;
}

async function resetRows(userId: string) {
  return (
    await t.database.db.execute(
      sql`select token_hash, used_at, expires_at from password_resets where user_id = ${userId} order by created_at`,
    )
  ).rows as { token_hash: string; used_at: string | null; expires_at: Date }[];
}

const NEW_PASSWORD = 'quartz-meadow-lantern-27';

describe('asking for a reset', () => {
  it('answers the same for an existing and a missing email, and only the existing one gets a link', async () => {
    const user = await registerUser(t.app);
    const before = Number(
      ((await t.database.db.execute(sql`select count(*)::int as n from mail_outbox`)).rows[0] as { n: number }).n,
    );
    const existing = await askReset(user.email);
    const missing = await askReset(`nobody-${Date.now()}@example.com`);
    for (const res of [existing, missing]) {
      expect(res.statusCode).toBe(202);
      expect(json(res)).toEqual({ detail: RESET_REQUESTED });
      expect(res.headers['content-type']).toBe(existing.headers['content-type']);
    }
    expect(existing.body).toBe(missing.body);
    await t.app.mailer.drain();
    const after = Number(
      ((await t.database.db.execute(sql`select count(*)::int as n from mail_outbox`)).rows[0] as { n: number }).n,
    );
    expect(after - before).toBe(1);
    expect(await resetRows(user.user.id)).toHaveLength(1);
  });

  it('takes about as long for a missing email as for an existing one (the work happens after the answer)', async () => {
    const user = await registerUser(t.app);
    const time = async (email: string) => {
      const start = performance.now();
      await askReset(email);
      return performance.now() - start;
    };
    const existing: number[] = [];
    const missing: number[] = [];
    for (let i = 0; i < 7; i++) {
      // Drained in between, so one's mail is not sent during the other's measurement.
      existing.push(await time(user.email));
      await t.app.mailer.drain();
      missing.push(await time(`nobody-${i}-${Date.now()}@example.com`));
      await t.app.mailer.drain();
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    // Both are one rate-limit transaction; a lookup, a token and mail would be several more.
    // Loose, for shared machines: a lookup-then-mail path would differ by far more.
    expect(Math.abs(median(existing) - median(missing))).toBeLessThan(Math.max(20, median(missing)));
  });

  it('stores the reset message in the outbox of every organization the user belongs to', async () => {
    const ownerA = await registerUser(t.app, { organization: 'Reset A' });
    const ownerB = await registerUser(t.app, { organization: 'Reset B' });
    const member = await registerUser(t.app);
    for (const owner of [ownerA, ownerB]) {
      const inv = json(
        await t.app.inject({
          method: 'POST',
          url: '/api/team/invitations/',
          headers: owner.auth,
          payload: { email: member.email },
        }),
      );
      const accepted = await t.app.inject({
        method: 'POST',
        url: `/api/auth/invitations/${inv.token}/accept/`,
        headers: member.auth,
      });
      expect(accepted.statusCode, accepted.body).toBe(200);
    }
    await askReset(member.email);
    const fromA = await linkFromOutbox(ownerA, member.email);
    const fromB = await linkFromOutbox(ownerB, member.email);
    expect(fromA).toBe(fromB);
    // The member's own organization (from registration) has it too.
    expect(await linkFromOutbox(member, member.email)).toBe(fromA);
  });

  it('a new request supersedes the older unused link', async () => {
    const user = await registerUser(t.app);
    await askReset(user.email);
    const first = await linkFromOutbox(user, user.email);
    await askReset(user.email);
    await t.app.mailer.drain();
    const rows = await resetRows(user.user.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.token_hash).not.toBe(sha256(first));
    const res = await confirm(first, NEW_PASSWORD);
    expect(res.statusCode).toBe(400);
    expect(json(res).detail).toBe(INVALID_RESET_LINK);
  });

  it('refuses a malformed email with 400 and a detail', async () => {
    const res = await askReset('not-an-email');
    expect(res.statusCode).toBe(400);
    expect(json(res).detail).toMatch(/email/i);
  });
});

describe('using a reset link', () => {
  it('sets the password (argon2id), ends every session, and clears the failed-login count', async () => {
    const user = await registerUser(t.app);
    const second = json(await login(user.email, user.password));
    // Two wrong guesses counted against the account.
    for (let i = 0; i < 2; i++) expect((await login(user.email, `${user.password}-wrong`)).statusCode).toBe(401);
    await askReset(user.email);
    const token = await linkFromOutbox(user, user.email);

    const res = await confirm(token, NEW_PASSWORD);
    expect(res.statusCode, res.body).toBe(204);

    const [row] = (await t.database.db.execute(sql`select password_hash from users where id = ${user.user.id}`))
      .rows as { password_hash: string }[];
    expect(row!.password_hash).toMatch(/^\$argon2id\$/);
    const open = (
      await t.database.db.execute(
        sql`select count(*)::int as n from refresh_tokens where user_id = ${user.user.id} and revoked_at is null`,
      )
    ).rows[0] as { n: number };
    expect(open.n).toBe(0);
    for (const refresh of [user.refresh, second.refresh]) {
      const refreshed = await t.app.inject({ method: 'POST', url: '/api/token/refresh/', payload: { refresh } });
      expect(refreshed.statusCode).toBe(401);
    }
    const failures = (
      await t.database.db.execute(
        sql`select count(*)::int as n from login_failures where scope = 'account' and key = ${`user:${user.user.id}`}`,
      )
    ).rows[0] as { n: number };
    expect(failures.n).toBe(0);

    expect((await login(user.email, user.password)).statusCode).toBe(401);
    expect((await login(user.email, NEW_PASSWORD)).statusCode).toBe(200);
  });

  it('works once: the used link answers 400 asking for a new one', async () => {
    const user = await registerUser(t.app);
    await askReset(user.email);
    const token = await linkFromOutbox(user, user.email);
    expect((await confirm(token, NEW_PASSWORD)).statusCode).toBe(204);
    const again = await confirm(token, 'another-fine-password-66');
    expect(again.statusCode).toBe(400);
    expect(again.headers['content-type']).toContain('application/problem+json');
    expect(json(again).detail).toBe(INVALID_RESET_LINK);
    expect((await login(user.email, NEW_PASSWORD)).statusCode).toBe(200);
  });

  it('of two parallel confirmations exactly one succeeds', async () => {
    const user = await registerUser(t.app);
    await askReset(user.email);
    const token = await linkFromOutbox(user, user.email);
    const answers = await Promise.all([
      confirm(token, 'parallel-first-password-11'),
      confirm(token, 'parallel-second-password-22'),
    ]);
    expect(answers.map((a) => a.statusCode).sort()).toEqual([204, 400]);
    const winner = answers[0]!.statusCode === 204 ? 'parallel-first-password-11' : 'parallel-second-password-22';
    const loser =
      winner === 'parallel-first-password-11' ? 'parallel-second-password-22' : 'parallel-first-password-11';
    expect((await login(user.email, winner)).statusCode).toBe(200);
    expect((await login(user.email, loser)).statusCode).toBe(401);
  });

  it('expires after an hour', async () => {
    const user = await registerUser(t.app);
    await askReset(user.email);
    const token = await linkFromOutbox(user, user.email);
    const [row] = await resetRows(user.user.id);
    expect(new Date(row!.expires_at).getTime() - Date.now()).toBeGreaterThan(59 * 60_000);
    expect(new Date(row!.expires_at).getTime() - Date.now()).toBeLessThanOrEqual(60 * 60_000);
    await t.database.db.execute(
      sql`update password_resets set expires_at = now() - interval '1 second' where token_hash = ${sha256(token)}`,
    );
    const res = await confirm(token, NEW_PASSWORD);
    expect(res.statusCode).toBe(400);
    expect(json(res).detail).toBe(INVALID_RESET_LINK);
    expect((await login(user.email, user.password)).statusCode).toBe(200);
  });

  it('an unknown or malformed token answers 400 asking for a new link', async () => {
    for (const token of ['A'.repeat(43), 'short', "' OR 1=1 --"]) {
      const res = await confirm(token, NEW_PASSWORD);
      expect(res.statusCode).toBe(400);
      expect(json(res).detail).toBe(INVALID_RESET_LINK);
    }
  });

  it('checks the password by the registration rules and leaves the link usable when it is refused', async () => {
    const user = await registerUser(t.app);
    await askReset(user.email);
    const token = await linkFromOutbox(user, user.email);
    for (const weak of ['short', '1234567890123', 'password123', user.username]) {
      const res = await confirm(token, weak);
      expect(res.statusCode, weak).toBe(400);
      expect(json(res).errors.password.length, weak).toBeGreaterThan(0);
    }
    expect((await confirm(token, NEW_PASSWORD)).statusCode).toBe(204);
  });

  it('housekeeping deletes links past their hour', async () => {
    const user = await registerUser(t.app);
    await askReset(user.email);
    await t.app.mailer.drain();
    await t.database.db.execute(
      sql`update password_resets set expires_at = now() - interval '1 minute' where user_id = ${user.user.id}`,
    );
    const purged = await purgeExpiredAuthRows(t.database.db, {
      loginWindowSeconds: 900,
      registrationWindowSeconds: 3600,
      passwordResetWindowSeconds: 3600,
    });
    expect(purged.passwordResets).toBeGreaterThanOrEqual(1);
    expect(await resetRows(user.user.id)).toHaveLength(0);
  });
});

describe('reset request limits', () => {
  it('limits requests per email and per address, the same for addresses with and without an account', async () => {
    const limited = await createTestApp({ PASSWORD_RESET_MAX_PER_EMAIL: '2', PASSWORD_RESET_MAX_PER_ADDRESS: '5' });
    try {
      const user = await registerUser(limited.app);
      const missing = `nobody-${Date.now()}@example.com`;
      for (const email of [user.email, missing]) {
        expect((await askReset(email, limited.app)).statusCode).toBe(202);
        expect((await askReset(email.toUpperCase(), limited.app)).statusCode).toBe(202);
        const third = await askReset(email, limited.app);
        expect(third.statusCode).toBe(429);
        expect(json(third).detail).toMatch(/Too many password-reset requests for this email/);
        expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
      }
      // Six counted from this address (two refused are not): the fifth passes, the sixth is refused.
      expect((await askReset('fifth@example.com', limited.app)).statusCode).toBe(202);
      const byAddress = await askReset('sixth@example.com', limited.app);
      expect(byAddress.statusCode).toBe(429);
      expect(json(byAddress).detail).toMatch(/from your network/);
      await limited.app.mailer.drain();
    } finally {
      await limited.close();
    }
  });
});
