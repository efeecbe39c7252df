// Error log lines must explain a failure without carrying what it touched: no query parameters
// (password hashes, whole webhook payloads), no pg client (its backend cancel key), and the
// SQLSTATE readable rather than masked as if it were an OAuth code.

import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../test/database.ts';
import { loggerOptions } from './logging.ts';

function capture() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: pino(loggerOptions('info'), sink), lines };
}

/** The line without its stacks, which vary with the call path. */
function withoutStacks(line: string): string {
  return JSON.stringify(JSON.parse(line), (key, value) => (key === 'stack' ? undefined : value));
}

const secret = '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';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  await database.db.execute(
    sql`create table log_probe (id int primary key, api_token text not null constraint log_probe_token_key unique)`,
  );
  await database.db.execute(sql`insert into log_probe values (1, ${secret})`);
});
afterAll(() => database.drop());

describe('the err serializer', () => {
  it('logs a Drizzle error with its SQLSTATE and constraint, and none of the query parameters', async () => {
    const { logger, lines } = capture();
    const failure = await database.db.execute(sql`insert into log_probe (id, api_token) values (${2}, ${secret})`).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect((failure as Error).constructor.name).toBe('DrizzleQueryError');
    // Both the parameters and PostgreSQL's own detail ("Key (api_token)=(…) already exists") hold it.
    expect(JSON.stringify((failure as { params: unknown }).params)).toContain(secret);
    expect((failure as { cause: { detail: string } }).cause.detail).toContain(secret);

    logger.error({ err: failure }, 'insert failed');
    const line = lines.at(-1)!;
    expect(line).not.toContain(secret);
    expect(line).not.toContain('params');
    const { err } = JSON.parse(line);
    expect(err).toMatchObject({
      type: 'DrizzleQueryError',
      message: 'Failed query: insert into log_probe (id, api_token) values ($1, $2)',
      cause: { type: 'DatabaseError', code: '23505', constraint: 'log_probe_token_key', table: 'log_probe' },
    });
    expect(err.stack).toMatch(/^DrizzleQueryError: Failed query: .*\n\s+at /);
    expect(err.cause.stack).toContain('at ');
    expect(withoutStacks(line).length).toBeLessThan(2048);
  });

  it('leaves out a pg client an error carries, cancel key and all', async () => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const { processID, secretKey } = client as unknown as { processID: number; secretKey: number };
      // Connected: a backend key was handed over (PgBouncer's own, any 32-bit number, behind it).
      expect(processID).not.toBe(0);
      // The shape pg-boss hands to its 'error' listener.
      const err = Object.assign(new Error('Connection terminated unexpectedly'), { client });
      const { logger, lines } = capture();
      logger.error({ err }, 'pg-boss error');
      logger.error(err);
      for (const line of lines) {
        expect(line).not.toContain('processID');
        expect(line).not.toContain('secretKey');
        expect(line).not.toContain(String(secretKey));
        expect(line).not.toContain(database.url);
        expect(JSON.parse(line).err).toMatchObject({ type: 'Error', message: 'Connection terminated unexpectedly' });
        expect(withoutStacks(line).length).toBeLessThan(2048);
      }
    } finally {
      await client.end();
    }
  });

  it('masks the input PostgreSQL quotes in a data exception', async () => {
    const { logger, lines } = capture();
    const failure = await database.db.execute(sql`select ${'not-a-uuid-but-a-secret'}::uuid`).then(
      () => undefined,
      (err: unknown) => err,
    );
    logger.error({ err: failure }, 'select failed');
    expect(lines.at(-1)).not.toContain('not-a-uuid-but-a-secret');
    expect(JSON.parse(lines.at(-1)!).err.cause).toMatchObject({
      code: '22P02',
      message: 'invalid input syntax for type uuid: [value]',
    });
  });

  it('bounds the cause chain and long messages', () => {
    let err: Error = new Error('root');
    for (let i = 0; i < 50; i++) err = new Error(`level ${i}`, { cause: err });
    const loop = new Error('x'.repeat(10_000));
    (loop as { cause?: unknown }).cause = loop;
    const { logger, lines } = capture();
    logger.error({ err }, 'deep');
    logger.error({ err: loop }, 'loop');
    expect(lines[0]!.match(/"cause"/g)).toHaveLength(5);
    expect(withoutStacks(lines[0]!).length).toBeLessThan(2048);
    expect(withoutStacks(lines[1]!).length).toBeLessThan(2048);
  });

  it('keeps an error code readable while OAuth codes stay masked where they travel', () => {
    const { logger, lines } = capture();
    logger.error({ err: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }) }, 'unreachable');
    logger.info({ query: { code: 'oauth-code-0123456789', shop: 'a.myshopify.com' } }, 'callback');
    logger.info(
      { body: { client_id: 'k', client_secret: 'shh-0123456789', code: 'oauth-code-9876543210' } },
      'exchange',
    );
    expect(JSON.parse(lines[0]!).err.code).toBe('ECONNREFUSED');
    const rest = lines.slice(1).join('');
    expect(rest).not.toContain('oauth-code-');
    expect(rest).not.toContain('shh-0123456789');
    expect(rest).toContain('a.myshopify.com');
  });
});
