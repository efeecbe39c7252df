// The app's Mantine theme, tuned so text meets WCAG AA (4.5:1) wherever Mantine draws it with a
// palette colour. `theme-contrast.test.ts` resolves what Mantine renders and checks every ratio.

import { type CSSVariablesResolver, createTheme, DEFAULT_THEME, type MantineColorsTuple } from '@mantine/core';

/**
 * Mantine fills with shade 8 (below) and writes light and subtle variants in shade 9, on shade 1
 * or on white. Shades 0 to 7 keep Mantine's own values, so tints and backgrounds look as before;
 * only shades 8 and 9 of the colours too bright for white text are deepened.
 */
const deepened = (name: string, shade8: string, shade9: string): MantineColorsTuple => {
  const base = DEFAULT_THEME.colors[name];
  if (!base) throw new Error(`Mantine has no colour named ${name}`);
  const [c0, c1, c2, c3, c4, c5, c6, c7] = base;
  return [c0, c1, c2, c3, c4, c5, c6, c7, shade8, shade9] as MantineColorsTuple;
};

export const theme = createTheme({
  primaryColor: 'indigo',
  // Shade 6, Mantine's default fill, gives white text 4.3:1 on indigo and 3.3:1 on red.
  primaryShade: { light: 8, dark: 8 },
  defaultRadius: 'md',
  colors: {
    red: deepened('red', '#d9292a', '#bd2626'),
    teal: deepened('teal', '#087f5b', '#066649'),
    green: deepened('green', '#237032', '#1b5e2a'),
    orange: deepened('orange', '#c2410c', '#a63c06'),
    yellow: deepened('yellow', '#9c6500', '#8a5a00'),
  },
});

/** Secondary text and error text: Mantine's grey-6 and red-6 read at 3.3:1 on white. */
export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    // Still clearly lighter than body text, and 4.7:1 even on the grey-1 of a table's hovered row.
    '--mantine-color-dimmed': '#666c73',
    '--mantine-color-error': 'var(--mantine-color-red-8)',
  },
  dark: {},
});
