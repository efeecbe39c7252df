import { sql } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, json, registerUser, type TestApp } from '../../test/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

type User = Awaited<ReturnType<typeof registerUser>>;
const bearer = (access: string) => ({ authorization: `Bearer ${access}` });

const refresh = (token: string) =>
  t.app.inject({ method: 'POST', url: '/api/token/refresh/', payload: { refresh: token } });
const refreshByCookie = (token: string) =>
  t.app.inject({ method: 'POST', url: '/api/token/refresh/', payload: {}, cookies: { invpro_refresh: token } });
const cookieOf = (res: LightMyRequestResponse) => /invpro_refresh=([^;]*)/.exec(String(res.headers['set-cookie']))?.[1];

const tokensOf = async (userId: string) =>
  (
    await t.database.db.execute(
      sql`select family_id, active_org_id, used_at, revoked_at from refresh_tokens where user_id = ${userId}`,
    )
  ).rows as { family_id: string; active_org_id: string; used_at: Date | null; revoked_at: Date | null }[];

/** A user who belongs to a second organization too, to have somewhere to switch. */
async function memberOfTwo(): Promise<User & { secondOrgId: string }> {
  const other = await registerUser(t.app, { organization: 'Second Org' });
  const user = await registerUser(t.app);
  // Joined straight in the database: the registration's session stays the user's only one.
  await t.database.db.execute(
    sql`insert into memberships (org_id, user_id, role) values (${other.user.organization.id}, ${user.user.id}, 'member')`,
  );
  return { ...user, secondOrgId: other.user.organization.id };
}

const switchTo = (access: string, orgId: string, cookie?: string) =>
  t.app.inject({
    method: 'POST',
    url: '/api/auth/switch-organization/',
    headers: bearer(access),
    payload: { organization_id: orgId },
    ...(cookie ? { cookies: { invpro_refresh: cookie } } : {}),
  });

describe('switching organization is bound to the session', () => {
  it('an access token whose session was logged out cannot mint a new one', async () => {
    const user = await memberOfTwo();
    const out = await t.app.inject({ method: 'POST', url: '/api/auth/logout/', payload: { refresh: user.refresh } });
    expect(out.statusCode).toBe(204);
    const before = await tokensOf(user.user.id);

    const res = await switchTo(user.access, user.secondOrgId);
    expect(res.statusCode).toBe(401);
    expect(json(res).detail).toMatch(/session has ended.*Log in again/);
    expect(res.body).not.toContain('refresh');
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(await tokensOf(user.user.id)).toEqual(before);
  });

  it('stays in the same session, so logging out the new token ends the old access token’s session too', async () => {
    const user = await memberOfTwo();
    const { sid } = decodeJwt(user.access);
    expect(sid).toBeTypeOf('string');
    const switched = await switchTo(user.access, user.secondOrgId);
    expect(switched.statusCode, switched.body).toBe(200);
    expect(json(switched).user.organization.id).toBe(user.secondOrgId);
    expect(decodeJwt(json(switched).access).sid).toBe(sid);
    expect(new Set((await tokensOf(user.user.id)).map((r) => r.family_id))).toEqual(new Set([sid]));

    await t.app.inject({ method: 'POST', url: '/api/auth/logout/', payload: { refresh: json(switched).refresh } });
    expect((await refresh(user.refresh)).statusCode).toBe(401);
    expect((await switchTo(user.access, user.user.organization.id)).statusCode).toBe(401);
  });

  it('the web app’s cookie flow: the new cookie refreshes, a refresh racing the switch too, and nothing is revoked', async () => {
    const user = await memberOfTwo();
    const switched = await switchTo(user.access, user.secondOrgId, user.refresh);
    expect(switched.statusCode, switched.body).toBe(200);
    const cookie = cookieOf(switched);
    expect(cookie).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    // A refresh sent with the old cookie just before the switch answered (another tab, say).
    const racing = await refreshByCookie(user.refresh);
    expect(racing.statusCode, racing.body).toBe(200);
    const next = await refreshByCookie(cookie!);
    expect(next.statusCode, next.body).toBe(200);
    expect(decodeJwt(json(next).access).org).toBe(user.secondOrgId);
    expect((await tokensOf(user.user.id)).filter((r) => r.revoked_at)).toEqual([]);
  });

  it('a client that switched without its refresh token (bearer only) keeps refreshing with it', async () => {
    const user = await memberOfTwo();
    expect((await switchTo(user.access, user.secondOrgId)).statusCode).toBe(200);
    // Long after any grace window: the token was not spent by the switch, so this is no reuse.
    await t.database.db.execute(
      sql`update refresh_tokens set used_at = used_at - interval '1 hour' where user_id = ${user.user.id}`,
    );
    const res = await refresh(user.refresh);
    expect(res.statusCode, res.body).toBe(200);
    expect((await tokensOf(user.user.id)).filter((r) => r.revoked_at)).toEqual([]);
  });
});

describe('POST /api/auth/logout-all/', () => {
  it('ends every session of the user and clears the cookie; other users keep theirs', async () => {
    const user = await registerUser(t.app);
    const bystander = await registerUser(t.app);
    const second = json(
      await t.app.inject({
        method: 'POST',
        url: '/api/auth/login/',
        payload: { email: user.email, password: user.password },
      }),
    );
    const res = await t.app.inject({ method: 'POST', url: '/api/auth/logout-all/', headers: bearer(second.access) });
    expect(res.statusCode).toBe(204);
    expect(String(res.headers['set-cookie'])).toMatch(/invpro_refresh=;.*Expires=Thu, 01 Jan 1970/);
    for (const token of [user.refresh, second.refresh]) {
      const refused = await refresh(token);
      expect(refused.statusCode).toBe(401);
    }
    expect((await switchTo(user.access, user.user.organization.id)).statusCode).toBe(401);
    expect((await refresh(bystander.refresh)).statusCode).toBe(200);
  });

  it('needs an access token', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/auth/logout-all/' });
    expect(res.statusCode).toBe(401);
    expect(json(res).detail).toMatch(/Bearer/);
  });
});

describe('concurrent refresh', () => {
  it('two refreshes of one token at once both get a pair, and the session stays alive', async () => {
    const user = await registerUser(t.app);
    const [a, b] = await Promise.all([refresh(user.refresh), refresh(user.refresh)]);
    expect([a.statusCode, b.statusCode], `${a.body} ${b.body}`).toEqual([200, 200]);
    expect(json(a).refresh).not.toBe(json(b).refresh);
    expect((await tokensOf(user.user.id)).filter((r) => r.revoked_at)).toEqual([]);
    for (const next of [json(a).refresh, json(b).refresh]) expect((await refresh(next)).statusCode).toBe(200);
  });

  it('a spent token presented after the grace window revokes the whole session', async () => {
    const user = await registerUser(t.app);
    const first = json(await refresh(user.refresh));
    await t.database.db.execute(
      sql`update refresh_tokens set used_at = used_at - interval '11 seconds' where user_id = ${user.user.id} and used_at is not null`,
    );
    const replay = await refresh(user.refresh);
    expect(replay.statusCode).toBe(401);
    expect(json(replay).detail).toMatch(/already used/);
    expect((await refresh(first.refresh)).statusCode).toBe(401);
    expect((await tokensOf(user.user.id)).every((r) => r.revoked_at)).toBe(true);
  });
});
