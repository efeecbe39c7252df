import { type Config, loadConfig } from '../config.ts';

// The configuration of every test app, importable outside vitest (child processes of tests).

export const TEST_SECRET_KEY = 'test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFG';
export const TEST_ENCRYPTION_KEY = `test1:${Buffer.alloc(32, 7).toString('base64')}`;

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    DEBUG: 'true',
    SECRET_KEY: TEST_SECRET_KEY,
    ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    DATA_DIR: '/tmp/invpro-test-unused',
    LOG_LEVEL: 'info',
    // Every app.inject comes from one address: the sign-up limit has its own test (rate-limits.test.ts).
    REGISTRATION_MAX_PER_ADDRESS: '100000',
    ...overrides,
  });
}
