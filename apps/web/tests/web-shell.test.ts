// The web app's session handling in a real browser: chromium → Next (its /api proxy) → the real
// API → PostgreSQL. Access tokens live 5 seconds here, so a test can let one expire for real.
// Needs the root vitest config (its global setup starts PostgreSQL) and a web build first
// (`npm run build -w @invpro/web`).

import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWeb, type WebHarness } from './harness';
import { type RealApi, startRealApi } from './real-api';

/** What the API received and answered, seen on its own HTTP server. */
interface ApiTraffic {
  /** `METHOD /path/` of every request, in arrival order. */
  requests: string[];
  /** `METHOD /path/ STATUS` of every answer. */
  answers: string[];
  refreshes: number;
  /** Refreshes the API refused because the token had been spent already (it then revokes the login). */
  reuseDetected: number;
}

const ACCESS_TOKEN_TTL_SECONDS = 5;

let api: RealApi;
let traffic: ApiTraffic;
let web: WebHarness;
const PASSWORD = 'Plum-Harbor-Lantern-93!';

const field = (page: Page, name: string) => page.getByRole('textbox', { name, exact: true });
const welcome = (page: Page, username: string) => page.getByRole('heading', { name: `Welcome, ${username}` });

/** Records the API's traffic; runs before the API's own handler so no answer escapes it. */
function watchApi(server: Server): ApiTraffic {
  const seen: ApiTraffic = { requests: [], answers: [], refreshes: 0, reuseDetected: 0 };
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    const line = `${req.method} ${(req.url ?? '').split('?')[0]}`;
    seen.requests.push(line);
    const isRefresh = line === 'POST /api/token/refresh/';
    if (isRefresh) seen.refreshes += 1;
    const end = res.end;
    res.end = function (this: ServerResponse, ...args: unknown[]) {
      seen.answers.push(`${line} ${res.statusCode}`);
      const [chunk] = args;
      if (isRefresh && res.statusCode === 401 && /already used/.test(String(chunk))) seen.reuseDetected += 1;
      return end.apply(this, args as Parameters<ServerResponse['end']>);
    } as ServerResponse['end'];
  });
  return seen;
}

beforeAll(async () => {
  api = await startRealApi({ ACCESS_TOKEN_TTL_SECONDS: String(ACCESS_TOKEN_TTL_SECONDS) }, (server) => {
    traffic = watchApi(server);
  });
  web = await startWeb({ apiUrl: api.url });
});

afterAll(async () => {
  await web?.close();
  await api?.close();
});

describe('web shell session', () => {
  it('sends visitors without a session to /login, remembering where they were going', async () => {
    const { page, webUrl } = web;
    await page.goto(`${webUrl}/dashboard/settings/team`);
    await page.waitForURL(`${webUrl}/login?next=%2Fdashboard%2Fsettings%2Fteam`);
    await field(page, 'Email or username').waitFor();
  });

  it('registers, shows API field errors inline, and lands on the dashboard', async () => {
    const { page, webUrl } = web;
    await page.goto(`${webUrl}/register`);
    await field(page, 'Email').fill('ada@example.com');
    await field(page, 'Username').fill('ada');
    await field(page, 'Password').fill('short');
    await field(page, 'Password').press('Enter');
    await page.getByText('Use at least 10 characters.').waitFor();
    await field(page, 'Password').fill(PASSWORD);
    await field(page, 'Organization name').fill('Ada Goods');
    await field(page, 'Organization name').press('Enter');
    await page.waitForURL(`${webUrl}/dashboard`);
    await welcome(page, 'ada').waitFor();
    await page.getByTestId('active-organization').getByText('Ada Goods').waitFor();
  });

  it('keeps the refresh token out of reach of scripts and the access token out of storage', async () => {
    const { page, context } = web;
    const cookie = (await context.cookies()).find((c) => c.name === 'invpro_refresh');
    expect(cookie).toMatchObject({ httpOnly: true, path: '/api/' });
    const visible = await page.evaluate(() => ({
      cookies: document.cookie,
      storage: JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
    }));
    expect(visible.cookies).not.toContain('invpro_refresh');
    expect(visible.storage).toBe('{}{}');
  });

  it('logs out, then logs in by username and stays logged in across a reload', async () => {
    const { page, webUrl } = web;
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(`${webUrl}/login`);

    await field(page, 'Email or username').fill('ada');
    await field(page, 'Password').fill('wrong password');
    await field(page, 'Password').press('Enter');
    await page.getByRole('alert').filter({ hasText: 'No active account found with the given credentials' }).waitFor();
    await field(page, 'Password').fill(PASSWORD);
    await field(page, 'Password').press('Enter');
    await page.waitForURL(`${webUrl}/dashboard`);
    await welcome(page, 'ada').waitFor();

    await page.reload();
    await welcome(page, 'ada').waitFor();
    // Through the same-origin proxy, trailing slash intact.
    expect(traffic.requests).toContain('GET /api/auth/me/');
  });

  it('refreshes an expired access token transparently, once', async () => {
    const { page, webUrl } = web;
    await page.goto(`${webUrl}/dashboard/settings/team`);
    await page.getByRole('heading', { name: 'Members' }).waitFor();
    // The page's access token was issued before the heading showed: let it expire for real.
    await new Promise((resolve) => setTimeout(resolve, (ACCESS_TOKEN_TTL_SECONDS + 1) * 1000));
    const refreshesBefore = traffic.refreshes;
    const answersBefore = traffic.answers.length;
    await field(page, 'Email').fill('bob@example.com');
    await field(page, 'Email').press('Enter');
    const link = await page.getByTestId('invitation-link').inputValue();
    expect(link).toMatch(/\/invite\/[0-9a-f-]{36}\.[\w-]+$/);
    // The API refused the expired token, the client refreshed and sent the request again.
    const invites = traffic.answers.slice(answersBefore).filter((a) => a.startsWith('POST /api/team/invitations/'));
    expect(invites).toEqual(['POST /api/team/invitations/ 401', 'POST /api/team/invitations/ 201']);
    expect(traffic.refreshes - refreshesBefore).toBe(1);
    expect(traffic.reuseDetected).toBe(0);
  });

  it('lets two tabs reload at once without replaying a spent refresh token', async () => {
    const { page, context, webUrl } = web;
    const other = await context.newPage();
    try {
      await other.goto(`${webUrl}/dashboard`);
      await welcome(other, 'ada').waitFor();
      await Promise.all([page.reload(), other.reload()]);
      await Promise.all([page.waitForLoadState('networkidle'), other.waitForLoadState('networkidle')]);
      expect(traffic.reuseDetected).toBe(0);
      await Promise.all([page.getByRole('heading', { name: 'Members' }).waitFor(), welcome(other, 'ada').waitFor()]);

      // Logging out in one tab ends the session in the other as well.
      await other.getByRole('button', { name: 'Log out' }).click();
      await other.waitForURL(`${webUrl}/login`);
      await page.waitForURL(/\/login\?next=/);
    } finally {
      await other.close();
    }
  });

  it('goes to /login after logout and no longer gets in with the old cookie', async () => {
    const { page, webUrl } = web;
    await page.goto(`${webUrl}/dashboard`);
    await page.waitForURL(`${webUrl}/login?next=%2Fdashboard`);
  });
});
