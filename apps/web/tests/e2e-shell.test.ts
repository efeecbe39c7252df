// The merchant's app shell in a browser against the real API: the sidebar (and the phone's drawer),
// the skip link, the settings hub (profile, organization, read-only for a member) and the
// dashboard's setup checklist.

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { apiCaller, register } from './e2e-stack';
import { startWeb, type WebHarness } from './harness';
import { type RealApi, startRealApi } from './real-api';

let api: RealApi;
let web: WebHarness;
let call: ReturnType<typeof apiCaller>;

beforeAll(async () => {
  api = await startRealApi();
  web = await startWeb({ apiUrl: api.url });
  call = apiCaller(api);
});

afterAll(async () => {
  await web?.close();
  await api?.close();
});

const OWNER = {
  email: 'ada@shell.example',
  username: 'ada',
  password: 'Lantern-Copper-Meadow-63!',
  organization: 'Analytical Engines',
};
const MEMBER = { email: 'charles@shell.example', username: 'charles', password: 'Harbour-Violet-Tractor-29!' };

const field = (page: Page, name: string) => page.getByRole('textbox', { name, exact: true });
const sidebar = (page: Page) => page.getByRole('navigation', { name: 'Main' });
const navLink = (page: Page, name: string) => sidebar(page).getByRole('link', { name, exact: true });
/** The labels of the links marked as the current page. */
const currentLinks = (page: Page) => page.locator('[aria-current="page"]').allTextContents();
const focused = (page: Page) =>
  page.evaluate(() => ({ id: document.activeElement?.id ?? '', text: document.activeElement?.textContent ?? '' }));

async function logOut(page: Page) {
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.waitForURL(`${web.webUrl}/login`);
}

async function logIn(page: Page, account: { username: string; password: string }) {
  await field(page, 'Email or username').fill(account.username);
  await field(page, 'Password').fill(account.password);
  await field(page, 'Password').press('Enter');
  await page.waitForURL(`${web.webUrl}/dashboard`);
}

