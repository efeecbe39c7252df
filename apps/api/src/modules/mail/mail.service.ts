import type { Database, Transaction } from '../../db/client.ts';
import { withTenant } from '../../db/tenant.ts';
import { AppError, notFound } from '../../http/errors.ts';
import { assertMember } from '../accounts/team.service.ts';
import { countOutbox, outboxMessage, outboxPage } from './mail.queries.ts';
import type { MailDelivery } from './mailer.ts';

type Actor = { userId: string; orgId: string };

/** The outbox holds reset and invitation links for the whole organization: managers only. */
async function assertCanReadOutbox(tx: Transaction, actor: Actor): Promise<void> {
  const role = await assertMember(tx, actor);
  if (role !== 'owner' && role !== 'admin') {
    throw new AppError('forbidden', 'Only owners and admins can read the organization’s outbox.');
  }
}

export async function listOutbox(
  db: Database,
  actor: Actor,
  page: { limit: number; offset: number },
  delivery: MailDelivery,
) {
  return withTenant(
    db,
    actor.orgId,
    async (tx) => {
      await assertCanReadOutbox(tx, actor);
      // With SMTP nothing is stored; rows left from an earlier local run are not shown either.
      if (delivery === 'smtp') return { count: 0, results: [] };
      const [total, rows] = [await countOutbox(tx, actor.orgId), await outboxPage(tx, actor.orgId, page)];
      return {
        count: total,
        results: rows.map((r) => ({
          id: r.id,
          to: r.toAddress,
          subject: r.subject,
          kind: r.kind,
          created_at: r.createdAt.toISOString(),
        })),
      };
    },
    actor.userId,
  );
}

export async function getOutboxMessage(db: Database, actor: Actor, id: string, delivery: MailDelivery) {
  return withTenant(
    db,
    actor.orgId,
    async (tx) => {
      await assertCanReadOutbox(tx, actor);
      const row = delivery === 'outbox' ? await outboxMessage(tx, actor.orgId, id) : undefined;
      if (!row) throw notFound('The message');
      return {
        id: row.id,
        to: row.toAddress,
        subject: row.subject,
        kind: row.kind,
        created_at: row.createdAt.toISOString(),
        text: row.text,
      };
    },
    actor.userId,
  );
}
