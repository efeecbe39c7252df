import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../app.ts';
import { loadConfig } from '../../config.ts';
import { createTestApp, json, registerUser, type TestApp } from '../../test/app.ts';
import { createTestDatabase } from '../../test/database.ts';

type User = Awaited<ReturnType<typeof registerUser>>;

interface Received {
  from: string;
  to: string[];
  raw: string;
}

/** A real SMTP server on 127.0.0.1 (no TLS, no auth), keeping what it receives. */
async function startSmtp(opts: { reject?: boolean } = {}) {
  const received: Received[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (opts.reject) {
          const err = Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 });
          callback(err);
          return;
        }
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Quoted-printable soft breaks and escapes undone, so a link can be searched in the raw message. */
const decoded = (raw: string) =>
  raw
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));

const invite = (app: TestApp['app'], by: User, email: string, role = 'member') =>
  app.inject({ method: 'POST', url: '/api/team/invitations/', headers: by.auth, payload: { email, role } });

describe('the outbox (no SMTP_URL)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('keeps an invitation email, newest first; owners and admins read it, members get 403', async () => {
    const owner = await registerUser(t.app, { organization: 'Outbox <Co>' });
    const first = json(await invite(t.app, owner, 'first.invitee@example.com'));
    const second = json(await invite(t.app, owner, 'second.invitee@example.com', 'admin'));
    await t.app.mailer.drain();

    const list = await t.app.inject({ method: 'GET', url: '/api/mail/outbox/', headers: owner.auth });
    expect(list.statusCode, list.body).toBe(200);
    const page = json(list);
    expect(page).toMatchObject({ count: 2, next: null, previous: null, delivery: 'outbox' });
    expect(page.results.map((m: { to: string }) => m.to)).toEqual([
      'second.invitee@example.com',
      'first.invitee@example.com',
    ]);
    expect(page.results[0]).toMatchObject({
      kind: 'invitation',
      subject: 'You are invited to Outbox <Co> on InvPro360',
    });
    expect(page.results[0].text).toBeUndefined();

    const one = await t.app.inject({
      method: 'GET',
      url: `/api/mail/outbox/${page.results[0].id}/`,
      headers: owner.auth,
    });
    expect(one.statusCode).toBe(200);
    expect(json(one).text).toContain(second.invitation_url);
    expect(json(one).text).not.toContain(first.invitation_url);
    const [row] = (await t.database.db.execute(sql`select html from mail_outbox where id = ${page.results[0].id}`))
      .rows as { html: string }[];
    expect(row!.html).toContain('Outbox &lt;Co&gt;');

    // The logs name recipient, subject and kind, never the link.
    const logged = t.logs.filter((l) => l.includes('"mail_outbox"'));
    expect(logged.some((l) => l.includes('second.invitee@example.com') && l.includes('"invitation"'))).toBe(true);
    expect(t.logs.join('\n')).not.toContain(second.token.split('.')[1]);

    // An admin reads it; a member may not.
    const adminInv = json(await invite(t.app, owner, `admin${Date.now()}@example.com`, 'admin'));
    const admin = await registerUser(t.app, { email: adminInv.email, invitation: adminInv.token });
    const memberInv = json(await invite(t.app, owner, `member${Date.now()}@example.com`));
    const member = await registerUser(t.app, { email: memberInv.email, invitation: memberInv.token });
    const asAdmin = await t.app.inject({ method: 'GET', url: '/api/mail/outbox/', headers: admin.auth });
    expect(asAdmin.statusCode).toBe(200);
    for (const url of ['/api/mail/outbox/', `/api/mail/outbox/${page.results[0].id}/`]) {
      const asMember = await t.app.inject({ method: 'GET', url, headers: member.auth });
      expect(asMember.statusCode).toBe(403);
      expect(json(asMember).detail).toMatch(/owners and admins/);
    }
  });

  it('answers 404 for a message of another organization and for an unknown id; 400 for a malformed one', async () => {
    const a = await registerUser(t.app);
    const b = await registerUser(t.app);
    await invite(t.app, b, 'only-b@example.com');
    await t.app.mailer.drain();
    const bMessage = json(await t.app.inject({ method: 'GET', url: '/api/mail/outbox/', headers: b.auth })).results[0];
    const foreign = await t.app.inject({ method: 'GET', url: `/api/mail/outbox/${bMessage.id}/`, headers: a.auth });
    expect(foreign.statusCode).toBe(404);
    const unknown = await t.app.inject({
      method: 'GET',
      url: '/api/mail/outbox/00000000-0000-7000-8000-000000000000/',
      headers: a.auth,
    });
    expect(unknown.statusCode).toBe(404);
    const malformed = await t.app.inject({ method: 'GET', url: '/api/mail/outbox/nope/', headers: a.auth });
    expect(malformed.statusCode).toBe(400);
    expect(json(await t.app.inject({ method: 'GET', url: '/api/mail/outbox/', headers: a.auth })).count).toBe(0);
  });
});