it('desktop: the checklist, the sidebar, the skip link and the settings hub', async () => {
  const { page, webUrl } = web;
  await page.setViewportSize({ width: 1280, height: 900 });
  page.setDefaultTimeout(8_000);
  await register(page, webUrl, OWNER);

  // A new organization has all three setup steps still to do.
  const checklist = page.getByTestId('setup-checklist');
  await checklist.waitFor();
  for (const step of ['connect', 'sync', 'team'])
    expect(await checklist.getByTestId(`setup-step-${step}`).getAttribute('data-done')).toBe('false');
  expect(await checklist.getByText('0 of 3 done').count()).toBe(1);
  await checklist.getByRole('link', { name: 'Connect a store' }).click();
  await page.waitForURL(`${webUrl}/dashboard/settings/integrations/shopify`);
  expect(await currentLinks(page)).toEqual(['Stores']);

  // Every sidebar link navigates and becomes the one current page (Team and Stores are under Settings).
  for (const [label, path] of [
    ['Products', '/dashboard/products'],
    ['Locations', '/dashboard/locations'],
    ['Team', '/dashboard/settings/team'],
    ['Settings', '/dashboard/settings'],
    ['Stores', '/dashboard/settings/integrations/shopify'],
    ['Dashboard', '/dashboard'],
  ] as const) {
    await navLink(page, label).click();
    await page.waitForURL(`${webUrl}${path}`);
    await expect.poll(() => currentLinks(page)).toEqual([label]);
  }

  // From the top of a page, the first Tab reaches the skip link, shown; Enter lands in the content.
  await page.goto(`${webUrl}/dashboard/products`);
  await page.getByRole('heading', { level: 1 }).first().waitFor();
  await page.keyboard.press('Tab');
  expect((await focused(page)).text).toBe('Skip to content');
  const skip = page.getByRole('link', { name: 'Skip to content' });
  const box = await skip.boundingBox();
  expect(box && box.y >= 0 && box.height > 0).toBe(true);
  await page.keyboard.press('Enter');
  await expect.poll(async () => (await focused(page)).id).toBe('main-content');
  // Off-screen again once it has lost focus.
  expect(((await skip.boundingBox())?.y ?? 0) < 0).toBe(true);

  // Settings hub: a wrong password is refused on its field; the right one renames the user.
  await navLink(page, 'Settings').click();
  await page.waitForURL(`${webUrl}/dashboard/settings`);
  for (const name of ['Team', 'Stores', 'Password and security', 'Email outbox'])
    await page.getByRole('main').getByRole('link', { name, exact: true }).waitFor();
  expect(await page.getByRole('main').getByRole('link', { name: 'Password and security' }).getAttribute('href')).toBe(
    '/dashboard/settings/security',
  );
  expect(await page.getByRole('main').getByRole('link', { name: 'Email outbox' }).getAttribute('href')).toBe(
    '/dashboard/settings/outbox',
  );
  await field(page, 'Username').fill('ada.lovelace');
  await field(page, 'Current password').fill('not-the-password');
  await page.getByRole('button', { name: 'Save profile' }).click();
  await page.getByText('The current password is not correct.').waitFor();
  expect(await page.getByTestId('current-username').textContent()).toBe(OWNER.username);
  await field(page, 'Current password').fill(OWNER.password);
  await page.getByRole('button', { name: 'Save profile' }).click();
  await expect.poll(() => page.getByTestId('current-username').textContent()).toBe('ada.lovelace');

  // Renaming the organization shows in the switcher.
  await field(page, 'Organization name').fill('Difference Engines');
  await page.getByRole('button', { name: 'Save name' }).click();
  const switcher = page.getByRole('combobox', { name: 'Active organization' });
  await expect.poll(() => switcher.inputValue()).toBe('Difference Engines');
  await page.reload();
  await expect.poll(() => switcher.inputValue()).toBe('Difference Engines');

  // A member sees the name read-only, with who can change it; the API refuses them too.
  const owner = await call<{ access: string }>('', 'POST', '/api/auth/login/', {
    username: 'ada.lovelace',
    password: OWNER.password,
  });
  const invitation = await call<{ token: string }>(owner.access, 'POST', '/api/team/invitations/', {
    email: MEMBER.email,
    role: 'member',
  });
  const member = await call<{ access: string }>('', 'POST', '/api/auth/register/', {
    ...MEMBER,
    invitation: invitation.token,
  });
  const refused = await fetch(`${api.url}/api/organization/`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${member.access}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Taken over' }),
  });
  expect(refused.status).toBe(403);

  await logOut(page);
  await logIn(page, MEMBER);
  await navLink(page, 'Settings').click();
  await page.waitForURL(`${webUrl}/dashboard/settings`);
  expect(await page.getByTestId('organization-name').textContent()).toBe('Difference Engines');
  await page.getByText('Only owners and admins can change the organization’s name.').waitFor();
  expect(await field(page, 'Organization name').count()).toBe(0);

  // For the member the team step is done (they are the second member); the others are not.
  await navLink(page, 'Dashboard').click();
  const steps = page.getByTestId('setup-checklist');
  await steps.waitFor();
  expect(await steps.getByTestId('setup-step-team').getAttribute('data-done')).toBe('true');
  expect(await steps.getByTestId('setup-step-connect').getAttribute('data-done')).toBe('false');
  await steps.getByText('1 of 3 done').waitFor();
});

it('phone: the burger opens the drawer, a link navigates and closes it, Escape closes it', async () => {
  const { page, webUrl } = web;
  await page.setViewportSize({ width: 390, height: 844 });
  page.setDefaultTimeout(8_000);
  await page.goto(`${webUrl}/dashboard`);
  const burger = page.getByRole('button', { name: 'Open navigation' });
  await burger.waitFor();
  // Closed, the drawer holds nothing a keyboard or screen reader could reach.
  expect(await sidebar(page).getByRole('link').count()).toBe(0);

  await burger.click();
  await navLink(page, 'Locations').click();
  await page.waitForURL(`${webUrl}/dashboard/locations`);
  await expect.poll(() => sidebar(page).getByRole('link').count()).toBe(0);
  expect(await page.getByRole('button', { name: 'Open navigation' }).getAttribute('aria-expanded')).toBe('false');

  await page.getByRole('button', { name: 'Open navigation' }).click();
  await navLink(page, 'Settings').waitFor();
  expect(await currentLinks(page)).toEqual(['Locations']);
  // The switcher moved into the drawer.
  await sidebar(page).getByRole('combobox', { name: 'Active organization' }).waitFor();
  await page.keyboard.press('Escape');
  await expect.poll(() => sidebar(page).getByRole('link').count()).toBe(0);
  expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Open navigation');
  expect(await page.url()).toBe(`${webUrl}/dashboard/locations`);
});
