// The web app's session handling in a real browser, against the in-memory fake API (the full
// stack test against apps/api lives with the API). Needs `npm run build -w @invpro/web` first.

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeApi, startFakeApi } from './fake-api';
import { startWeb, type WebHarness } from './harness';

let api: FakeApi;
let web: WebHarness;
const PASSWORD = 'correct horse battery staple';

const field = (page: Page, name: string) => page.getByRole('textbox', { name, exact: true });
const welcome = (page: Page, username: string) => page.getByRole('heading', { name: `Welcome, ${username}` });

beforeAll(async () => {
  api = await startFakeApi();
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
    await page.getByText('This password is too easy to guess.').waitFor();
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
    await page.getByRole('alert').filter({ hasText: 'password is wrong' }).waitFor();
    await field(page, 'Password').fill(PASSWORD);
    await field(page, 'Password').press('Enter');
    await page.waitForURL(`${webUrl}/dashboard`);
    await welcome(page, 'ada').waitFor();

    await page.reload();
    await welcome(page, 'ada').waitFor();
    // Through the same-origin proxy, trailing slash intact.
    expect(api.stats.requests).toContain('GET /api/auth/me/');
  });

  it('refreshes an expired access token transparently, once', async () => {
    const { page, webUrl } = web;
    await page.goto(`${webUrl}/dashboard/settings/team`);
    await page.getByRole('heading', { name: 'Members' }).waitFor();
    api.expireAccessTokens();
    const refreshesBefore = api.stats.refreshes;
    await field(page, 'Email').fill('bob@example.com');
    await field(page, 'Email').press('Enter');
    const link = await page.getByTestId('invitation-link').inputValue();
    expect(link).toMatch(/\/invite\/[\w-]+$/);
    expect(api.stats.refreshes - refreshesBefore).toBe(1);
    expect(api.stats.reuseDetected).toBe(0);
  });

  it('lets two tabs reload at once without replaying a spent refresh token', async () => {
    const { page, context, webUrl } = web;
    const other = await context.newPage();
    try {
      await other.goto(`${webUrl}/dashboard`);
      await welcome(other, 'ada').waitFor();
      await Promise.all([page.reload(), other.reload()]);
      await Promise.all([page.waitForLoadState('networkidle'), other.waitForLoadState('networkidle')]);
      expect(api.stats.reuseDetected).toBe(0);
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
