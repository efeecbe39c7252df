import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, json, registerUser, type TestApp } from '../../test/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

type User = Awaited<ReturnType<typeof registerUser>>;

async function invite(by: User, email: string, role = 'member') {
  return t.app.inject({ method: 'POST', url: '/api/team/invitations/', headers: by.auth, payload: { email, role } });
}

/** Register `who` through an invitation from `owner` and return their session in the owner's org. */
async function join(owner: User, role = 'member') {
  const account = { email: `joiner${Date.now()}${Math.random().toString(36).slice(2, 6)}@example.com` };
  const inv = json(await invite(owner, account.email, role));
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/auth/register/',
    payload: {
      email: account.email,
      username: `j${Date.now()}${Math.random().toString(36).slice(2, 6)}`,
      password: 'violet-harbour-tractor-91',
      invitation: inv.token,
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  const body = json(res);
  return { ...body, auth: { authorization: `Bearer ${body.access}` } };
}

describe('invitations', () => {
  it('an owner invites by email and gets a link; registering through it joins with that role', async () => {
    const owner = await registerUser(t.app, { organization: 'Team Co' });
    const res = await invite(owner, 'new.hire@example.com', 'admin');
    expect(res.statusCode).toBe(201);
    const inv = json(res);
    expect(inv.invitation_url).toBe(`http://localhost:3000/invite/${inv.token}`);

    const preview = await t.app.inject({ method: 'GET', url: `/api/auth/invitations/${inv.token}/` });
    expect(json(preview)).toMatchObject({
      organization: { name: 'Team Co' },
      email: 'new.hire@example.com',
      role: 'admin',
    });

    const reg = await t.app.inject({
      method: 'POST',
      url: '/api/auth/register/',
      payload: {
        email: 'New.Hire@example.com',
        username: 'newhire',
        password: 'violet-harbour-tractor-91',
        invitation: inv.token,
      },
    });
    expect(reg.statusCode, reg.body).toBe(201);
    expect(json(reg).user).toMatchObject({ organization: { id: owner.user.organization.id }, role: 'admin' });
    expect(json(reg).user.organizations).toHaveLength(1);

    // Single use.
    const again = await t.app.inject({ method: 'GET', url: `/api/auth/invitations/${inv.token}/` });
    expect(again.statusCode).toBe(404);
  });

  it('stores only a hash of the invitation secret', async () => {
    const owner = await registerUser(t.app);
    const inv = json(await invite(owner, 'hash.check@example.com'));
    const rows = await t.database.db.execute(sql`select token_hash from invitations where id = ${inv.id}`);
    const secret = inv.token.split('.')[1];
    expect(JSON.stringify(rows.rows)).not.toContain(secret);
  });

  it('refuses an invitation meant for another email', async () => {
    const owner = await registerUser(t.app);
    const inv = json(await invite(owner, 'someone.else@example.com'));
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/auth/register/',
      payload: {
        email: 'intruder@example.com',
        username: 'intruder1',
        password: 'violet-harbour-tractor-91',
        invitation: inv.token,
      },
    });
    expect(res.statusCode).toBe(403);
    expect(json(res).detail).toMatch(/someone.else@example.com/);
    const users = await t.database.db.execute(sql`select 1 from users where email = 'intruder@example.com'`);
    expect(users.rows).toHaveLength(0);
  });

  it('refuses a duplicate pending invitation and an existing member; revoking frees the address', async () => {
    const owner = await registerUser(t.app);
    const first = json(await invite(owner, 'dup@example.com'));
    expect((await invite(owner, 'DUP@example.com')).statusCode).toBe(409);
    expect((await invite(owner, owner.email)).statusCode).toBe(409);
    const revoke = await t.app.inject({
      method: 'DELETE',
      url: `/api/team/invitations/${first.id}/`,
      headers: owner.auth,
    });
    expect(revoke.statusCode).toBe(204);
    expect((await invite(owner, 'dup@example.com')).statusCode).toBe(201);
    const list = json(await t.app.inject({ method: 'GET', url: '/api/team/invitations/', headers: owner.auth }));
    expect(list.count).toBe(1);
    expect(list.results[0].token).toBeUndefined();
  });
});

