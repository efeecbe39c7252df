// The team flow in a browser against the real API: an owner invites a teammate, the teammate joins
// through the link, and the owner changes their role and removes them.

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
const password = 'Cobalt-Orchard-Signal-47!';

async function logOut(page: Page, webUrl: string) {
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.waitForURL(`${webUrl}/login`);
}

it('invites a teammate who joins through the link; the owner changes their role and removes them', async () => {
  const { page, webUrl } = web;
  page.setDefaultTimeout(8_000);

  await page.goto(`${webUrl}/register`);
  await field(page, 'Email').fill('owner@team.example');
  await field(page, 'Username').fill('teamowner');
  await field(page, 'Password').fill(password);
  await field(page, 'Organization name').fill('Team Co');
  await field(page, 'Organization name').press('Enter');
  await page.waitForURL(`${webUrl}/dashboard`);

  await page.getByRole('link', { name: 'Team', exact: true }).first().click();
  await page.waitForURL(`${webUrl}/dashboard/settings/team`);
  await field(page, 'Email').fill('mate@team.example');
  await page.getByRole('button', { name: 'Create invitation' }).click();
  const link = await page.getByTestId('invitation-link').inputValue();
  expect(link).toMatch(/\/invite\/[0-9a-f-]{36}\.[\w-]+$/);
  await page.getByRole('table', { name: 'Pending invitations' }).getByText('mate@team.example').waitFor();
  await logOut(page, webUrl);

  // The teammate opens the link and creates an account to join.
  await page.goto(link.replace(/^https?:\/\/[^/]+/, webUrl));
  await page.getByText('Team Co').first().waitFor();
  await page.getByRole('link', { name: 'Create an account to join' }).click();
  await field(page, 'Email').fill('mate@team.example');
  await field(page, 'Username').fill('teammate');
  await field(page, 'Password').fill(password);
  await field(page, 'Password').press('Enter');
  await page.waitForURL(`${webUrl}/dashboard`);
  await page.getByTestId('active-organization').getByText('Team Co').waitFor();
  await page.getByText('as Member').waitFor();
  await logOut(page, webUrl);

  // The owner sees the new member, makes them an admin, then removes them.
  await field(page, 'Email or username').fill('teamowner');
  await field(page, 'Password').fill(password);
  await field(page, 'Password').press('Enter');
  await page.waitForURL(`${webUrl}/dashboard`);
  await page.goto(`${webUrl}/dashboard/settings/team`);
  const members = page.getByRole('table', { name: 'Team members' });
  await members.getByText('teammate').waitFor();

  await members.getByRole('combobox', { name: 'Role of teammate' }).click();
  await page.getByRole('option', { name: 'Admin' }).click();
  await page.reload();
  await expect.poll(() => members.getByRole('combobox', { name: 'Role of teammate' }).inputValue()).toBe('Admin');

  await members.getByRole('button', { name: 'Remove teammate' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Remove', exact: true }).click();
  await expect.poll(() => members.getByText('teammate').count()).toBe(0);
  await page.reload();
  await members.getByText('teamowner').waitFor();
  expect(await members.getByText('teammate').count()).toBe(0);
});
