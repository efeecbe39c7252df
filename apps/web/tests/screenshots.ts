// `npm run screenshots`: every screen of screens.ts at desktop and phone sizes, full page, into
// docs/screenshots/<screen>-<desktop|phone>.png, from the same stack the accessibility test uses (a
// synced simulated store). Run through vitest (screenshots.config.ts) for its PostgreSQL, but not
// part of `npm test`: it checks nothing, it shows.

import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachScreen, SCREENS, type ScreensStack, startScreensStack, VIEWPORTS } from './screens';

const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'docs', 'screenshots');

let screens: ScreensStack;

beforeAll(async () => {
  screens = await startScreensStack();
}, 120_000);

afterAll(async () => {
  await screens?.close();
});

it('takes every screen at every size', async () => {
  mkdirSync(OUT, { recursive: true });
  const taken: string[] = [];
  await forEachScreen(screens, async (screen, viewport, page) => {
    const file = join(OUT, `${screen.name}-${viewport}.png`);
    // Caret and animations still, so two runs over the same data give the same pictures.
    await page.screenshot({ path: file, fullPage: true, animations: 'disabled', caret: 'hide' });
    taken.push(file);
  });
  console.log(`Wrote ${taken.length} screenshots to ${OUT}`);
  expect(taken).toHaveLength(SCREENS.length * Object.keys(VIEWPORTS).length);
}, 300_000);
