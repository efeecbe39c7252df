import { sql } from 'drizzle-orm';
import { index, pgPolicy, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { appRole, currentOrgId } from '../../db/roles.ts';
import { organizations } from '../accounts/schema.ts';

export const MAIL_KINDS = ['password_reset', 'invitation'] as const;
export type MailKind = (typeof MAIL_KINDS)[number];

/**
 * Tenant: the messages the app would have sent, kept when no SMTP server is configured (local and
 * demo runs), so an owner or admin can read and relay them (docs/decisions/0015). With SMTP_URL
 * nothing is written here.
 */
export const mailOutbox = pgTable(
  'mail_outbox',
  {
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    id: uuid().notNull(),
    toAddress: text().notNull(),
    subject: text().notNull(),
    text: text().notNull(),
    html: text(),
    kind: text({ enum: MAIL_KINDS }).notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.id] }),
    index('mail_outbox_newest_idx').on(t.orgId, t.createdAt.desc(), t.id.desc()),
    pgPolicy('mail_outbox_tenant', {
      for: 'all',
      to: appRole,
      using: sql`org_id = ${currentOrgId}`,
      withCheck: sql`org_id = ${currentOrgId}`,
    }),
  ],
);
