import { and, count, desc, eq } from 'drizzle-orm';
import type { Database, Queryable } from '../../db/client.ts';
import { newId } from '../../db/ids.ts';
import { withTenant } from '../../db/tenant.ts';
import { type MailKind, mailOutbox } from './schema.ts';

export async function insertOutboxMessage(
  db: Database,
  orgId: string,
  message: { to: string; subject: string; text: string; html?: string; kind: MailKind },
): Promise<void> {
  await withTenant(db, orgId, (tx) =>
    tx.insert(mailOutbox).values({
      orgId,
      id: newId(),
      toAddress: message.to,
      subject: message.subject,
      text: message.text,
      html: message.html ?? null,
      kind: message.kind,
    }),
  );
}

export async function countOutbox(tx: Queryable, orgId: string): Promise<number> {
  const [row] = await tx.select({ n: count() }).from(mailOutbox).where(eq(mailOutbox.orgId, orgId));
  return row?.n ?? 0;
}

export function outboxPage(tx: Queryable, orgId: string, page: { limit: number; offset: number }) {
  return tx
    .select({
      id: mailOutbox.id,
      toAddress: mailOutbox.toAddress,
      subject: mailOutbox.subject,
      kind: mailOutbox.kind,
      createdAt: mailOutbox.createdAt,
    })
    .from(mailOutbox)
    .where(eq(mailOutbox.orgId, orgId))
    .orderBy(desc(mailOutbox.createdAt), desc(mailOutbox.id))
    .limit(page.limit)
    .offset(page.offset);
}

export async function outboxMessage(tx: Queryable, orgId: string, id: string) {
  const [row] = await tx
    .select()
    .from(mailOutbox)
    .where(and(eq(mailOutbox.orgId, orgId), eq(mailOutbox.id, id)));
  return row;
}
