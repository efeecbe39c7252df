import { sql } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, json, newAccount, registerUser, type TestApp } from '../../test/app.ts';

// Spied on, to prove what is refused before hashing costs any argon2 time.
const hashes = vi.hoisted(() => ({ count: 0 }));
vi.mock(import('./passwords.ts'), async (original) => {
  const real = await original();
  return {
    ...real,
    hashPassword: (password: string) => {
      hashes.count++;
      return real.hashPassword(password);
    },
  };
});

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const register = (payload: Record<string, string>) =>
  t.app.inject({ method: 'POST', url: '/api/auth/register/', payload });
const login = (payload: Record<string, string>) => t.app.inject({ method: 'POST', url: '/api/auth/login/', payload });

/** The shape of an answer: status, content type, cookie names, and every key path of the body with its type. */
function shapeOf(res: LightMyRequestResponse) {
  const paths: string[] = [];
  const walk = (value: unknown, path: string) => {
    if (Array.isArray(value)) {
      paths.push(`${path}[${value.length}]`);
      for (const [i, v] of value.entries()) walk(v, `${path}[${i}]`);
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value).sort()) walk(v, `${path}.${k}`);
    } else paths.push(`${path}:${typeof value}`);
  };
  walk(json(res), '');
  const cookies = [res.headers['set-cookie']].flat().map((c) => String(c).replace(/=[^;]*/, '=…'));
  return { status: res.statusCode, type: res.headers['content-type'], cookies, paths };
}

const inviteTo = async (team: { auth: Record<string, string> }, email: string) =>
  json(await t.app.inject({ method: 'POST', url: '/api/team/invitations/', headers: team.auth, payload: { email } }));

const userRow = async (id: string) =>
  (await t.database.db.execute(sql`select * from users where id = ${id}`)).rows[0] as Record<string, unknown>;

describe('registering with an email that already has an account', () => {
  it('answers exactly like a free email, and both accounts log in by email with their own passwords', async () => {
    const owner = await registerUser(t.app, { organization: 'Owner Co' });
    const ownerBefore = await userRow(owner.user.id);
    const ownerMemberships = await t.database.db.execute(
      sql`select org_id, role from memberships where user_id = ${owner.user.id}`,
    );

    const newcomer = { ...newAccount(), email: owner.email.toUpperCase(), password: 'copper-lantern-meadow-47' };
    const fresh = newAccount();
    const taken = await register(newcomer);
    const free = await register(fresh);
    expect(taken.statusCode, taken.body).toBe(201);
    expect(shapeOf(taken)).toEqual(shapeOf(free));
    const created = json(taken).user;
    expect(created).toMatchObject({ email: newcomer.email, username: newcomer.username, role: 'owner' });
    expect(created.id).not.toBe(owner.user.id);
    expect(created.organization.id).not.toBe(owner.user.organization.id);
    expect(created.organizations).toHaveLength(1);

    // Each logs in by email with their own password, exactly as if the address had been free.
    const asOwner = await login({ email: owner.email, password: owner.password });
    expect(asOwner.statusCode, asOwner.body).toBe(200);
    expect(json(asOwner).user).toMatchObject({ id: owner.user.id, organization: { name: 'Owner Co' } });
    const asNewcomer = await login({ email: owner.email, password: newcomer.password });
    expect(asNewcomer.statusCode, asNewcomer.body).toBe(200);
    expect(json(asNewcomer).user.id).toBe(created.id);
    expect((await login({ username: newcomer.username, password: newcomer.password })).statusCode).toBe(200);
    const wrong = await login({ email: owner.email, password: 'not-anyones-password-1' });
    expect(wrong.statusCode).toBe(401);

    // The owner's account is untouched (but for its login time), and still owns the address.
    const ownerAfter = await userRow(owner.user.id);
    expect({ ...ownerAfter, last_login_at: null }).toEqual({ ...ownerBefore, last_login_at: null });
    expect(ownerAfter.owns_email).toBe(true);
    expect((await userRow(created.id)).owns_email).toBe(false);
    const membershipsAfter = await t.database.db.execute(
      sql`select org_id, role from memberships where user_id = ${owner.user.id}`,
    );
    expect(membershipsAfter.rows).toEqual(ownerMemberships.rows);

    // The owner is to be told; no password or address goes into that line.
    const notice = t.logs.find((line) => line.includes('registration_with_taken_email'));
    expect(notice).toBeDefined();
    expect(JSON.parse(notice!)).toMatchObject({ owner_user_id: owner.user.id, user_id: created.id });
    expect(notice).not.toContain(newcomer.password);
    expect(notice!.toLowerCase()).not.toContain(owner.email.toLowerCase());
  });

  it('two registrations with one free email at once both succeed, and one of them owns it', async () => {
    const email = `race${Date.now()}@example.com`;
    const answers = await Promise.all([
      register({ ...newAccount(), email }),
      register({ ...newAccount(), email: email.toUpperCase() }),
    ]);
    expect(answers.map((r) => r.statusCode)).toEqual([201, 201]);
    const owners = await t.database.db.execute(
      sql`select owns_email from users where lower(email) = ${email} order by owns_email`,
    );
    expect(owners.rows).toEqual([{ owns_email: false }, { owns_email: true }]);
  });

  it('an account that does not own the address cannot accept an invitation sent to it', async () => {
    const owner = await registerUser(t.app);
    const newcomer = await registerUser(t.app, { email: owner.email });
    const team = await registerUser(t.app, { organization: 'Inviting Co' });
    const invite = await inviteTo(team, owner.email);
    const refused = await t.app.inject({
      method: 'POST',
      url: `/api/auth/invitations/${invite.token}/accept/`,
      headers: newcomer.auth,
    });
    expect(refused.statusCode).toBe(403);
    expect(json(refused).detail).toMatch(/sent to .*Log in with the account of that address/);
    const accepted = await t.app.inject({
      method: 'POST',
      url: `/api/auth/invitations/${invite.token}/accept/`,
      headers: owner.auth,
    });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(json(accepted).user).toMatchObject({ id: owner.user.id, organization: { name: 'Inviting Co' } });
  });

  it('registering through an invitation to an address that has an account says to log in instead', async () => {
    const owner = await registerUser(t.app);
    const team = await registerUser(t.app);
    const invite = await inviteTo(team, owner.email);
    const res = await register({ ...newAccount(), email: owner.email, invitation: invite.token });
    expect(res.statusCode).toBe(400);
    expect(json(res).errors.email[0]).toMatch(/Log in with it, then open the invitation link again/);
    // The link still works for the owner.
    const preview = await t.app.inject({ method: 'GET', url: `/api/auth/invitations/${invite.token}/` });
    expect(preview.statusCode).toBe(200);
  });
});

describe('a taken username', () => {
  it('is refused at once with a field error, before any hashing', async () => {
    const first = await registerUser(t.app);
    const before = hashes.count;
    const res = await register({ ...newAccount(), username: first.username.toUpperCase() });
    expect(res.statusCode).toBe(400);
    expect(json(res).errors.username).toEqual(['A user with this username already exists. Choose another username.']);
    expect(hashes.count).toBe(before);
    // A free one is hashed, once.
    expect((await register(newAccount())).statusCode).toBe(201);
    expect(hashes.count).toBe(before + 1);
  });
});
