// axe-core over every screen (screens.ts) at desktop and phone sizes, through the real stack: any
// violation of impact serious or critical fails, printed with its rule, its help and where it is.
// Beside axe: no screen scrolls sideways on a phone, and keyboard focus is visible.

import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachScreen, SCREENS, type ScreensStack, startScreensStack, VIEWPORTS } from './screens';

const axeSource: string = createRequire(import.meta.url)('axe-core').source;

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: Array<{ target: unknown[]; failureSummary?: string }>;
}

let screens: ScreensStack;

beforeAll(async () => {
  screens = await startScreensStack();
}, 120_000);

afterAll(async () => {
  await screens?.close();
});

async function axeViolations(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    // biome-ignore lint/suspicious/noExplicitAny: axe is injected as a global script.
    const axe = (window as any).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations as AxeViolation[];
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

const describeViolation = (v: AxeViolation) =>
  [
    `${v.id} (${v.impact}): ${v.help} ${v.helpUrl}`,
    ...v.nodes
      .slice(0, 3)
      .map(
        (n) =>
          `    at ${JSON.stringify(n.target)}${n.failureSummary ? ` — ${n.failureSummary.replace(/\s+/g, ' ')}` : ''}`,
      ),
  ].join('\n');

/** The focus ring of the first button focused from the keyboard: an outline or a box-shadow. */
async function focusRingOfFirstButton(page: Page): Promise<{ name: string; ring: string } | null> {
  const button = page.locator('main button:visible, form button:visible').first();
  if ((await button.count()) === 0) return null;
  // Keyboard focus, not a click: :focus-visible only matches focus that came from the keyboard.
  await page.keyboard.press('Shift');
  await button.focus();
  return button.evaluate((el) => {
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && Number.parseFloat(style.outlineWidth) > 0 ? style.outline : '';
    const shadow = style.boxShadow !== 'none' ? style.boxShadow : '';
    return {
      name: el.textContent?.trim() || el.getAttribute('aria-label') || el.outerHTML.slice(0, 80),
      ring: outline || shadow,
    };
  });
}

// Runs first: the sweep below ends signed out.
it('sorts from header buttons with aria-sort, opens products through real links, and on a phone folds the filters and keeps tables in the page', async () => {
  const { page, webUrl } = screens.stack.web;
  const { ctx } = screens;

  await page.setViewportSize(VIEWPORTS.desktop);
  await page.goto(`${webUrl}/dashboard/products`);
  const table = page.getByRole('table', { name: 'Products' });
  await table.getByTestId('product-row').first().waitFor();
  const sortable = table.locator('th[aria-sort]');
  expect(await sortable.count()).toBeGreaterThanOrEqual(3);
  for (const header of await sortable.all()) expect(await header.getByRole('button').count()).toBe(1);
  const titleHeader = table.getByRole('columnheader', { name: /^Title/ });
  expect(await titleHeader.getAttribute('aria-sort')).toBe('ascending');
  // From the keyboard: focus the header's button and press Enter.
  await titleHeader.getByRole('button').focus();
  await page.keyboard.press('Enter');
  await page.waitForURL((url) => url.searchParams.get('ordering') === '-title');
  await expect.poll(() => titleHeader.getAttribute('aria-sort')).toBe('descending');
  for (const row of await table.getByTestId('product-row').all()) {
    expect(await row.getByRole('link').first().getAttribute('href')).toMatch(/^\/dashboard\/products\/[\w-]+$/);
  }

  // A tablet: the table without its Vendor, Type, Variants and Updated columns; their values under the title.
  await page.setViewportSize({ width: 800, height: 1000 });
  expect(await table.getByRole('columnheader', { name: 'Vendor' }).isVisible()).toBe(false);
  // biome-ignore lint/performance/useDomNodeTextContent: what is shown is the point; textContent includes hidden text.
  expect(await table.getByTestId('product-row').first().getByRole('cell').nth(1).innerText()).toMatch(
    /\d+ variants? · .*updated /,
  );
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(800);

  // A phone: one filter set, folded behind a button that counts it; the first products in view.
  await page.setViewportSize(VIEWPORTS.phone);
  await page.goto(`${webUrl}/dashboard/products?status=draft`);
  await page.getByTestId('products-count').waitFor();
  const toggle = page.getByRole('button', { name: 'Filters, 1 active', exact: true });
  expect(await toggle.getAttribute('aria-expanded')).toBe('false');
  const status = page.getByRole('combobox', { name: 'Status', exact: true });
  expect(await status.isVisible()).toBe(false);
  const card = page.getByRole('list', { name: 'Products' }).getByRole('listitem').first();
  const box = await card.boundingBox();
  expect(box && box.y + box.height).toBeLessThanOrEqual(VIEWPORTS.phone.height);
  await toggle.click();
  expect(await toggle.getAttribute('aria-expanded')).toBe('true');
  await status.waitFor();
  expect(await status.inputValue()).toBe('Draft');

  // The per-location stock scrolls inside its own named box, which the keyboard can reach.
  await page.goto(`${webUrl}/dashboard/products/${ctx.productId}`);
  const region = page.getByRole('region', { name: /^Stock at / }).first();
  await region.waitFor();
  await region.focus();
  expect(await region.evaluate((el) => el === document.activeElement && el.scrollWidth > el.clientWidth)).toBe(true);

  // The team's tables fit: the join date moves under the member's name.
  await page.goto(`${webUrl}/dashboard/settings/team`);
  const members = page.getByRole('table', { name: 'Team members' });
  await members
    .getByText(/^Joined /)
    .first()
    .waitFor();
  expect(await members.getByRole('columnheader', { name: 'Joined' }).isVisible()).toBe(false);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(VIEWPORTS.phone.width);
}, 120_000);

it('every screen, at desktop and phone sizes, has no serious or critical axe violation, no sideways scroll on a phone, and a visible focus ring', async () => {
  const failures: string[] = [];
  let checked = 0;
  await forEachScreen(screens, async (screen, viewport, page) => {
    const where = `${screen.name} (${viewport})`;
    checked++;
    for (const v of await axeViolations(page)) failures.push(`${where}: ${describeViolation(v)}`);

    if (viewport === 'phone') {
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      if (width > VIEWPORTS.phone.width) failures.push(`${where}: the page is ${width}px wide, it scrolls sideways`);
    }

    const focus = await focusRingOfFirstButton(page);
    if (focus && !focus.ring)
      failures.push(`${where}: the focused button "${focus.name}" shows no outline or box-shadow`);
  });
  if (failures.length > 0) console.error(failures.join('\n\n'));
  expect(checked).toBe(SCREENS.length * Object.keys(VIEWPORTS).length);
  expect(failures, failures.join('\n\n')).toEqual([]);

  // The focus check itself: with the focus ring styled away it must see none.
  const { page, webUrl } = screens.stack.web;
  await page.goto(`${webUrl}/login`);
  await page.getByRole('button', { name: 'Log in' }).waitFor();
  await page.addStyleTag({
    content: '*:focus, *:focus-visible { outline: none !important; box-shadow: none !important; }',
  });
  expect((await focusRingOfFirstButton(page))?.ring).toBe('');
}, 300_000);
