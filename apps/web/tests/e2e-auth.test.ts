// The whole stack in a browser: chromium → Next (its /api proxy) → the real API → PostgreSQL.
// Needs the root vitest config (its global setup starts PostgreSQL) and a web build.

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startWeb, type WebHarness } from './harness';
import { type RealApi, startRealApi } from './real-api';

let api: RealApi;
let web: WebHarness;

beforeAll(async () => {
  api = await startRealApi();
  web = await startWeb({ apiUrl: api.url });
});

afterAll(async () => {
  await web?.close();
  await api?.close();
});

const field = (page: Page, name: string) => page.getByRole('textbox', { name, exact: true });

it('registers, logs out, logs in by username, survives a reload, and logs out to /login', async () => {
  const { page, webUrl } = web;
  const password = 'Plum-Harbor-Lantern-93!';

  await page.goto(`${webUrl}/register`);
  await field(page, 'Email').fill('grace@example.com');
  await field(page, 'Username').fill('grace');
  await field(page, 'Password').fill(password);
  await field(page, 'Organization name').fill('Hopper Supplies');
  await field(page, 'Organization name').press('Enter');
  await page.waitForURL(`${webUrl}/dashboard`);
  await page.getByRole('heading', { name: 'Welcome, grace' }).waitFor();
  await page.getByTestId('active-organization').getByText('Hopper Supplies').waitFor();

  await page.getByRole('button', { name: 'Log out' }).click();
  await page.waitForURL(`${webUrl}/login`);

  await field(page, 'Email or username').fill('grace');
  await field(page, 'Password').fill(password);
  await field(page, 'Password').press('Enter');
  await page.waitForURL(`${webUrl}/dashboard`);
  await page.getByRole('heading', { name: 'Welcome, grace' }).waitFor();

  await page.reload();
  await page.getByRole('heading', { name: 'Welcome, grace' }).waitFor();
  expect(await page.getByTestId('current-username').textContent()).toBe('grace');

  await page.getByRole('button', { name: 'Log out' }).click();
  await page.waitForURL(`${webUrl}/login`);

  // The API revoked the refresh token and cleared its cookie: the dashboard is closed again.
  await page.goto(`${webUrl}/dashboard`);
  await page.waitForURL(`${webUrl}/login?next=%2Fdashboard`);
});
