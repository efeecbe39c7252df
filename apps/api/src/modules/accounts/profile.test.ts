import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, json, newAccount, registerUser, type TestApp } from '../../test/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: '3', LOGIN_MAX_ATTEMPTS_PER_ADDRESS: '1000' });
});
afterAll(() => t.close());

type Registered = Awaited<ReturnType<typeof registerUser>>;

const patchMe = (who: Registered, payload: Record<string, unknown>) =>
  t.app.inject({ method: 'PATCH', url: '/api/auth/me/', headers: who.auth, payload });

const loginAs = (payload: Record<string, string>) => t.app.inject({ method: 'POST', url: '/api/auth/login/', payload });

async function userRow(id: string) {
  const res = await t.database.db.execute(sql`select email, username, owns_email from users where id = ${id}`);
  return res.rows[0] as { email: string; username: string; owns_email: boolean };
}

describe('PATCH /api/auth/me/', () => {
  it('changes the username and email with the current password; the new ones log in', async () => {
    const user = await registerUser(t.app);
    const fresh = newAccount();
    const res = await patchMe(user, {
      username: `  ${fresh.username}  `,
      email: fresh.email,
      current_password: user.password,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(json(res)).toMatchObject({ id: user.user.id, username: fresh.username, email: fresh.email });
    expect(await userRow(user.user.id)).toEqual({ email: fresh.email, username: fresh.username, owns_email: true });
    expect((await loginAs({ username: fresh.username, password: user.password })).statusCode).toBe(200);
    expect((await loginAs({ email: fresh.email, password: user.password })).statusCode).toBe(200);
    expect((await loginAs({ username: user.username, password: user.password })).statusCode).toBe(401);
  });

  it('refuses a wrong password with a field error, counts it like a failed login, and changes nothing', async () => {
    const user = await registerUser(t.app);
    const before = await userRow(user.user.id);
    for (let i = 0; i < 3; i++) {
      const res = await patchMe(user, { username: `x${Date.now()}${i}`, current_password: 'not-my-password-at-all' });
      expect(res.statusCode).toBe(400);
      expect(json(res).detail).toMatch(/current password is not correct/);
      expect(json(res).errors.current_password).toHaveLength(1);
    }
    // The account's limit (3 in this file) is reached: the form and the login are both locked.
    const locked = await patchMe(user, { username: `x${Date.now()}`, current_password: user.password });
    expect(locked.statusCode).toBe(429);
    expect(json(locked).detail).toMatch(/Too many failed login attempts/);
    expect((await loginAs({ username: user.username, password: user.password })).statusCode).toBe(429);
    expect(await userRow(user.user.id)).toEqual(before);
  });

  it('a right password clears the failures it follows, as a login does', async () => {
    const user = await registerUser(t.app);
    for (let i = 0; i < 2; i++)
      await patchMe(user, { username: `y${Date.now()}${i}`, current_password: 'wrong-one-here' });
    const ok = await patchMe(user, { username: `y${Date.now()}`, current_password: user.password });
    expect(ok.statusCode, ok.body).toBe(200);
    const again = await patchMe(user, { username: `z${Date.now()}`, current_password: 'wrong-one-here' });
    expect(again.statusCode).toBe(400);
  });

  it('refuses a taken username (any case) with a field error, before the password is checked', async () => {
    const other = await registerUser(t.app);
    const user = await registerUser(t.app);
    const res = await patchMe(user, { username: other.username.toUpperCase(), current_password: 'wrong-anyway' });
    expect(res.statusCode).toBe(400);
    expect(json(res).errors.username[0]).toMatch(/already exists/);
    // Keeping one's own username in another case is no conflict.
    const own = await patchMe(user, { username: user.username.toUpperCase(), current_password: user.password });
    expect(own.statusCode, own.body).toBe(200);
    expect(json(own).username).toBe(user.username.toUpperCase());
  });

  it('does not reveal that an email is taken (decision 0009): the account shares it without owning it', async () => {
    const owner = await registerUser(t.app);
    // Passwords of their own, so a login says which account it opened.
    const user = await registerUser(t.app, { password: 'copper-lantern-meadow-47' });
    const res = await patchMe(user, { email: owner.email.toUpperCase(), current_password: user.password });
    expect(res.statusCode, res.body).toBe(200);
    expect(json(res).email).toBe(owner.email.toUpperCase());
    expect((await userRow(user.user.id)).owns_email).toBe(false);
    expect((await userRow(owner.user.id)).owns_email).toBe(true);
    // Login by email still reaches both accounts, each by its own password.
    expect(json(await loginAs({ email: owner.email, password: user.password })).user.id).toBe(user.user.id);
    expect(json(await loginAs({ email: owner.email, password: owner.password })).user.id).toBe(owner.user.id);
  });

  it('validates like registration: a bad email or username, nothing to change, or no password is a 400', async () => {
    const user = await registerUser(t.app);
    for (const payload of [
      { email: 'not-an-email', current_password: user.password },
      { username: 'a b', current_password: user.password },
      { username: 'ab', current_password: user.password },
      { current_password: user.password },
      { username: `ok${Date.now()}` },
      { username: `ok${Date.now()}`, current_password: '' },
      { username: `ok${Date.now()}`, current_password: user.password, role: 'owner' },
    ]) {
      const res = await patchMe(user, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(json(res).detail.length).toBeGreaterThan(10);
    }
    const anonymous = { ...user, auth: { authorization: 'Bearer nope' } };
    expect(
      (await patchMe(anonymous, { username: `ok${Date.now()}`, current_password: user.password })).statusCode,
    ).toBe(401);
  });
});

async function memberOf(owner: Registered, role: 'admin' | 'member') {
  const joiner = await registerUser(t.app);
  const invite = await t.app.inject({
    method: 'POST',
    url: '/api/team/invitations/',
    headers: owner.auth,
    payload: { email: joiner.email, role },
  });
  const accepted = await t.app.inject({
    method: 'POST',
    url: `/api/auth/invitations/${json(invite).token}/accept/`,
    headers: joiner.auth,
  });
  return { authorization: `Bearer ${json(accepted).access}` };
}

describe('PATCH /api/organization/', () => {
  const rename = (headers: Record<string, string>, payload: unknown) =>
    t.app.inject({ method: 'PATCH', url: '/api/organization/', headers, payload: payload as Record<string, unknown> });

  it('owners and admins rename the active organization (trimmed); everyone sees the new name', async () => {
    const owner = await registerUser(t.app, { organization: 'Before' });
    const res = await rename(owner.auth, { name: '  Acme Outfitters  ' });
    expect(res.statusCode, res.body).toBe(200);
    expect(json(res)).toEqual({ id: owner.user.organization.id, name: 'Acme Outfitters' });
    const admin = await memberOf(owner, 'admin');
    expect((await rename(admin, { name: 'Renamed by the admin' })).statusCode).toBe(200);
    const me = await t.app.inject({ method: 'GET', url: '/api/auth/me/', headers: owner.auth });
    expect(json(me).organization.name).toBe('Renamed by the admin');
  });

  it('refuses a member with 403, and changes nothing', async () => {
    const owner = await registerUser(t.app, { organization: 'Kept name' });
    const member = await memberOf(owner, 'member');
    const res = await rename(member, { name: 'Hijacked' });
    expect(res.statusCode).toBe(403);
    expect(json(res).detail).toMatch(/Only owners and admins/);
    const me = await t.app.inject({ method: 'GET', url: '/api/auth/me/', headers: owner.auth });
    expect(json(me).organization.name).toBe('Kept name');
  });

  it('renames only the caller’s own organization, whatever the body says', async () => {
    const a = await registerUser(t.app, { organization: 'Tenant A' });
    const b = await registerUser(t.app, { organization: 'Tenant B' });
    const smuggled = await rename(a.auth, { name: 'Taken over', id: b.user.organization.id });
    expect(smuggled.statusCode).toBe(400);
    const res = await rename(a.auth, { name: 'A again' });
    expect(json(res).id).toBe(a.user.organization.id);
    const meB = await t.app.inject({ method: 'GET', url: '/api/auth/me/', headers: b.auth });
    expect(json(meB).organization.name).toBe('Tenant B');
  });

  it('validates the name: 1 to 100 characters after trimming', async () => {
    const owner = await registerUser(t.app);
    for (const payload of [{ name: '   ' }, { name: 'x'.repeat(101) }, { name: 'a\u0000b' }, {}, { name: 7 }]) {
      const res = await rename(owner.auth, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(json(res).detail.length).toBeGreaterThan(10);
    }
    expect((await rename(owner.auth, { name: ` ${'x'.repeat(100)} ` })).statusCode).toBe(200);
  });
});