describe('SMTP (SMTP_URL set)', () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let t: TestApp;
  beforeAll(async () => {
    smtp = await startSmtp();
    t = await createTestApp({ SMTP_URL: smtp.url, MAIL_FROM: 'Stock Room <stock@example.com>' });
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  it('sends invitation and reset emails through the SMTP server and stores nothing', async () => {
    const owner = await registerUser(t.app);
    const inv = json(await invite(t.app, owner, 'smtp.invitee@example.com'));
    const reset = await t.app.inject({
      method: 'POST',
      url: '/api/auth/password-reset/',
      payload: { email: owner.email },
    });
    expect(reset.statusCode).toBe(202);
    await t.app.mailer.drain();

    expect(smtp.received).toHaveLength(2);
    const invitation = smtp.received.find((m) => m.to.includes('smtp.invitee@example.com'))!;
    expect(invitation.from).toBe('stock@example.com');
    expect(decoded(invitation.raw)).toContain(inv.invitation_url);
    expect(invitation.raw).toMatch(/^From: Stock Room <stock@example\.com>/m);
    const resetMail = smtp.received.find(
      (m) => m.to.includes(owner.email.toLowerCase()) || m.to.includes(owner.email),
    )!;
    expect(decoded(resetMail.raw)).toMatch(/http:\/\/localhost:3000\/reset-password\/[A-Za-z0-9_-]{43}/);
    expect(resetMail.raw).toMatch(/^Subject: Reset your InvPro360 password/m);

    const stored = (await t.database.db.execute(sql`select count(*)::int as n from mail_outbox`)).rows[0] as {
      n: number;
    };
    expect(stored.n).toBe(0);
    const list = json(await t.app.inject({ method: 'GET', url: '/api/mail/outbox/', headers: owner.auth }));
    expect(list).toMatchObject({ count: 0, results: [], delivery: 'smtp' });
    const link = /reset-password\/([A-Za-z0-9_-]{43})/.exec(decoded(resetMail.raw))![1]!;
    expect(t.logs.join('\n')).not.toContain(link);
    expect(t.logs.some((l) => l.includes('"mail_sent"') && l.includes('smtp.invitee@example.com'))).toBe(true);
  });

  it('logs a failed delivery without the message, and the request still succeeds', async () => {
    const failing = await startSmtp({ reject: true });
    const app = await createTestApp({ SMTP_URL: failing.url });
    try {
      const owner = await registerUser(app.app);
      const res = await invite(app.app, owner, 'bounced@example.com');
      expect(res.statusCode).toBe(201);
      await app.app.mailer.drain();
      const failure = app.logs.find((l) => l.includes('"mail_failed"'));
      expect(failure, app.logs.join('\n').slice(-2000)).toBeDefined();
      expect(failure).toContain('"invitation"');
      expect(failure).toContain('550');
      const secret = json(res).token.split('.')[1];
      expect(app.logs.join('\n')).not.toContain(secret);
      expect(failure).not.toContain('Accept the invitation');
    } finally {
      await app.close();
      await failing.close();
    }
  });
});

describe('configuration', () => {
  it('without SMTP_URL and with DEBUG=false the API starts and warns once that mail goes to the outbox', async () => {
    const database = await createTestDatabase();
    const lines: string[] = [];
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk, _enc, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    );
    const config = loadConfig({
      DEBUG: 'false',
      SECRET_KEY: 'prod-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGH',
      ENCRYPTION_KEY: `p1:${Buffer.alloc(32, 9).toString('base64')}`,
      ALLOWED_HOSTS: 'localhost',
      DATA_DIR: '/tmp/invpro-test-unused',
    });
    expect(config.mail).toEqual({ smtpUrl: undefined, from: 'InvPro360 <no-reply@localhost>' });
    const app = await buildApp({ config, db: database.db, logger });
    try {
      await app.ready();
      expect(lines.filter((l) => l.includes('"mail_outbox_only"'))).toHaveLength(1);
    } finally {
      await app.close();
      await database.drop();
    }
  });

  it('refuses an SMTP_URL that is not smtp:// or smtps://', () => {
    expect(() => loadConfig({ SMTP_URL: 'http://mail.example.com' })).toThrow(/SMTP_URL/);
    expect(loadConfig({ SMTP_URL: 'smtps://u:p@mail.example.com:465' }).mail.smtpUrl).toBe(
      'smtps://u:p@mail.example.com:465',
    );
  });
});
