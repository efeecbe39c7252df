import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authOf, requireAuth } from '../../http/auth.ts';
import { offsetOf, pageOf, pageQuery, paginated } from '../../http/pagination.ts';
import { errorResponses, uuidParam } from '../../http/schemas.ts';
import { getOutboxMessage, listOutbox } from './mail.service.ts';
import { MAIL_KINDS } from './schema.ts';

const outboxItem = z
  .object({
    id: z.string(),
    to: z.string(),
    subject: z.string(),
    kind: z.enum(MAIL_KINDS),
    created_at: z.string(),
  })
  .meta({ id: 'OutboxMessageSummary' });

const outboxMessage = outboxItem.extend({ text: z.string() }).meta({ id: 'OutboxMessage' });

const delivery = z
  .enum(['smtp', 'outbox'])
  .describe('smtp: mail is sent by the SMTP server (SMTP_URL) and nothing is kept here; outbox: no SMTP server');

export const mailRoutes: FastifyPluginAsyncZod = async (app) => {
  app.addHook('preHandler', requireAuth);
  const tags = ['mail'];
  const security = [{ bearer: [] }];

  app.get(
    '/api/mail/outbox/',
    {
      schema: {
        tags,
        security,
        summary: 'Mail the app kept instead of sending, newest first (owners and admins; only without SMTP_URL)',
        querystring: pageQuery.strict(),
        response: { 200: pageOf(outboxItem).extend({ delivery }), ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const q = request.query;
      const { count, results } = await listOutbox(
        app.db,
        authOf(request),
        { limit: q.page_size, offset: offsetOf(q) },
        app.mailer.delivery,
      );
      return { ...paginated(request, q, count, results), delivery: app.mailer.delivery };
    },
  );

  app.get(
    '/api/mail/outbox/:id/',
    {
      schema: {
        tags,
        security,
        summary: 'One kept message with its text',
        params: z.object({ id: uuidParam('id') }),
        response: { 200: outboxMessage, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => getOutboxMessage(app.db, authOf(request), request.params.id, app.mailer.delivery),
  );
};
