// An in-memory stand-in for the API, implementing the contract the web app is built against,
// including the parts that make the client tricky: refresh tokens rotate on every use, replaying
// a spent one revokes the whole family, and access tokens can be made to expire quickly. It lets
// the web app's own browser tests run without PostgreSQL; it is not a model of the real rules.

import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Role = 'owner' | 'admin' | 'member';

interface FakeUser {
  id: string;
  email: string;
  username: string;
  password: string;
}

interface RefreshRow {
  userId: string;
  orgId: string;
  family: string;
  used: boolean;
  revoked: boolean;
}

interface FakeInvitation {
  id: string;
  token: string;
  orgId: string;
  email: string;
  role: Role;
  createdAt: string;
  expiresAt: string;
}

export interface FakeApi {
  url: string;
  /** Counters and switches for assertions. */
  stats: { refreshes: number; reuseDetected: number; requests: string[] };
  /** How long new access tokens live. */
  setAccessTtl(ms: number): void;
  /** Makes every access token issued so far invalid, as if 15 minutes had passed. */
  expireAccessTokens(): void;
  close(): Promise<void>;
}

const COOKIE = 'invpro_refresh';

export async function startFakeApi(): Promise<FakeApi> {
  const users: FakeUser[] = [];
  const orgs = new Map<string, string>();
  const memberships: { userId: string; orgId: string; role: Role; joinedAt: string }[] = [];
  const refreshTokens = new Map<string, RefreshRow>();
  const accessTokens = new Map<string, { userId: string; orgId: string; exp: number }>();
  const invitations: FakeInvitation[] = [];
  const stats = { refreshes: 0, reuseDetected: 0, requests: [] as string[] };
  let accessTtl = 15 * 60_000;
  let webOrigin = 'http://127.0.0.1';

  const roleIn = (userId: string, orgId: string) =>
    memberships.find((m) => m.userId === userId && m.orgId === orgId)?.role;

  const userView = (user: FakeUser, orgId: string) => ({
    id: user.id,
    email: user.email,
    username: user.username,
    organization: { id: orgId, name: orgs.get(orgId) ?? '' },
    role: roleIn(user.id, orgId) ?? 'member',
    organizations: memberships
      .filter((m) => m.userId === user.id)
      .map((m) => ({ id: m.orgId, name: orgs.get(m.orgId) ?? '', role: m.role })),
  });

  const issue = (userId: string, orgId: string, family: string = randomUUID()) => {
    const access = randomBytes(16).toString('hex');
    const refresh = randomBytes(16).toString('hex');
    accessTokens.set(access, { userId, orgId, exp: Date.now() + accessTtl });
    refreshTokens.set(refresh, { userId, orgId, family, used: false, revoked: false });
    return { access, refresh };
  };

  const session = (res: ServerResponse, user: FakeUser, orgId: string, status = 200, family?: string) => {
    const pair = issue(user.id, orgId, family);
    setCookie(res, pair.refresh);
    send(res, status, { ...pair, user: userView(user, orgId) });
  };

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    stats.requests.push(`${method} ${path}`);
    webOrigin = `${req.headers['x-forwarded-proto'] ?? 'http'}://${req.headers['x-forwarded-host'] ?? req.headers.host}`;
    const body = await readJson(req);
    if (body === undefined) return problem(res, 400, 'The body is not valid JSON.');

    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const auth = bearer ? accessTokens.get(bearer) : undefined;
    const authed = auth && auth.exp > Date.now() ? auth : undefined;
    const me = authed ? users.find((u) => u.id === authed.userId) : undefined;

    if (method === 'POST' && path === '/api/auth/register/') {
      const { email, username, password, organization, invitation } = body as Record<string, string | undefined>;
      const errors: Record<string, string[]> = {};
      if (!email?.includes('@')) errors.email = ['Enter a valid email address.'];
      else if (users.some((u) => u.email === email)) errors.email = ['An account with this email already exists.'];
      if (!username || username.length < 3) errors.username = ['A username has at least 3 characters.'];
      else if (users.some((u) => u.username === username)) errors.username = ['This username is taken.'];
      if (!password || password.length < 8) errors.password = ['This password is too easy to guess.'];
      if (Object.keys(errors).length) return problem(res, 400, 'Some fields are not valid.', errors);
      const user: FakeUser = { id: randomUUID(), email: email!, username: username!, password: password! };
      users.push(user);
      let orgId: string;
      const inv = invitation ? invitations.find((i) => i.token === invitation) : undefined;
      if (invitation && !inv) return problem(res, 404, 'This invitation was not found.');
      if (inv) {
        orgId = inv.orgId;
        memberships.push({ userId: user.id, orgId, role: inv.role, joinedAt: new Date().toISOString() });
        invitations.splice(invitations.indexOf(inv), 1);
      } else {
        orgId = randomUUID();
        orgs.set(orgId, organization || `${username}'s organization`);
        memberships.push({ userId: user.id, orgId, role: 'owner', joinedAt: new Date().toISOString() });
      }
      return session(res, user, orgId, 201);
    }

    if (method === 'POST' && path === '/api/auth/login/') {
      const { email, username, password } = body as Record<string, string | undefined>;
      const user = users.find((u) => (email ? u.email === email : u.username === username));
      if (!user || user.password !== password) return problem(res, 401, 'The email/username or password is wrong.');
      const first = memberships.find((m) => m.userId === user.id);
      return session(res, user, first!.orgId);
    }

    if (method === 'POST' && path === '/api/token/refresh/') {
      stats.refreshes += 1;
      const presented = (body as { refresh?: string }).refresh ?? cookieOf(req);
      const row = presented ? refreshTokens.get(presented) : undefined;
      if (!row || row.revoked) return problem(res, 401, 'The refresh token is invalid or has expired. Log in again.');
      if (row.used) {
        stats.reuseDetected += 1;
        for (const r of refreshTokens.values()) if (r.family === row.family) r.revoked = true;
        return problem(res, 401, 'This refresh token was already used. Every session from that login was ended.');
      }
      row.used = true;
      const pair = issue(row.userId, row.orgId, row.family);
      setCookie(res, pair.refresh);
      return send(res, 200, pair);
    }

    if (method === 'POST' && path === '/api/auth/logout/') {
      const presented = cookieOf(req);
      const row = presented ? refreshTokens.get(presented) : undefined;
      if (row) for (const r of refreshTokens.values()) if (r.family === row.family) r.revoked = true;
      res.setHeader('set-cookie', `${COOKIE}=; Path=/api/; HttpOnly; SameSite=Lax; Max-Age=0`);
      res.writeHead(204).end();
      return;
    }

    const invitationMatch = /^\/api\/auth\/invitations\/([^/]+)\/(accept\/)?$/.exec(path);
    if (invitationMatch && method === 'GET' && !invitationMatch[2]) {
      const inv = invitations.find((i) => i.token === decodeURIComponent(invitationMatch[1]!));
      if (!inv) return problem(res, 404, 'This invitation was not found.');
      return send(res, 200, {
        organization: { id: inv.orgId, name: orgs.get(inv.orgId) },
        email: inv.email,
        role: inv.role,
        expires_at: inv.expiresAt,
      });
    }

    if (!me || !authed) return problem(res, 401, 'Log in to do this.');

    if (method === 'GET' && path === '/api/auth/me/') return send(res, 200, userView(me, authed.orgId));

    if (method === 'POST' && path === '/api/auth/switch-organization/') {
      const orgId = (body as { organization_id?: string }).organization_id ?? '';
      if (!roleIn(me.id, orgId)) return problem(res, 404, 'Organization was not found.');
      return session(res, me, orgId);
    }

    if (invitationMatch?.[2] && method === 'POST') {
      const inv = invitations.find((i) => i.token === decodeURIComponent(invitationMatch[1]!));
      if (!inv) return problem(res, 404, 'This invitation was not found.');
      if (!roleIn(me.id, inv.orgId)) {
        memberships.push({ userId: me.id, orgId: inv.orgId, role: inv.role, joinedAt: new Date().toISOString() });
      }
      invitations.splice(invitations.indexOf(inv), 1);
      return session(res, me, inv.orgId);
    }

    const role = roleIn(me.id, authed.orgId);
    const manager = role === 'owner' || role === 'admin';

    if (method === 'GET' && path === '/api/team/members/') {
      const results = memberships
        .filter((m) => m.orgId === authed.orgId)
        .map((m) => {
          const u = users.find((x) => x.id === m.userId)!;
          return { user_id: u.id, email: u.email, username: u.username, role: m.role, joined_at: m.joinedAt };
        });
      return send(res, 200, { count: results.length, next: null, previous: null, results });
    }

    const memberMatch = /^\/api\/team\/members\/([^/]+)\/$/.exec(path);
    if (memberMatch && (method === 'PATCH' || method === 'DELETE')) {
      if (!manager) return problem(res, 403, 'Only owners and admins can change the team.');
      const m = memberships.find((x) => x.orgId === authed.orgId && x.userId === memberMatch[1]);
      if (!m) return problem(res, 404, 'Member was not found.');
      if (method === 'DELETE') {
        memberships.splice(memberships.indexOf(m), 1);
        res.writeHead(204).end();
        return;
      }
      m.role = (body as { role: Role }).role;
      const u = users.find((x) => x.id === m.userId)!;
      return send(res, 200, {
        user_id: u.id,
        email: u.email,
        username: u.username,
        role: m.role,
        joined_at: m.joinedAt,
      });
    }

    if (path === '/api/team/invitations/' && method === 'GET') {
      if (!manager) return problem(res, 403, 'Only owners and admins can see invitations.');
      const results = invitations
        .filter((i) => i.orgId === authed.orgId)
        .map((i) => ({ id: i.id, email: i.email, role: i.role, created_at: i.createdAt, expires_at: i.expiresAt }));
      return send(res, 200, { count: results.length, next: null, previous: null, results });
    }

    if (path === '/api/team/invitations/' && method === 'POST') {
      if (!manager) return problem(res, 403, 'Only owners and admins can invite.');
      const { email, role: invitedRole } = body as { email?: string; role?: Role };
      if (!email?.includes('@'))
        return problem(res, 400, 'Some fields are not valid.', { email: ['Enter a valid email.'] });
      const inv: FakeInvitation = {
        id: randomUUID(),
        token: randomBytes(16).toString('base64url'),
        orgId: authed.orgId,
        email,
        role: invitedRole ?? 'member',
        createdAt: new Date().toISOString(),
        expiresAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
      };
      invitations.push(inv);
      return send(res, 201, {
        id: inv.id,
        email: inv.email,
        role: inv.role,
        created_at: inv.createdAt,
        expires_at: inv.expiresAt,
        token: inv.token,
        invitation_url: `${webOrigin}/invite/${inv.token}`,
      });
    }

    const invitationIdMatch = /^\/api\/team\/invitations\/([^/]+)\/$/.exec(path);
    if (invitationIdMatch && method === 'DELETE') {
      const inv = invitations.find((i) => i.id === invitationIdMatch[1] && i.orgId === authed.orgId);
      if (!inv) return problem(res, 404, 'Invitation was not found.');
      invitations.splice(invitations.indexOf(inv), 1);
      res.writeHead(204).end();
      return;
    }

    return problem(res, 404, 'No such route.');
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    setAccessTtl(ms) {
      accessTtl = ms;
    },
    expireAccessTokens() {
      for (const token of accessTokens.values()) token.exp = 0;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function setCookie(res: ServerResponse, refresh: string): void {
  res.setHeader('set-cookie', `${COOKIE}=${refresh}; Path=/api/; HttpOnly; SameSite=Lax; Max-Age=2592000`);
}

function cookieOf(req: IncomingMessage): string | undefined {
  const match = new RegExp(`(?:^|;\\s*)${COOKIE}=([^;]+)`).exec(req.headers.cookie ?? '');
  return match?.[1];
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function problem(res: ServerResponse, status: number, detail: string, errors?: Record<string, string[]>): void {
  res
    .writeHead(status, { 'content-type': 'application/problem+json' })
    .end(JSON.stringify({ type: 'about:blank', title: 'Error', status, detail, ...(errors ? { errors } : {}) }));
}

/** Parsed JSON body, {} when empty, undefined when unreadable. */
async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString();
  if (!text) return {};
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
