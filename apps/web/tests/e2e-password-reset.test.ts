// Password reset and the local outbox in a browser against the real API (no SMTP): a member asks
// for a reset on /login, the organization's owner (logged in in another browser) finds the link in
// the outbox, the member sets a new password with the strength meter showing, and logs in with it.
// The invitation email that brought the member in is in the outbox too.

import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { browserLaunch } from './browser';
import { startWeb, type WebHarness } from './harness';
import { type RealApi, startRealApi } from './real-api';

let api: RealApi;
let web: WebHarness;
let memberBrowser: Browser | undefined;

beforeAll(async () => {
  api = await startRealApi();
  web = await startWeb({ apiUrl: api.url });
  // Links in mail point at the web app the browser uses.
  api.config.publicWebUrl = web.webUrl;
  memberBrowser = await chromium.launch({ ...(await browserLaunch()), headless: true });
});

afterAll(async () => {
  await memberBrowser?.close();
  await web?.close();
  await api?.close();
});

const field = (page: Page, name: string) => page.getByRole('textbox', { name, exact: true });
const ownerPassword = 'Cobalt-Orchard-Signal-47!';
const memberPassword = 'Velvet-Canyon-Harbor-83';
const newPassword = 'Lantern-Quartz-Meadow-29';
const changedPassword = 'Saddle-Copper-Orchid-58';
const memberEmail = 'relay.member@relay.example';

