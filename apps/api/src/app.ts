import type { KeyObject } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifyCors from '@fastify/cors';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { BODY_LIMIT_BYTES } from '@invpro/contract';
import type { TrustProxy } from '@invpro/contract/trust-proxy';
import { sql } from 'drizzle-orm';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Config } from './config.ts';
import type { Database } from './db/client.ts';
import { registerErrorHandling, sendProblem } from './http/errors.ts';
import { loggerOptions } from './http/logging.ts';
import { allowedMethods, type RegisteredRoute, trackRoutes } from './http/routes-registry.ts';
import { registerProductionHttp } from './http/security.ts';
import type { JobSender } from './jobs/boss.ts';
import { accountsRoutes } from './modules/accounts/accounts.routes.ts';
import { teamRoutes } from './modules/accounts/team.routes.ts';
import { jwtKey } from './modules/accounts/tokens.ts';
import { catalogRoutes } from './modules/catalog/products.routes.ts';
import { syncRoutes } from './modules/catalog/sync.routes.ts';
import { mailRoutes } from './modules/mail/mail.routes.ts';
import { createMailer, type Mailer } from './modules/mail/mailer.ts';
import type { ShopifyClient } from './modules/shopify/client.ts';
import { shopifyConnectionsRoutes } from './modules/shopify/connections.routes.ts';
import { createShopifyContext, type ShopifyContext } from './modules/shopify/context.ts';
import { shopifyOauthRoutes } from './modules/shopify/oauth.routes.ts';
import { shopifyWebhookRoutes } from './modules/shopify/webhooks.routes.ts';
import { type Readiness, registerProbes } from './observability/health.ts';
import { registerApiMetrics } from './observability/metrics.ts';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    db: Database;
    jwtKey: KeyObject;
    registeredRoutes: RegisteredRoute[];
    /** The process's one Shopify context (one client, so one view of each shop's throttle). */
    shopify: ShopifyContext;
    /** SMTP when SMTP_URL is set, else each organization's outbox (docs/decisions/0015). */
    mailer: Mailer;
  }
}

export interface AppOptions {
  config: Config;
  db: Database;
  /** A pino logger to share (tests pass a capturing one); otherwise one is made from the config. */
  logger?: FastifyBaseLogger;
  /** Tests pass a client with short retry delays. */
  shopifyClient?: ShopifyClient;
  /** pg-boss (send-only), to queue work in the transaction that makes it due; tests may leave it out. */
  boss?: JobSender;
  /** Set by main.ts when shutdown starts, so /api/health/ready/ turns 503 before the listener closes. */
  readiness?: Readiness;
}

function hostAllowed(host: string | undefined, allowed: string[]): boolean {
  if (!host) return false;
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]!;
  const lower = name.toLowerCase();
  return allowed.some((pattern) => {
    const p = pattern.toLowerCase();
    if (p === '*') return true;
    if (p.startsWith('.')) return lower === p.slice(1) || lower.endsWith(p);
    return lower === p;
  });
}

/**
 * TRUST_PROXY as Fastify's `trustProxy`. A hop count becomes a function: Fastify 5 turns a plain
 * number into "trust nobody". A list keeps loopback, which is our own web server's /api proxy.
 */
function fastifyTrustProxy(trust: TrustProxy): string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return ['loopback', ...trust];
}

export async function buildApp({
  config,
  db,
  logger,
  shopifyClient,
  boss,
  readiness = { shuttingDown: false },
}: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(logger ? { loggerInstance: logger } : { logger: loggerOptions(config.logLevel) }),
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && /^[\w-]{1,64}$/.test(incoming) ? incoming : randomUUID();
    },
    requestIdHeader: false,
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: fastifyTrustProxy(config.trustProxy),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 },
    ajv: { customOptions: { coerceTypes: false } },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorate('config', config);
  app.decorate('db', db);
  app.decorate('jwtKey', jwtKey(config.secretKey));
  app.decorateRequest('auth', null);
  const routes = trackRoutes(app);
  app.decorate('registeredRoutes', routes);
  app.decorate('shopify', createShopifyContext({ db, config, client: shopifyClient, jobs: boss }));
  registerErrorHandling(app);
  const mailer = createMailer({ db, config, log: app.log });
  app.decorate('mailer', mailer);
  // Mail still being sent finishes before the pool it writes to closes.
  app.addHook('onClose', () => mailer.close());
  if (!config.debug && !config.mail.smtpUrl) {
    app.log.warn(
      { event: 'mail_outbox_only' },
      'SMTP_URL is not set: no mail is sent; password-reset and invitation messages go to the organizations’ outbox only',
    );
  }

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    // request.host is X-Forwarded-Host when the hop is trusted (our web server's /api proxy, or a
    // proxy TRUST_PROXY names): the name the client used, not the internal address.
    if (!hostAllowed(request.host, config.allowedHosts)) {
      return sendProblem(reply, 400, `The host "${request.host ?? ''}" is not in ALLOWED_HOSTS.`);
    }
  });
  // After the host check: the HTTPS redirect names only a host ALLOWED_HOSTS lists.
  registerProductionHttp(app);
  await registerApiMetrics(app, db);

  const corsOrigins = new Set(config.corsOrigins);
  await app.register(fastifyCors, {
    // A function, not the list: for a refused origin @fastify/cors then adds no CORS header at all
    // (with a list it still sends Allow-Credentials and Allow-Methods to anyone).
    origin: (origin, done) => done(null, origin !== undefined && corsOrigins.has(origin)),
    credentials: true,
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    exposedHeaders: ['x-request-id', 'retry-after'],
  });
  await app.register(fastifyCookie);
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'InvPro360 API',
        version: '1.0.0',
        description: 'Multi-tenant inventory for Shopify merchants. Errors are application/problem+json (RFC 9457).',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs' });

  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.get(
    '/api/health/',
    {
      schema: {
        tags: ['system'],
        summary: 'Liveness and database reachability',
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
    },
    async () => {
      await db.execute(sql`select 1`);
      return { status: 'ok' as const };
    },
  );

  await registerProbes(app, db, readiness);

  await app.register(accountsRoutes);
  await app.register(teamRoutes);
  await app.register(shopifyConnectionsRoutes);
  await app.register(shopifyOauthRoutes);
  await app.register(shopifyWebhookRoutes());
  await app.register(catalogRoutes);
  await app.register(syncRoutes);
  await app.register(mailRoutes);

  // Fastify answers 404 for a known path with an unknown method; HTTP says 405 with Allow.
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!;
    const allowed = allowedMethods(routes, path);
    if (allowed.length > 0) {
      reply.header('allow', allowed.join(', '));
      return sendProblem(reply, 405, `${request.method} is not allowed on ${path}. Use ${allowed.join(' or ')}.`);
    }
    return sendProblem(reply, 404, `No endpoint ${request.method} ${path}. See /api/docs for the API.`);
  });

  return app;
}
