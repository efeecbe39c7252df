import type { FastifyBaseLogger } from 'fastify';
import nodemailer from 'nodemailer';
import type { Config } from '../../config.ts';
import type { Database } from '../../db/client.ts';
import { insertOutboxMessage } from './mail.queries.ts';
import type { MailKind } from './schema.ts';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  kind: MailKind;
}

export type MailDelivery = 'smtp' | 'outbox';

export interface Mailer {
  readonly delivery: MailDelivery;
  /**
   * Send now: through SMTP when SMTP_URL is set, otherwise into the outbox of each of
   * `outboxOrgIds` (who may read it there: docs/decisions/0015). Rejects when delivery fails.
   */
  send(message: MailMessage, outboxOrgIds: string[]): Promise<void>;
  /**
   * Run `work` (which usually sends) after the answer has gone: a request's time must not depend
   * on whether a message was sent, nor on the SMTP server. Failures are logged, never thrown.
   */
  later(what: { kind: MailKind }, work: () => Promise<void>): void;
  /** Wait for everything `later` started (shutdown, and tests that read the outbox). */
  drain(): Promise<void>;
  close(): Promise<void>;
}

/** What a failed delivery may log: never the message, its links or the SMTP credentials. */
function failureOf(err: unknown) {
  const e = err as { code?: unknown; responseCode?: unknown; command?: unknown; name?: unknown };
  return {
    type: typeof e?.name === 'string' ? e.name : 'Error',
    code: typeof e?.code === 'string' ? e.code : undefined,
    responseCode: typeof e?.responseCode === 'number' ? e.responseCode : undefined,
    command: typeof e?.command === 'string' ? e.command : undefined,
  };
}

export function createMailer(opts: { db: Database; config: Config; log: FastifyBaseLogger }): Mailer {
  const { db, config, log } = opts;
  const smtp = config.mail.smtpUrl ? nodemailer.createTransport(config.mail.smtpUrl) : undefined;
  const running = new Set<Promise<void>>();

  const mailer: Mailer = {
    delivery: smtp ? 'smtp' : 'outbox',

    async send(message, outboxOrgIds) {
      if (smtp) {
        await smtp.sendMail({
          from: config.mail.from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          ...(message.html ? { html: message.html } : {}),
        });
        log.info({ event: 'mail_sent', to: message.to, subject: message.subject, kind: message.kind }, 'mail sent');
        return;
      }
      for (const orgId of outboxOrgIds) await insertOutboxMessage(db, orgId, message);
      log.info(
        {
          event: 'mail_outbox',
          to: message.to,
          subject: message.subject,
          kind: message.kind,
          organizations: outboxOrgIds.length,
        },
        'mail kept in the outbox (no SMTP_URL)',
      );
    },

    later(what, work) {
      const task = (async () => {
        // Past the current turn, so the answer is on its way first.
        await new Promise<void>((resolve) => setImmediate(resolve));
        await work();
      })()
        .catch((err) => log.error({ event: 'mail_failed', kind: what.kind, failure: failureOf(err) }, 'mail failed'))
        .finally(() => running.delete(task));
      running.add(task);
    },

    async drain() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },

    async close() {
      await mailer.drain();
      smtp?.close();
    },
  };
  return mailer;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** For what a person typed (an organization's name) inside a message's HTML part. */
export const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch]!);