async function post<T>(path: string, body: unknown, token?: string): Promise<T> {
  const res = await fetch(`${api.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function logIn(page: Page, identifier: string, password: string) {
  await page.goto(`${web.webUrl}/login`);
  await field(page, 'Email or username').fill(identifier);
  await field(page, 'Password').fill(password);
  await field(page, 'Password').press('Enter');
}

it('a member resets a forgotten password through the link the owner finds in the outbox', async () => {
  const owner = web.page;
  owner.setDefaultTimeout(10_000);

  // The owner registers (the meter shows on the register page too) and invites the member.
  await owner.goto(`${web.webUrl}/register`);
  await field(owner, 'Email').fill('owner@relay.example');
  await field(owner, 'Username').fill('relayowner');
  await field(owner, 'Password').fill(ownerPassword);
  await owner
    .getByTestId('password-strength-label')
    .getByText(/Strength: (Strong|Very strong)/)
    .waitFor();
  await field(owner, 'Organization name').fill('Relay Co');
  await field(owner, 'Organization name').press('Enter');
  await owner.waitForURL(`${web.webUrl}/dashboard`);

  const ownerApi = await post<{ access: string }>('/api/auth/login/', {
    username: 'relayowner',
    password: ownerPassword,
  });
  const invitation = await post<{ token: string }>(
    '/api/team/invitations/',
    { email: memberEmail, role: 'member' },
    ownerApi.access,
  );
  await post('/api/auth/register/', {
    email: memberEmail,
    username: 'relaymember',
    password: memberPassword,
    invitation: invitation.token,
  });

  // The invitation email is in the outbox.
  await owner.goto(`${web.webUrl}/dashboard/settings/outbox`);
  const outbox = owner.getByRole('table', { name: 'Outbox messages' });
  await outbox.getByRole('button', { name: 'You are invited to Relay Co on InvPro360' }).waitFor();
  await outbox.getByText(memberEmail).first().waitFor();

  // The member, in a browser of their own, asks for a reset from the login page.
  const memberContext = await memberBrowser!.newContext();
  const member = await memberContext.newPage();
  member.setDefaultTimeout(10_000);
  try {
    await member.goto(`${web.webUrl}/login`);
    await member.getByRole('link', { name: 'Forgot password?' }).click();
    await member.waitForURL(`${web.webUrl}/forgot-password`);
    await field(member, 'Email').fill(memberEmail);
    await member.getByRole('button', { name: 'Send the reset link' }).click();
    await member.getByText('Check your email').waitFor();

    // The owner finds the reset message and its link.
    await expect
      .poll(
        async () => {
          await owner.getByRole('button', { name: 'Refresh' }).click();
          return outbox.getByRole('button', { name: 'Reset your InvPro360 password' }).count();
        },
        { timeout: 10_000 },
      )
      .toBe(1);
    await outbox.getByRole('button', { name: 'Reset your InvPro360 password' }).click();
    const dialog = owner.getByRole('dialog');
    await dialog.getByText(memberEmail).waitFor();
    const link = dialog.getByRole('link', { name: /\/reset-password\// });
    const href = (await link.getAttribute('href'))!;
    expect(href).toMatch(new RegExp(`^${web.webUrl}/reset-password/[A-Za-z0-9_-]{43}$`));
    await owner.keyboard.press('Escape');

    // The member opens it and chooses a new password, the meter following the typing.
    await member.goto(href);
    const newField = field(member, 'New password');
    await newField.fill('1234567890');
    await member
      .getByTestId('password-strength-label')
      .getByText(/Strength: (Very weak|Weak)/)
      .waitFor();
    const rules = member.getByRole('list', { name: 'Password rules' });
    await expect
      .poll(() => rules.getByRole('listitem').filter({ hasText: 'Not only digits' }).getAttribute('data-ok'))
      .toBe('false');
    await newField.fill(newPassword);
    await member
      .getByTestId('password-strength-label')
      .getByText(/Strength: (Strong|Very strong)/)
      .waitFor();
    await expect.poll(() => rules.locator('[data-ok="false"]').count()).toBe(0);
    // The show/hide toggle is reachable by keyboard.
    const toggle = member.getByRole('button', { name: 'Show or hide the password' }).first();
    expect(await toggle.getAttribute('tabindex')).toBe('0');
    await field(member, 'Repeat the new password').fill(newPassword);
    await member.getByRole('button', { name: 'Set the new password' }).click();
    await member.getByText('Password changed').waitFor();

    // The new password works, the old one does not.
    await logIn(member, 'relaymember', memberPassword);
    await member
      .getByRole('alert')
      .getByText(/No active account/)
      .waitFor();
    await logIn(member, 'relaymember', newPassword);
    await member.waitForURL(`${web.webUrl}/dashboard`);

    // Logged in, the member changes the password on the security page: other sessions end, this one stays.
    const elsewhere = await post<{ refresh: string }>('/api/auth/login/', {
      username: 'relaymember',
      password: newPassword,
    });
    await member.goto(`${web.webUrl}/dashboard/settings/security`);
    await member.getByRole('textbox', { name: 'Current password' }).fill(newPassword);
    await field(member, 'New password').fill(changedPassword);
    await member
      .getByTestId('password-strength-label')
      .getByText(/Strength: (Strong|Very strong)/)
      .waitFor();
    await member.getByRole('button', { name: 'Change password' }).click();
    await member.getByText(/Your password was changed/).waitFor();
    const refreshed = await fetch(`${api.url}/api/token/refresh/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh: elsewhere.refresh }),
    });
    expect(refreshed.status).toBe(401);
    await member.reload();
    await member.getByRole('heading', { name: 'Security', exact: true }).waitFor();

    // Log out everywhere ends this session too.
    await member.getByRole('button', { name: 'Log out everywhere' }).click();
    await member.getByRole('dialog').getByRole('button', { name: 'Log out everywhere' }).click();
    // The dashboard sends a tab without a session to /login (with ?next=).
    await member.waitForURL(/\/login/);
    await member.goto(`${web.webUrl}/dashboard`);
    await member.waitForURL(/\/login/);

    // The used link asks for a new one.
    await member.goto(href);
    await field(member, 'New password').fill('Another-Fresh-Password-55');
    await field(member, 'Repeat the new password').fill('Another-Fresh-Password-55');
    await member.getByRole('button', { name: 'Set the new password' }).click();
    await member
      .getByText(/Ask for a new link/)
      .first()
      .waitFor();
    await member.getByRole('link', { name: 'Ask for a new link' }).waitFor();
  } finally {
    await memberContext.close();
  }
}, 90_000);
