// Every screen of the web app, once, for the checks that go over all of them: the accessibility
// test (e2e-a11y.test.ts) and the screenshots (screenshots.ts). A new screen is one entry in SCREENS.
// The stack behind them is a synced simulated store (catalog-e2e.ts), an organization with a pending
// invitation, and a browser signed in as its owner.

import type { Page } from 'playwright-core';
import { type CatalogStack, connectShop, registerThroughScreens, startCatalogStack } from './catalog-e2e';

export const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const;
export type ViewportName = keyof typeof VIEWPORTS;

/** What the screens' addresses need from the stack. */
export interface ScreenContext {
  productId: string;
  /** The invitation link's path, e.g. /invite/<id>.<secret>. */
  invitePath: string;
}

export interface Screen {
  /** Also the screenshot's file name. */
  name: string;
  path: (ctx: ScreenContext) => string;
  /** Signed-out screens are visited after the signed-in ones, once the session is dropped. */
  signedIn: boolean;
  /** What shows once the screen has loaded its data. */
  ready: (page: Page) => Promise<unknown>;
}

export const SCREENS: Screen[] = [
  {
    name: 'dashboard',
    path: () => '/dashboard',
    signedIn: true,
    ready: (p) => p.getByTestId('store-counts').waitFor(),
  },
  {
    name: 'products',
    path: () => '/dashboard/products',
    signedIn: true,
    ready: (p) => p.getByTestId('products-count').waitFor(),
  },
  {
    name: 'product',
    path: (c) => `/dashboard/products/${c.productId}`,
    signedIn: true,
    ready: (p) => p.getByRole('table', { name: 'Variants' }).waitFor({ state: 'attached' }),
  },
  {
    name: 'locations',
    path: () => '/dashboard/locations',
    signedIn: true,
    ready: (p) => p.locator('[data-location]').first().waitFor({ state: 'attached' }),
  },
  {
    name: 'team',
    path: () => '/dashboard/settings/team',
    signedIn: true,
    ready: (p) => p.getByRole('table', { name: 'Pending invitations' }).waitFor({ state: 'attached' }),
  },
  {
    name: 'shopify-settings',
    path: () => '/dashboard/settings/integrations/shopify',
    signedIn: true,
    ready: (p) => p.getByTestId('store-state').first().waitFor(),
  },
  {
    name: 'login',
    path: () => '/login',
    signedIn: false,
    ready: (p) => p.getByRole('button', { name: 'Log in' }).waitFor(),
  },
  {
    name: 'register',
    path: () => '/register',
    signedIn: false,
    ready: (p) => p.getByRole('textbox', { name: 'Organization name', exact: true }).waitFor(),
  },
  {
    name: 'invitation',
    path: (c) => c.invitePath,
    signedIn: false,
    ready: (p) => p.getByRole('link', { name: 'Create an account to join' }).waitFor(),
  },
];

const ACCOUNT = {
  email: 'ada@screens.example',
  username: 'ada',
  password: 'Lantern-Harbour-Quill-73!',
  organization: 'Lovelace Supplies',
};
const DOMAIN = 'screens.myshopify.com';

export interface ScreensStack {
  stack: CatalogStack;
  ctx: ScreenContext;
  close(): Promise<void>;
}

/** A synced store of a dozen products, a pending invitation, and the browser signed in as the owner. */
export async function startScreensStack(seed = 23): Promise<ScreensStack> {
  const stack = await startCatalogStack({
    seed,
    shop: { domain: DOMAIN, name: 'Lovelace Store', products: 12, locations: 2 },
  });
  try {
    const { page, webUrl } = stack.web;
    page.setDefaultTimeout(15_000);
    await registerThroughScreens(page, webUrl, ACCOUNT);
    const { token, orgId, storeId } = await connectShop(stack, ACCOUNT, DOMAIN);
    await stack.fullSync(token, orgId, storeId);
    const products = await stack.call<{ results: Array<{ id: string }> }>(
      token,
      'GET',
      '/api/shopify/products/?page_size=1&ordering=title',
    );
    const invitation = await stack.call<{ invitation_url: string }>(token, 'POST', '/api/team/invitations/', {
      email: 'babbage@screens.example',
    });
    const ctx: ScreenContext = {
      productId: products.results[0]!.id,
      invitePath: new URL(invitation.invitation_url).pathname,
    };
    return { stack, ctx, close: () => stack.close() };
  } catch (err) {
    await stack.close();
    throw err;
  }
}

/** Loaded, its data shown and nothing left spinning: what a person would look at. */
export async function openScreen(page: Page, webUrl: string, screen: Screen, ctx: ScreenContext): Promise<void> {
  await page.goto(`${webUrl}${screen.path(ctx)}`);
  await screen.ready(page);
  await page.waitForLoadState('networkidle').catch(() => {});
  await page
    .waitForFunction(
      () => !document.querySelector('.mantine-Skeleton-root, [aria-busy="true"], .mantine-Loader-root'),
      {
        timeout: 15_000,
      },
    )
    .catch(() => {});
}

/** Visits every screen at every size, signed-in ones first, then drops the session for the rest. */
export async function forEachScreen(
  { stack, ctx }: ScreensStack,
  visit: (screen: Screen, viewport: ViewportName, page: Page) => Promise<void>,
): Promise<void> {
  const { page, webUrl, context } = stack.web;
  const ordered = [...SCREENS.filter((s) => s.signedIn), ...SCREENS.filter((s) => !s.signedIn)];
  let signedOut = false;
  for (const screen of ordered) {
    if (!screen.signedIn && !signedOut) {
      // The refresh token lives in an httpOnly cookie and the access token in memory: a fresh
      // navigation without the cookie is a visitor.
      await context.clearCookies();
      signedOut = true;
    }
    for (const viewport of Object.keys(VIEWPORTS) as ViewportName[]) {
      await page.setViewportSize(VIEWPORTS[viewport]);
      await openScreen(page, webUrl, screen, ctx);
      await visit(screen, viewport, page);
    }
  }
}
