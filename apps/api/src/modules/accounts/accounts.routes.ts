import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authOf, requireAuth } from '../../http/auth.ts';
import { AppError } from '../../http/errors.ts';
import { email, errorResponses, text, uuidParam } from '../../http/schemas.ts';
import { type AccountsContext, changePassword, login, me, register, switchOrganization } from './accounts.service.ts';
import { acceptInvitation, describeInvitation } from './invitations.service.ts';
import {
  confirmPasswordReset,
  type PasswordResetContext,
  RESET_REQUESTED,
  requestPasswordReset,
} from './password-reset.service.ts';
import { renameOrganization, updateProfile } from './profile.service.ts';
import { ROLES } from './schema.ts';
import { revokeAllSessions, revokeRefreshToken, rotateRefreshToken } from './sessions.service.ts';
import { REFRESH_TOKEN_TTL_SECONDS } from './tokens.ts';

export const REFRESH_COOKIE = 'invpro_refresh';

const username = z
  .string()
  .trim()
  .min(3, 'A username has at least 3 characters.')
  .max(150, 'A username has at most 150 characters.')
  .regex(/^[\w.@+-]+$/, 'A username may contain only letters, digits and @ . + - _');

const password = text(256, 'The password').min(1, 'Enter a password.');
const refreshToken = z
  .string()
  .regex(/^[A-Za-z0-9_-]{20,200}$/, 'A refresh token is the opaque string the login answer gave you.');

const userSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    username: z.string(),
    organization: z.object({ id: z.string(), name: z.string() }),
    role: z.enum(ROLES),
    organizations: z.array(z.object({ id: z.string(), name: z.string(), role: z.enum(ROLES) })),
  })
  .meta({ id: 'User' });

const sessionSchema = z.object({ access: z.string(), refresh: z.string(), user: userSchema }).meta({ id: 'Session' });
const tokenPairSchema = z.object({
  access: z.string(),
  refresh: z
    .string()
    .optional()
    .describe('Present when the refresh token came in the body; cookie clients keep it in the cookie only.'),
});

const registerBody = z
  .object({
    email,
    username,
    password,
    organization: text(100, 'The organization name').trim().min(1, 'Enter an organization name.').optional(),
    invitation: z.string().max(200).optional(),
  })
  .strict();

const loginBody = z
  .object({
    email: text(254, 'The email').trim().min(1).optional(),
    username: text(150, 'The username').trim().min(1).optional(),
    password,
  })
  .strict()
  .refine((b) => b.email !== undefined || b.username !== undefined, {
    message: 'Send "email" or "username" with the password.',
    path: ['email'],
  });

const profileBody = z
  .object({
    email: email.optional(),
    username: username.optional(),
    current_password: text(256, 'The current password').min(1, 'Enter your current password.'),
  })
  .strict();

const organizationBody = z
  .object({
    name: z
      .string()
      .trim()
      .min(1, 'Enter an organization name.')
      .max(100, 'The organization name must be at most 100 characters.')
      .refine((v) => !v.includes('\u0000'), 'The organization name contains a NUL character.'),
  })
  .strict();

const optionalRefreshBody = z.object({ refresh: refreshToken.optional() }).strict().optional();

function setRefreshCookie(request: FastifyRequest, reply: FastifyReply, refresh: string) {
  reply.setCookie(REFRESH_COOKIE, refresh, {
    httpOnly: true,
    sameSite: 'lax',
    secure: !request.server.config.debug,
    path: '/api/',
    maxAge: REFRESH_TOKEN_TTL_SECONDS,
  });
}

function refreshFrom(request: FastifyRequest, body: { refresh?: string } | undefined): string | undefined {
  return body?.refresh ?? request.cookies[REFRESH_COOKIE];
}

/** The refresh cookie, when it looks like a refresh token (it is only ever compared by hash). */
function refreshCookie(request: FastifyRequest): string | undefined {
  const cookie = request.cookies[REFRESH_COOKIE];
  return cookie && refreshToken.safeParse(cookie).success ? cookie : undefined;
}

