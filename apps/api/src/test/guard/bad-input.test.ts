import type { InjectOptions } from 'fastify';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jwtKey } from '../../modules/accounts/tokens.ts';
import { TEST_SECRET_KEY, type TestApp } from '../app.ts';
import { databaseChecksum } from './checksum.ts';
import { pathOf, ROUTES, requestFor, routeKey } from './routes.ts';
import { setupGuardWorld, type World } from './world.ts';

let t: TestApp;
let w: World;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ t, w, close } = await setupGuardWorld());
});
afterAll(() => close());

const HOSTILE_STRINGS = [
  "' OR 1=1 --",
  '"; DROP TABLE users; --',
  '<script>alert(1)</script>',
  '\u0000',
  'a'.repeat(100_000),
  '\ud800',
  '\u202e\u200b',
  '𝕏'.repeat(300),
  '../../etc/passwd',
];
const WRONG_TYPES: unknown[] = [123, true, null, [], {}, -1.5];

interface Case {
  name: string;
  request: InjectOptions;
}

function withAuth(base: InjectOptions, authorization?: string): InjectOptions {
  const headers = { ...(base.headers as Record<string, string>) };
  delete headers.authorization;
  if (authorization) headers.authorization = authorization;
  return { ...base, headers };
}

async function badTokens(): Promise<[string, string | undefined][]> {
  const key = jwtKey(TEST_SECRET_KEY);
  const claims = { org: w.A.orgId, role: 'owner' };
  const expired = await new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(w.A.owner.user.id)
    .setIssuer('invpro360')
    .setAudience('invpro360-api')
    .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
    .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
    .sign(key);
  const otherKey = await new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(w.A.owner.user.id)
    .setIssuer('invpro360')
    .setAudience('invpro360-api')
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode('x'.repeat(32)));
  const [h, p, s] = w.A.owner.access.split('.');
  const forgedPayload = Buffer.from(
    JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), org: w.B.orgId }),
  ).toString('base64url');
  const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${p}.`;
  return [
    ['no token', undefined],
    ['garbage', 'Bearer garbage'],
    ['not bearer', `Basic ${Buffer.from('a:b').toString('base64')}`],
    ['expired', `Bearer ${expired}`],
    ['signed with another key', `Bearer ${otherKey}`],
    ['tampered payload (other org)', `Bearer ${h}.${forgedPayload}.${s}`],
    ['alg none', `Bearer ${none}`],
  ];
}

async function casesFor(method: string, url: string): Promise<Case[]> {
  const guard = ROUTES[routeKey(method, url)];
  if (!guard?.valid) return [];
  const valid = guard.valid(w);
  const base = requestFor(method, url, valid, w);
  const cases: Case[] = [];

  if (valid.auth) {
    for (const [name, header] of await badTokens())
      cases.push({ name: `token: ${name}`, request: withAuth(base, header) });
  }
  if (valid.body) {
    const raw = (payload: string, contentType = 'application/json'): InjectOptions => ({
      ...base,
      payload,
      headers: { ...(base.headers as Record<string, string>), 'content-type': contentType },
    });
    cases.push({ name: 'malformed JSON', request: raw('{"email": ') });
    cases.push({ name: 'JSON array', request: raw('[]') });
    cases.push({ name: 'JSON string', request: raw('"hello"') });
    cases.push({ name: 'JSON null', request: raw('null') });
    cases.push({ name: 'form encoded', request: raw('a=b', 'application/x-www-form-urlencoded') });
    cases.push({ name: 'body over 1 MB', request: raw(JSON.stringify({ ...valid.body, pad: 'x'.repeat(1_100_000) })) });
    cases.push({ name: 'unknown field', request: { ...base, payload: { ...valid.body, is_superuser: true } } });
    for (const field of Object.keys(valid.body)) {
      const { [field]: _dropped, ...rest } = valid.body;
      if (!guard.optional?.includes(field))
        cases.push({ name: `missing ${field}`, request: { ...base, payload: rest } });
      const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
      for (const value of WRONG_TYPES.filter((v) => kind(v) !== kind(valid.body![field]))) {
        cases.push({
          name: `${field} = ${JSON.stringify(value)}`,
          request: { ...base, payload: { ...valid.body, [field]: value } },
        });
      }
      // Free text accepts any characters (they are stored literally); formatted fields must refuse them.
      if (field !== 'password' && field !== 'organization') {
        const freeText = guard.freeText?.includes(field) || field.endsWith('password');
        for (const value of freeText
          ? HOSTILE_STRINGS.filter((v) => v === '\u0000' || v.length > 1000)
          : HOSTILE_STRINGS) {
          cases.push({
            name: `${field} = hostile ${JSON.stringify(value.slice(0, 20))}`,
            request: { ...base, payload: { ...valid.body, [field]: value } },
          });
        }
      }
    }
  }
  for (const name of Object.keys(valid.params ?? {})) {
    for (const value of ["' OR 1=1 --", '<b>x</b>', 'x'.repeat(400), '00000000-0000-0000-0000-00000000000g', '%00']) {
      cases.push({
        name: `param ${name} = ${JSON.stringify(value.slice(0, 20))}`,
        request: {
          ...base,
          url: base.url!.toString().replace(encodeURIComponent(valid.params![name]!), encodeURIComponent(value)),
        },
      });
    }
  }
  if (method === 'GET' && valid.auth) {
    const path = pathOf(url, valid.params);
    for (const query of ['page=abc', 'page=0', 'page_size=100000', 'page=-1', 'unknown=1', `page=${'9'.repeat(40)}`]) {
      if (guard.valid(w).query || url.endsWith('/members/') || url.endsWith('/invitations/')) {
        cases.push({ name: `query ${query}`, request: { ...base, url: `${path}?${query}` } });
      }
    }
    // Each declared parameter broken in turn, the others kept valid.
    const query = valid.query ?? {};
    const withQuery = (name: string, values: string[]) => {
      const params = new URLSearchParams(query);
      params.delete(name);
      for (const v of values) params.append(name, v);
      return `${path}?${params.toString()}`;
    };
    for (const name of Object.keys(query).filter((n) => n !== 'page' && n !== 'page_size')) {
      const hostile = guard.freeText?.includes(name)
        ? HOSTILE_STRINGS.filter((v) => v === '\u0000' || v.length > 1000)
        : HOSTILE_STRINGS;
      for (const value of [...hostile, ''].filter((v) => v !== '' || !guard.freeText?.includes(name)))
        cases.push({
          name: `query ${name} = ${JSON.stringify(value.slice(0, 20))}`,
          request: { ...base, url: withQuery(name, [value]) },
        });
      cases.push({ name: `query ${name} repeated`, request: { ...base, url: withQuery(name, [query[name]!, 'x']) } });
    }
  }
  return cases;
}

describe('bad input: every route answers 4xx problem+json with a detail, never 5xx, and changes nothing', () => {
  it('every registered route declares a valid request to break (or has no input)', () => {
    const missing = t.app.registeredRoutes.map((r) => routeKey(r.method, r.url)).filter((key) => !(key in ROUTES));
    expect(missing).toEqual([]);
  });

  for (const [key] of Object.entries(ROUTES)) {
    const [method, url] = key.split(' ') as [string, string];
    it(key, async () => {
      const cases = await casesFor(method, url);
      if (cases.length === 0) return;
      const checksum = async () => {
        const sums = await databaseChecksum(t.database.db);
        for (const table of ROUTES[key]!.records?.tables ?? []) delete sums[table];
        return sums;
      };
      const before = await checksum();
      for (const { name, request } of cases) {
        const res = await t.app.inject(request);
        const where = `${key} [${name}] → ${res.statusCode} ${res.body.slice(0, 300)}`;
        expect(res.statusCode, where).toBeGreaterThanOrEqual(400);
        expect(res.statusCode, where).toBeLessThan(500);
        expect(res.headers['content-type'], where).toContain('application/problem+json');
        const body = res.json();
        expect(typeof body.detail, where).toBe('string');
        expect(body.detail.length, where).toBeGreaterThan(10);
        expect(body.status, where).toBe(res.statusCode);
      }
      expect(await checksum()).toEqual(before);
    });
  }

  it('answers 404, 405 and malformed JSON as problem+json', async () => {
    const missing = await t.app.inject({ method: 'GET', url: '/api/nope/' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().detail).toMatch(/No endpoint/);
    const wrongMethod = await t.app.inject({ method: 'PUT', url: '/api/auth/login/' });
    expect(wrongMethod.statusCode).toBe(405);
    expect(wrongMethod.headers.allow).toBe('POST');
    expect(wrongMethod.headers['content-type']).toContain('application/problem+json');
  });

  it('judges the host the client used: X-Forwarded-Host from a trusted (loopback) hop', async () => {
    // app.inject comes from 127.0.0.1, like our web server's /api proxy.
    const proxied = await t.app.inject({
      method: 'GET',
      url: '/api/health/',
      headers: { host: 'api.internal:8000', 'x-forwarded-host': 'localhost:3000' },
    });
    expect(proxied.statusCode).toBe(200);
    const forged = await t.app.inject({
      method: 'GET',
      url: '/api/health/',
      headers: { host: 'localhost', 'x-forwarded-host': 'evil.example.com' },
    });
    expect(forged.statusCode).toBe(400);
    expect(forged.json().detail).toMatch(/evil.example.com.*ALLOWED_HOSTS/);
  });

  it('refuses a request whose Host is not allowed', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/health/', headers: { host: 'evil.example.com' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().detail).toMatch(/ALLOWED_HOSTS/);
  });
});
