import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// The client keeps its token in module state, so each test gets a fresh copy of the module.
async function freshClient() {
  vi.resetModules();
  return import('../lib/api-client');
}

type Handler = (url: string, init: RequestInit) => Response | Promise<Response>;

function mockFetch(handler: Handler) {
  const calls: { url: string; auth: string | null; body: string | undefined }[] = [];
  const fn = vi.fn(async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = String(input);
    calls.push({
      url,
      auth: new Headers(init.headers).get('authorization'),
      body: typeof init.body === 'string' ? init.body : undefined,
    });
    return handler(url, init);
  });
  vi.stubGlobal('fetch', fn);
  return calls;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

const problem = (status: number, detail: string, errors?: Record<string, string[]>) =>
  new Response(JSON.stringify({ type: 'about:blank', title: 'Error', status, detail, errors }), {
    status,
    headers: { 'content-type': 'application/problem+json' },
  });

beforeEach(() => vi.unstubAllGlobals());
afterEach(() => vi.unstubAllGlobals());

describe('apiFetch', () => {
  it('sends the access token and parses JSON', async () => {
    const client = await freshClient();
    const calls = mockFetch(() => json(200, { ok: true }));
    client.startSession({ access: 'A1' });
    await expect(client.apiFetch('/api/auth/me/')).resolves.toEqual({ ok: true });
    expect(calls[0]).toMatchObject({ url: '/api/auth/me/', auth: 'Bearer A1' });
  });

  it('refreshes once for many concurrent 401s and retries each request with the new token', async () => {
    const client = await freshClient();
    let refreshes = 0;
    const calls = mockFetch(async (url, init) => {
      if (url === '/api/token/refresh/') {
        refreshes += 1;
        expect(init.body).toBe('{}');
        expect(init.credentials).toBe('include');
        await new Promise((r) => setTimeout(r, 20));
        return json(200, { access: 'A2', refresh: 'R2' });
      }
      return new Headers(init.headers).get('authorization') === 'Bearer A2'
        ? json(200, { url })
        : problem(401, 'expired');
    });
    client.startSession({ access: 'A1' });
    const results = await Promise.all([
      client.apiFetch('/api/team/members/'),
      client.apiFetch('/api/team/invitations/'),
      client.apiFetch('/api/auth/me/'),
    ]);
    expect(refreshes).toBe(1);
    expect(results).toEqual([
      { url: '/api/team/members/' },
      { url: '/api/team/invitations/' },
      { url: '/api/auth/me/' },
    ]);
    expect(client.getAccessToken()).toBe('A2');
    expect(calls.filter((c) => c.auth === 'Bearer A2')).toHaveLength(3);
  });

  it('reports a lost session once and throws 401 when the refresh is refused', async () => {
    const client = await freshClient();
    mockFetch((url) => (url === '/api/token/refresh/' ? problem(401, 'revoked') : problem(401, 'expired')));
    const expired = vi.fn();
    const refreshed = vi.fn();
    client.setSessionHandlers({ expired, refreshed });
    client.startSession({ access: 'A1' });
    await expect(client.apiFetch('/api/auth/me/')).rejects.toMatchObject({ status: 401 });
    expect(expired).toHaveBeenCalledTimes(1);
    expect(refreshed).not.toHaveBeenCalled();
    expect(client.getAccessToken()).toBeNull();
  });

  it("does not call the expiry handler when the caller handles it ('throw')", async () => {
    const client = await freshClient();
    mockFetch(() => problem(401, 'no'));
    const expired = vi.fn();
    client.setSessionHandlers({ expired, refreshed: vi.fn() });
    await expect(client.apiFetch('/api/auth/me/', { onAuthFailure: 'throw' })).rejects.toMatchObject({ status: 401 });
    expect(expired).not.toHaveBeenCalled();
  });

  it('keeps the session when the server cannot be reached, and says so', async () => {
    const client = await freshClient();
    mockFetch(() => {
      throw new TypeError('fetch failed');
    });
    const expired = vi.fn();
    client.setSessionHandlers({ expired, refreshed: vi.fn() });
    client.startSession({ access: 'A1' });
    const err = await client.apiFetch('/api/auth/me/').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(client.ApiError);
    expect(err).toMatchObject({ status: 0 });
    expect(client.isTransient(err)).toBe(true);
    expect(expired).not.toHaveBeenCalled();
    expect(client.getAccessToken()).toBe('A1');
  });

  it('does not refresh for calls made without auth (login)', async () => {
    const client = await freshClient();
    const calls = mockFetch(() => problem(401, 'The email/username or password is wrong.'));
    await expect(
      client.apiFetch('/api/auth/login/', { method: 'POST', body: { username: 'a', password: 'b' }, auth: false }),
    ).rejects.toMatchObject({ status: 401, detail: 'The email/username or password is wrong.' });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.auth).toBeNull();
  });

  it('exposes field errors and Retry-After', async () => {
    const client = await freshClient();
    mockFetch((url) =>
      url.endsWith('/register/')
        ? problem(400, 'Some fields are not valid.', { email: ['Taken.'] })
        : new Response(JSON.stringify({ status: 429, title: 'Too Many Requests' }), {
            status: 429,
            headers: { 'content-type': 'application/problem+json', 'retry-after': '30' },
          }),
    );
    await expect(
      client.apiFetch('/api/auth/register/', { method: 'POST', body: {}, auth: false }),
    ).rejects.toMatchObject({ status: 400, detail: 'Some fields are not valid.', fieldErrors: { email: ['Taken.'] } });
    const limited = await client
      .apiFetch('/api/auth/login/', { method: 'POST', body: {}, auth: false })
      .catch((e) => e);
    expect(limited).toMatchObject({ status: 429, retryAfter: 30 });
    // In words, as every duration the app shows.
    expect((limited as { detail: string }).detail).toMatch(/try again in half a minute\./);
  });

  it('ignores a refresh that finishes after logout', async () => {
    const client = await freshClient();
    let release: () => void = () => {};
    mockFetch(async (url) => {
      if (url === '/api/token/refresh/') {
        await new Promise<void>((r) => {
          release = r;
        });
        return json(200, { access: 'LATE', refresh: 'R' });
      }
      return problem(401, 'expired');
    });
    const pending = client.refreshSession();
    await new Promise((r) => setTimeout(r, 0));
    client.endSession();
    release();
    await expect(pending).resolves.toBe(false);
    expect(client.getAccessToken()).toBeNull();
  });
});

describe('safeNextPath', () => {
  it('accepts only paths on this site', async () => {
    const { safeNextPath } = await import('../lib/redirects');
    expect(safeNextPath('/dashboard/settings/team?x=1')).toBe('/dashboard/settings/team?x=1');
    expect(safeNextPath('/invite/abc')).toBe('/invite/abc');
    for (const bad of [
      null,
      '',
      'https://evil.example',
      '//evil.example/x',
      '/\\evil.example',
      'javascript:alert(1)',
    ]) {
      expect(safeNextPath(bad)).toBe('/dashboard');
    }
    expect(safeNextPath('/login?next=/x')).toBe('/dashboard');
  });
});
