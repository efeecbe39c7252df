// The whole stack in a browser: chromium → Next (its /api proxy) → the real API → PostgreSQL.
// Needs the root vitest config (its global setup starts PostgreSQL) and a web build.

import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startWeb, type WebHarness } from './harness';

interface ApiTestApp {
  app: {
    listen(opts: { port: number; host: string }): Promise<string>;
    server: { address(): AddressInfo | string | null };
  };
  close(): Promise<void>;
}

// The API's own test helper, loaded at run time: a static import would pull apps/api's sources
// (nodenext, .ts specifiers) into the web app's type-check and its Next build.
const API_TEST_APP = new URL('../../api/src/test/app.ts', import.meta.url).href;

let api: ApiTestApp;
let web: WebHarness;

beforeAll(async () => {
  const { createTestApp } = (await import(/* @vite-ignore */ API_TEST_APP)) as {
    createTestApp: () => Promise<ApiTestApp>;
  };
  api = await createTestApp();
  await api.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = api.app.server.address() as AddressInfo;
  web = await startWeb({ apiUrl: `http://127.0.0.1:${port}` });
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