export const accountsRoutes: FastifyPluginAsyncZod = async (app) => {
  const ctx: AccountsContext = {
    db: app.db,
    jwtKey: app.jwtKey,
    accessTokenTtlSeconds: app.config.accessTokenTtlSeconds,
    loginLimits: app.config.login,
    registrationLimits: app.config.registration,
  };
  // Read per request, as invitations read it: the web's origin may be settled after boot (tests).
  const resetCtx = (): PasswordResetContext => ({
    db: app.db,
    mailer: app.mailer,
    publicWebUrl: app.config.publicWebUrl,
    limits: app.config.passwordReset,
  });
  const tags = ['auth'];

  app.post(
    '/api/auth/register/',
    {
      schema: {
        tags,
        summary: 'Create an account and, unless joining by invitation, a new organization you own',
        body: registerBody,
        response: { 201: sessionSchema, ...errorResponses(400, 403, 404, 413, 429) },
      },
    },
    async (request, reply) => {
      const session = await register(ctx, request.body, { address: request.ip, log: request.log });
      setRefreshCookie(request, reply, session.refresh);
      return reply.code(201).send(session);
    },
  );

  app.post(
    '/api/auth/login/',
    {
      schema: {
        tags,
        summary: 'Log in with email or username',
        body: loginBody,
        response: { 200: sessionSchema, ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (request, reply) => {
      const { email: emailOrName, username: name, password: pw } = request.body;
      // Clients that send a username in the "email" field are common enough to honour.
      const identity =
        emailOrName && !emailOrName.includes('@') && !name
          ? { username: emailOrName }
          : { email: emailOrName, username: name };
      const session = await login(ctx, { ...identity, password: pw }, request.ip);
      setRefreshCookie(request, reply, session.refresh);
      return session;
    },
  );

  app.post(
    '/api/token/refresh/',
    {
      schema: {
        tags,
        summary: 'Exchange a refresh token (body or cookie) for a new pair; the old one is spent',
        body: optionalRefreshBody,
        response: { 200: tokenPairSchema, ...errorResponses(400, 401) },
      },
    },
    async (request, reply) => {
      const presented = refreshFrom(request, request.body);
      if (!presented)
        throw new AppError('unauthorized', 'Send {"refresh": "<refresh token>"}; no refresh token was given.');
      const { access, refresh } = await rotateRefreshToken(ctx, presented);
      setRefreshCookie(request, reply, refresh);
      // A cookie client never needs the token in the body: keeping it out means a script injected
      // into the page cannot read a 30-day credential, only a short-lived access token.
      return request.body?.refresh ? { access, refresh } : { access };
    },
  );

  app.post(
    '/api/auth/logout/',
    {
      schema: {
        tags,
        summary: 'End the session of a refresh token (body or cookie)',
        body: optionalRefreshBody,
        response: { 204: z.null(), ...errorResponses(400) },
      },
    },
    async (request, reply) => {
      const presented = refreshFrom(request, request.body);
      if (presented) await revokeRefreshToken(ctx, presented);
      reply.clearCookie(REFRESH_COOKIE, { path: '/api/' });
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/auth/logout-all/',
    {
      preHandler: requireAuth,
      schema: {
        tags,
        summary: 'Log out everywhere: end every session of the logged-in user',
        description:
          'Every refresh token of the user is revoked. Access tokens already issued stay valid until they expire.',
        security: [{ bearer: [] }],
        response: { 204: z.null(), ...errorResponses(401) },
      },
    },
    async (request, reply) => {
      await revokeAllSessions(ctx, authOf(request).userId);
      reply.clearCookie(REFRESH_COOKIE, { path: '/api/' });
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/auth/me/',
    {
      preHandler: requireAuth,
      schema: {
        tags,
        summary: 'The logged-in user',
        security: [{ bearer: [] }],
        response: { 200: userSchema, ...errorResponses(401) },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return me(app.db, auth.userId, auth.orgId);
    },
  );

  app.patch(
    '/api/auth/me/',
    {
      preHandler: requireAuth,
      schema: {
        tags,
        summary: 'Change your email or username; needs your current password',
        description:
          'A wrong password is counted by the login limits. A taken username is refused; a taken email is not ' +
          '(docs/decisions/0009): the account then shares the address without owning it.',
        security: [{ bearer: [] }],
        body: profileBody,
        response: { 200: userSchema, ...errorResponses(400, 401, 413, 429) },
      },
    },
    async (request) => {
      const { current_password, ...change } = request.body;
      return updateProfile(
        app.db,
        app.config.login,
        authOf(request),
        { ...change, currentPassword: current_password },
        { address: request.ip, log: request.log },
      );
    },
  );

  app.patch(
    '/api/organization/',
    {
      preHandler: requireAuth,
      schema: {
        tags: ['organization'],
        summary: 'Rename the active organization (owners and admins)',
        security: [{ bearer: [] }],
        body: organizationBody,
        response: {
          200: z.object({ id: z.string(), name: z.string() }).meta({ id: 'Organization' }),
          ...errorResponses(400, 401, 403, 413),
        },
      },
    },
    async (request) => renameOrganization(app.db, authOf(request), request.body.name),
  );

  app.post(
    '/api/auth/switch-organization/',
    {
      preHandler: requireAuth,
      schema: {
        tags,
        summary: 'Make another of your organizations the active one',
        security: [{ bearer: [] }],
        body: z.object({ organization_id: uuidParam('organization_id') }).strict(),
        response: { 200: sessionSchema, ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const session = await switchOrganization(
        ctx,
        authOf(request),
        request.body.organization_id,
        refreshCookie(request),
      );
      setRefreshCookie(request, reply, session.refresh);
      return session;
    },
  );

  app.post(
    '/api/auth/password-reset/',
    {
      schema: {
        tags,
        summary: 'Ask for a password-reset link by email',
        description:
          'Always 202 with the same body, whether or not an account uses the address: the link is sent (or kept in the outbox) after the answer.',
        body: z.object({ email }).strict(),
        response: { 202: z.object({ detail: z.string() }), ...errorResponses(400, 429) },
      },
    },
    async (request, reply) => {
      await requestPasswordReset(resetCtx(), request.body.email, request.ip);
      return reply.code(202).send({ detail: RESET_REQUESTED });
    },
  );

  app.post(
    '/api/auth/password-reset/confirm/',
    {
      schema: {
        tags,
        summary: 'Set a new password with the token of a reset link; every session of the account ends',
        body: z
          .object({
            token: z.string().max(200, 'A reset token is the part of the link after /reset-password/.'),
            password,
          })
          .strict(),
        response: { 204: z.null(), ...errorResponses(400) },
      },
    },
    async (request, reply) => {
      await confirmPasswordReset(app.db, request.body.token, request.body.password);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/auth/password/',
    {
      preHandler: requireAuth,
      schema: {
        tags,
        summary: 'Change your password; every other session ends',
        description: 'A wrong current password is a 400 and counts as a failed login.',
        security: [{ bearer: [] }],
        body: z.object({ current_password: password, new_password: password }).strict(),
        response: { 204: z.null(), ...errorResponses(400, 401, 429) },
      },
    },
    async (request, reply) => {
      await changePassword(
        ctx,
        authOf(request),
        { currentPassword: request.body.current_password, newPassword: request.body.new_password },
        request.ip,
      );
      return reply.code(204).send(null);
    },
  );

  const invitationParams = z.object({ token: z.string().max(200) });

  app.get(
    '/api/auth/invitations/:token/',
    {
      schema: {
        tags,
        summary: 'What an invitation link offers (no login needed)',
        params: invitationParams,
        response: {
          200: z.object({
            organization: z.object({ id: z.string(), name: z.string() }),
            email: z.string(),
            role: z.enum(ROLES),
            expires_at: z.string(),
          }),
          ...errorResponses(404),
        },
      },
    },
    async (request) => describeInvitation(app.db, request.params.token),
  );

  app.post(
    '/api/auth/invitations/:token/accept/',
    {
      preHandler: requireAuth,
      schema: {
        tags,
        summary: 'Accept an invitation as the logged-in user; the organization becomes active',
        security: [{ bearer: [] }],
        params: invitationParams,
        response: { 200: sessionSchema, ...errorResponses(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const orgId = await acceptInvitation(app.db, auth.userId, request.params.token);
      const session = await switchOrganization(ctx, auth, orgId, refreshCookie(request));
      setRefreshCookie(request, reply, session.refresh);
      return session;
    },
  );
};
