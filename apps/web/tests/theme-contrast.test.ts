// The theme's colours as Mantine resolves them (its own CSS-variable and variant resolvers over our
// theme), checked against WCAG AA: 4.5:1 for text. A palette or shade change that makes any text we
// draw harder to read fails here, before a browser is needed.

import {
  DEFAULT_THEME,
  defaultCssVariablesResolver,
  defaultVariantColorsResolver,
  type MantineTheme,
  mergeMantineTheme,
} from '@mantine/core';
import { describe, expect, it } from 'vitest';
import { cssVariablesResolver, theme as ourTheme } from '../components/theme';

const AA_TEXT = 4.5;
// Every colour a screen passes to `color=` (directly or through lib/shopify.ts, lib/products.ts, lib/sync.ts).
const COLORS_WE_USE = ['indigo', 'gray', 'red', 'teal', 'green', 'blue', 'orange', 'yellow'] as const;

const theme: MantineTheme = mergeMantineTheme(DEFAULT_THEME, ourTheme);

/** The light scheme's CSS variables, Mantine's defaults overridden by ours, as the provider merges them. */
function lightVariables(): Record<string, string> {
  const base = defaultCssVariablesResolver(theme);
  const ours = cssVariablesResolver(theme);
  return { ...base.variables, ...base.light, ...ours.variables, ...ours.light };
}

const variables = lightVariables();

/** Follows var(--x) references to a literal colour. */
function resolve(value: string): string {
  let current = value.trim();
  for (let depth = 0; depth < 10; depth++) {
    const ref = /^var\((--[\w-]+)\)$/.exec(current);
    if (!ref) return current;
    const next = variables[ref[1]!];
    if (next === undefined) throw new Error(`Undefined CSS variable ${ref[1]}`);
    current = next.trim();
  }
  throw new Error(`Too deep a chain of variables from ${value}`);
}

function channels(color: string): [number, number, number] {
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color);
  if (!hex) throw new Error(`Not a #rgb or #rrggbb colour: ${color}`);
  const digits = hex[1]!.length === 3 ? [...hex[1]!].map((d) => d + d).join('') : hex[1]!;
  const n = Number.parseInt(digits, 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** WCAG 2.x relative luminance. */
function luminance(color: string): number {
  const [r, g, b] = channels(color).map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(foreground: string, background: string): number {
  const [a, b] = [luminance(resolve(foreground)), luminance(resolve(background))];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}

const WHITE = 'var(--mantine-color-white)';

describe('the theme reads at WCAG AA', () => {
  it('resolves the colours through Mantine, not through a copy of them', () => {
    expect(channels(resolve(WHITE))).toEqual([255, 255, 255]);
    expect(resolve('var(--mantine-color-indigo-filled)')).toBe(theme.colors.indigo[8]);
  });

  it('secondary (dimmed) text, on white and on the light greys of panels and hovered rows', () => {
    for (const background of [WHITE, 'var(--mantine-color-gray-0)', 'var(--mantine-color-gray-1)']) {
      expect(contrast('var(--mantine-color-dimmed)', background), background).toBeGreaterThanOrEqual(AA_TEXT);
    }
  });

  it('error text on white', () => {
    expect(contrast('var(--mantine-color-error)', WHITE)).toBeGreaterThanOrEqual(AA_TEXT);
  });

  it('links and coloured text (c="red" and the like) on white', () => {
    expect(contrast('var(--mantine-color-anchor)', WHITE)).toBeGreaterThanOrEqual(AA_TEXT);
    for (const color of COLORS_WE_USE) {
      expect(contrast(`var(--mantine-color-${color}-text)`, WHITE), color).toBeGreaterThanOrEqual(AA_TEXT);
    }
  });

  it.each(COLORS_WE_USE)('%s: filled, light, outline and subtle buttons and badges', (color) => {
    const ratios: Record<string, number> = {};
    for (const variant of ['filled', 'light', 'outline', 'subtle'] as const) {
      const colors = defaultVariantColorsResolver({ color, theme, variant });
      // Transparent variants draw on the page: white.
      const background = colors.background === 'transparent' ? WHITE : colors.background;
      ratios[variant] = contrast(colors.color, background);
    }
    for (const [variant, ratio] of Object.entries(ratios)) {
      expect(ratio, `${color} ${variant}: ${ratio.toFixed(2)}:1`).toBeGreaterThanOrEqual(AA_TEXT);
    }
  });

  it('the ratio function itself: black on white is 21:1, a colour on itself 1:1', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrast('#868e96', '#868e96')).toBe(1);
    // Mantine's own grey-6 on white, the value this theme replaces.
    expect(contrast('#868e96', '#ffffff')).toBeCloseTo(3.32, 2);
  });
});
