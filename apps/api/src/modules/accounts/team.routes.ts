import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authOf, requireAuth } from '../../http/auth.ts';
import { offsetOf, pageOf, pageQuery, paginated } from '../../http/pagination.ts';
import { email, errorResponses, uuidParam } from '../../http/schemas.ts';
import { createInvitation, listInvitations, revokeInvitation, sendInvitationMail } from './invitations.service.ts';
import { ROLES } from './schema.ts';
import { changeRole, listMembers, removeMember } from './team.service.ts';

const member = z
  .object({ user_id: z.string(), email: z.string(), username: z.string(), role: z.enum(ROLES), joined_at: z.string() })
  .meta({ id: 'Member' });

const invitation = z
  .object({
    id: z.string(),
    email: z.string(),
    role: z.enum(ROLES),
    created_at: z.string(),
    expires_at: z.string(),
    token: z.string().optional(),
    invitation_url: z.string().optional(),
  })
  .meta({ id: 'Invitation' });

const role = z.enum(ROLES, { error: `Role must be one of: ${ROLES.join(', ')}.` });

export const teamRoutes: FastifyPluginAsyncZod = async (app) => {
  app.addHook('preHandler', requireAuth);
  const tags = ['team'];
  const security = [{ bearer: [] }];
  const userParams = z.object({ user_id: uuidParam('user_id') });

  app.get(
    '/api/team/members/',
    {
      schema: {
        tags,
        security,
        summary: 'Members of the active organization',
        querystring: pageQuery.strict(),
        response: { 200: pageOf(member), ...errorResponses(400, 401) },
      },
    },
    async (request) => {
      const q = request.query;
      const { count, results } = await listMembers(app.db, authOf(request), {
        limit: q.page_size,
        offset: offsetOf(q),
      });
      return paginated(request, q, count, results);
    },
  );

  app.patch(
    '/api/team/members/:user_id/',
    {
      schema: {
        tags,
        security,
        summary: "Change a member's role (owners and admins; only owners grant or remove owner)",
        params: userParams,
        body: z.object({ role }).strict(),
        response: { 200: member, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => changeRole(app.db, authOf(request), request.params.user_id, request.body.role),
  );

  app.delete(
    '/api/team/members/:user_id/',
    {
      schema: {
        tags,
        security,
        summary: 'Remove a member (owners and admins), or leave the organization (yourself)',
        params: userParams,
        response: { 204: z.null(), ...errorResponses(401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await removeMember(app.db, authOf(request), request.params.user_id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/team/invitations/',
    {
      schema: {
        tags,
        security,
        summary: 'Pending invitations',
        querystring: pageQuery.strict(),
        response: { 200: pageOf(invitation), ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const q = request.query;
      const { count, results } = await listInvitations(app.db, authOf(request), {
        limit: q.page_size,
        offset: offsetOf(q),
      });
      return paginated(request, q, count, results);
    },
  );

  app.post(
    '/api/team/invitations/',
    {
      schema: {
        tags,
        security,
        summary: 'Invite someone by email (the link is mailed to them, and the answer carries it too)',
        body: z.object({ email, role: role.default('member') }).strict(),
        response: { 201: invitation, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const actor = authOf(request);
      const created = await createInvitation(app.db, actor, request.body, app.config.publicWebUrl);
      app.mailer.later({ kind: 'invitation' }, () => sendInvitationMail(app.db, app.mailer, actor, created));
      return reply.code(201).send(created);
    },
  );

  app.delete(
    '/api/team/invitations/:id/',
    {
      schema: {
        tags,
        security,
        summary: 'Revoke a pending invitation',
        params: z.object({ id: uuidParam('id') }),
        response: { 204: z.null(), ...errorResponses(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await revokeInvitation(app.db, authOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
};
