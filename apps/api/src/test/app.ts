import { Writable } from 'node:stream';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import { buildApp } from '../app.ts';
import type { Config } from '../config.ts';
import { loggerOptions } from '../http/logging.ts';
import type { JobSender } from '../jobs/boss.ts';
import { createShopifyClient } from '../modules/shopify/client.ts';
import { testConfig } from './config.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

export interface TestApp {
  app: FastifyInstance;
  database: TestDatabase;
  config: Config;
  /** Every log line the app wrote, for tests that prove secrets never reach the logs. */
  logs: string[];
  close(): Promise<void>;
}

export { TEST_ENCRYPTION_KEY, TEST_SECRET_KEY, testConfig } from './config.ts';

export async function createTestApp(
  overrides: Record<string, string> = {},
  opts: { boss?: (database: TestDatabase) => Promise<JobSender> } = {},
): Promise<TestApp> {
  const database = await createTestDatabase();
  const config = testConfig(overrides);
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const logger = pino(loggerOptions(config.logLevel), sink);
  // Shopify retries in milliseconds, not seconds, so fault tests stay fast.
  const shopifyClient = createShopifyClient({ apiOrigin: config.shopify.apiOrigin, baseDelayMs: 5, maxDelayMs: 50 });
  const boss = opts.boss ? await opts.boss(database) : undefined;
  const app = await buildApp({ config, db: database.db, logger, shopifyClient, boss });
  await app.ready();
  return {
    app,
    database,
    config,
    logs,
    async close() {
      await app.close();
      await database.drop();
    },
  };
}

// biome-ignore lint/suspicious/noExplicitAny: tests read answers loosely and assert on them.
export const json = <T = any>(res: LightMyRequestResponse): T => res.json() as T;

let counter = 0;
/** A unique, valid account (strong password, unrelated to the names). */
export function newAccount(prefix = 'user') {
  counter++;
  const tag = `${prefix}${process.pid}x${counter}`;
  return { email: `${tag}@example.com`, username: tag, password: 'violet-harbour-tractor-91' };
}

export async function registerUser(app: FastifyInstance, extra: Record<string, string> = {}) {
  const account = { ...newAccount(), ...extra };
  const res = await app.inject({ method: 'POST', url: '/api/auth/register/', payload: account });
  if (res.statusCode !== 201) throw new Error(`register failed: ${res.statusCode} ${res.body}`);
  const body = res.json() as { access: string; refresh: string; user: { id: string; organization: { id: string } } };
  return { ...account, ...body, auth: { authorization: `Bearer ${body.access}` } };
}