describe('roles', () => {
  it('members can list the team but not manage it', async () => {
    const owner = await registerUser(t.app);
    const member = await join(owner);
    const list = await t.app.inject({ method: 'GET', url: '/api/team/members/', headers: member.auth });
    expect(list.statusCode).toBe(200);
    expect(json(list).count).toBe(2);
    expect((await invite(member as User, 'x@example.com')).statusCode).toBe(403);
    const patch = await t.app.inject({
      method: 'PATCH',
      url: `/api/team/members/${owner.user.id}/`,
      headers: member.auth,
      payload: { role: 'member' },
    });
    expect(patch.statusCode).toBe(403);
    expect(json(patch).detail).toMatch(/owners and admins/);
  });

  it('admins manage members but cannot touch owners or create them', async () => {
    const owner = await registerUser(t.app);
    const admin = await join(owner, 'admin');
    const member = await join(owner);
    const promote = await t.app.inject({
      method: 'PATCH',
      url: `/api/team/members/${member.user.id}/`,
      headers: admin.auth,
      payload: { role: 'admin' },
    });
    expect(promote.statusCode).toBe(200);
    expect(json(promote).role).toBe('admin');
    const toOwner = await t.app.inject({
      method: 'PATCH',
      url: `/api/team/members/${member.user.id}/`,
      headers: admin.auth,
      payload: { role: 'owner' },
    });
    expect(toOwner.statusCode).toBe(403);
    const removeOwner = await t.app.inject({
      method: 'DELETE',
      url: `/api/team/members/${owner.user.id}/`,
      headers: admin.auth,
    });
    expect(removeOwner.statusCode).toBe(403);
    expect((await invite(admin as User, 'boss@example.com', 'owner')).statusCode).toBe(403);
  });

  it('the last owner cannot be demoted or removed; a second owner makes it possible', async () => {
    const owner = await registerUser(t.app);
    const demote = await t.app.inject({
      method: 'PATCH',
      url: `/api/team/members/${owner.user.id}/`,
      headers: owner.auth,
      payload: { role: 'admin' },
    });
    expect(demote.statusCode).toBe(409);
    const leave = await t.app.inject({
      method: 'DELETE',
      url: `/api/team/members/${owner.user.id}/`,
      headers: owner.auth,
    });
    expect(leave.statusCode).toBe(409);
    const second = await join(owner, 'owner');
    const ok = await t.app.inject({
      method: 'PATCH',
      url: `/api/team/members/${owner.user.id}/`,
      headers: second.auth,
      payload: { role: 'member' },
    });
    expect(ok.statusCode).toBe(200);
  });

  it('two owners demoting each other at once leave one owner', async () => {
    const a = await registerUser(t.app);
    const b = await join(a, 'owner');
    const [r1, r2] = await Promise.all([
      t.app.inject({
        method: 'PATCH',
        url: `/api/team/members/${b.user.id}/`,
        headers: a.auth,
        payload: { role: 'member' },
      }),
      t.app.inject({
        method: 'PATCH',
        url: `/api/team/members/${a.user.id}/`,
        headers: b.auth,
        payload: { role: 'member' },
      }),
    ]);
    const statuses = [r1.statusCode, r2.statusCode].sort();
    // One may also be refused because its actor was just demoted (403); never both succeed.
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    const owners = await t.database.db.execute(
      sql`select count(*)::int n from memberships where org_id = ${a.user.organization.id} and role = 'owner'`,
    );
    expect((owners.rows[0] as { n: number }).n).toBe(1);
  });

  it('a removed member loses access at once, even with a valid access token', async () => {
    const owner = await registerUser(t.app);
    const member = await join(owner);
    const del = await t.app.inject({
      method: 'DELETE',
      url: `/api/team/members/${member.user.id}/`,
      headers: owner.auth,
    });
    expect(del.statusCode).toBe(204);
    const list = await t.app.inject({ method: 'GET', url: '/api/team/members/', headers: member.auth });
    expect(list.statusCode).toBe(401);
    const me = await t.app.inject({ method: 'GET', url: '/api/auth/me/', headers: member.auth });
    expect(me.statusCode).toBe(401);
  });

  it('lists paginate with count, next and previous', async () => {
    const owner = await registerUser(t.app);
    await join(owner);
    await join(owner);
    const page1 = json(
      await t.app.inject({ method: 'GET', url: '/api/team/members/?page_size=2', headers: owner.auth }),
    );
    expect(page1).toMatchObject({ count: 3, previous: null, next: '/api/team/members/?page_size=2&page=2' });
    expect(page1.results).toHaveLength(2);
    const page2 = json(await t.app.inject({ method: 'GET', url: page1.next, headers: owner.auth }));
    expect(page2.results).toHaveLength(1);
    expect(page2.next).toBeNull();
    expect(page2.previous).toBe('/api/team/members/?page_size=2&page=1');
  });
});
