import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authOf, requireAuth } from '../../http/auth.ts';
import { errorResponses, text } from '../../http/schemas.ts';
import { completeInstall, STATE_COOKIE, STATE_COOKIE_PATH, STATE_TTL_SECONDS, startInstall } from './oauth.service.ts';

/**
 * OAuth install: the SPA posts the shop to `install/` (through the same-origin /api proxy, so the
 * state cookie is first-party) and sends the browser to the answer's `authorize_url`; Shopify sends
 * it back to `callback/`, which always answers with a redirect to the Shopify settings page.
 */
export const shopifyOauthRoutes: FastifyPluginAsyncZod = async (app) => {
  const ctx = app.shopify;
  const tags = ['shopify'];

  app.post(
    '/api/shopify/oauth/install/',
    {
      preHandler: requireAuth,
      schema: {
        tags,
        security: [{ bearer: [] }],
        summary: 'Start installing our Shopify app on a store (owners and admins)',
        description:
          'Answers the Shopify authorize URL to send the browser to, and sets a short-lived httpOnly cookie binding the install to this browser. Needs SHOPIFY_API_KEY and SHOPIFY_API_SECRET.',
        body: z
          .object({ shop: text(255, 'The shop').trim().min(1, 'Enter the store address, e.g. acme.myshopify.com.') })
          .strict(),
        response: {
          200: z.object({ authorize_url: z.string() }).meta({ id: 'ShopifyOauthInstall' }),
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (request, reply) => {
      const { authorizeUrl, state } = await startInstall(ctx, authOf(request), request.body);
      reply.setCookie(STATE_COOKIE, state, {
        httpOnly: true,
        sameSite: 'lax',
        path: STATE_COOKIE_PATH,
        maxAge: STATE_TTL_SECONDS,
        secure: !app.config.debug,
      });
      reply.header('cache-control', 'no-store');
      return { authorize_url: authorizeUrl };
    },
  );

  app.get(
    '/api/shopify/oauth/callback/',
    {
      schema: {
        tags,
        summary: 'Where Shopify sends the browser back after an install (redirects to the settings page)',
        description:
          'Query: code, hmac, host, shop, state, timestamp. Verified in order (shop, HMAC, timestamp within 90 s, state against the cookie, single use); then the code is exchanged for an expiring offline token and the store is connected. Always a 302 to the Shopify settings page with ?oauth=connected&shop= or ?oauth=error&reason=.',
        response: { 302: z.null().describe('Redirect to the web app') },
      },
    },
    async (request, reply) => {
      const search = new URL(request.url, 'http://callback.invalid').searchParams;
      const result = await completeInstall(ctx, search, request.cookies[STATE_COOKIE]);
      // The authorization code must not travel further in a Referer.
      reply.header('cache-control', 'no-store');
      reply.header('referrer-policy', 'no-referrer');
      const target = new URL(`${app.config.publicWebUrl}/dashboard/settings/integrations/shopify`);
      if (result.ok) {
        reply.clearCookie(STATE_COOKIE, { path: STATE_COOKIE_PATH });
        target.searchParams.set('oauth', 'connected');
        target.searchParams.set('shop', result.shop);
      } else {
        // A request that never matched the browser's state leaves it alone (a stray link must not
        // cancel an install in progress).
        if (result.stateSpent) reply.clearCookie(STATE_COOKIE, { path: STATE_COOKIE_PATH });
        request.log.info({ reason: result.reason }, 'Shopify OAuth callback refused');
        target.searchParams.set('oauth', 'error');
        target.searchParams.set('reason', result.reason);
      }
      return reply.redirect(target.toString(), 302);
    },
  );
};
