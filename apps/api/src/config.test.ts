import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

const strongSecret = 'k8Jq2vN5xR9mT3wZ7pL1cF6hY4bD0sG8aE2uK5nQ9rV3tX7jM1oW6iB4lP0eH8zC';
const key = Buffer.alloc(32, 3).toString('base64');
const production = { DEBUG: 'false', SECRET_KEY: strongSecret, ALLOWED_HOSTS: 'app.example.com', ENCRYPTION_KEY: key };

describe('configuration', () => {
  it('has working local defaults and keeps a generated SECRET_KEY under DATA_DIR', () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'cfg-'));
    const first = loadConfig({ DATA_DIR: dataDir });
    expect(first).toMatchObject({ debug: true, apiPort: 8000, webPort: 3000, databaseUrl: undefined });
    expect(first.shopify.syncIntervalProducts).toBe(3600);
    expect(first.secretKey.length).toBeGreaterThanOrEqual(50);
    expect(readFileSync(path.join(dataDir, 'secret_key'), 'utf8').trim()).toBe(first.secretKey);
    expect(loadConfig({ DATA_DIR: dataDir }).secretKey).toBe(first.secretKey);
    expect(first.encryptionKeys[0]!.key).toHaveLength(32);
  });

  it('keeps backups under DATA_DIR/backups, fourteen of them, with no schedule unless asked', () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'cfg-'));
    expect(loadConfig({ DATA_DIR: dataDir }).backup).toEqual({
      dir: path.join(dataDir, 'backups'),
      keep: 14,
      schedule: undefined,
      pgBinDir: undefined,
    });
    const set = loadConfig({
      DATA_DIR: dataDir,
      BACKUP_DIR: '/srv/backups',
      BACKUP_KEEP: '3',
      BACKUP_SCHEDULE: '0 3 * * *',
    });
    expect(set.backup).toMatchObject({ dir: '/srv/backups', keep: 3, schedule: '0 3 * * *' });
    expect(() => loadConfig({ DATA_DIR: dataDir, BACKUP_KEEP: '0' })).toThrow(/BACKUP_KEEP/);
    expect(() => loadConfig({ DATA_DIR: dataDir, BACKUP_SCHEDULE: 'daily' })).toThrow(
      /BACKUP_SCHEDULE: must be a cron/,
    );
  });

  it('accepts a safe production configuration', () => {
    const config = loadConfig(production);
    expect(config.debug).toBe(false);
    expect(config.allowedHosts).toEqual(['app.example.com']);
    expect(config.apiHost).toBe('0.0.0.0');
  });

  it.each([
    ['SECRET_KEY missing', { SECRET_KEY: undefined }, /SECRET_KEY is required/],
    ['SECRET_KEY short', { SECRET_KEY: 'short-secret' }, /SECRET_KEY must be at least 50/],
    [
      'SECRET_KEY a known default',
      { SECRET_KEY: 'insecure-dev-secret-key-do-not-use-in-production-0123456789' },
      /SECRET_KEY is a known default/,
    ],
    ['SECRET_KEY one repeated char', { SECRET_KEY: 'a'.repeat(60) }, /SECRET_KEY/],
    ['ALLOWED_HOSTS empty', { ALLOWED_HOSTS: ' , ' }, /ALLOWED_HOSTS/],
    ['ENCRYPTION_KEY missing', { ENCRYPTION_KEY: undefined }, /ENCRYPTION_KEY is required/],
    ['ENCRYPTION_KEY malformed', { ENCRYPTION_KEY: 'not-base64-32-bytes' }, /ENCRYPTION_KEY must be 32/],
    ['the Shopify simulator', { SHOPIFY_API_ORIGIN: 'http://127.0.0.1:4100' }, /SHOPIFY_API_ORIGIN/],
  ])('refuses to start in production with %s, naming the variable', (_name, change, message) => {
    expect(() => loadConfig({ ...production, ...change })).toThrow(ConfigError);
    expect(() => loadConfig({ ...production, ...change })).toThrow(message);
  });

  it('names the variable of a malformed value', () => {
    expect(() => loadConfig({ API_PORT: 'eighty' })).toThrow(/API_PORT/);
    expect(() => loadConfig({ DEBUG: 'maybe' })).toThrow(/DEBUG/);
  });

  it('builds the database URL from POSTGRES_* when DATABASE_URL is unset', () => {
    const config = loadConfig({
      DATA_DIR: tmpdir(),
      POSTGRES_DB: 'inv',
      POSTGRES_USER: 'u',
      POSTGRES_PASSWORD: 'p@ss',
      POSTGRES_HOST: 'db',
      POSTGRES_PORT: '6543',
    });
    expect(config.databaseUrl).toBe('postgres://u:p%40ss@db:6543/inv');
    expect(loadConfig({ DATA_DIR: tmpdir(), DATABASE_URL: 'postgres://x@h/d' }).databaseUrl).toBe('postgres://x@h/d');
  });

  it('reads keys for rotation, newest first', () => {
    const config = loadConfig({
      ...production,
      ENCRYPTION_KEY: `new:${key},old:${Buffer.alloc(32, 9).toString('base64')}`,
    });
    expect(config.encryptionKeys.map((k) => k.id)).toEqual(['new', 'old']);
  });

  it('reads TRUST_PROXY as loopback only, a hop count, or the proxies to believe', () => {
    const dataDir = tmpdir();
    expect(loadConfig({ DATA_DIR: dataDir }).trustProxy).toEqual([]);
    expect(loadConfig({ DATA_DIR: dataDir, TRUST_PROXY: 'false' }).trustProxy).toEqual([]);
    expect(loadConfig({ DATA_DIR: dataDir, TRUST_PROXY: '0' }).trustProxy).toEqual([]);
    expect(loadConfig({ DATA_DIR: dataDir, TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ DATA_DIR: dataDir, TRUST_PROXY: ' 10.0.0.0/8, 192.0.2.7 ,fd00::/8,::1' }).trustProxy).toEqual([
      '10.0.0.0/8',
      '192.0.2.7',
      'fd00::/8',
      '::1',
    ]);
  });

  it.each(['true', 'TRUE', 'yes', 'on'])('refuses TRUST_PROXY=%s, which would believe every hop', (value) => {
    expect(() => loadConfig({ DATA_DIR: tmpdir(), TRUST_PROXY: value })).toThrow(ConfigError);
    expect(() => loadConfig({ DATA_DIR: tmpdir(), TRUST_PROXY: value })).toThrow(
      /TRUST_PROXY: .*number of proxies.*addresses/,
    );
  });

  it.each(['lb.internal', '10.0.0.0/33', '10.0.0.1/8/2', '300.1.1.1', '10.0.0.1,garbage', '-1', '1.5', ','])(
    'refuses TRUST_PROXY=%s, naming the variable',
    (value) => {
      expect(() => loadConfig({ DATA_DIR: tmpdir(), TRUST_PROXY: value })).toThrow(ConfigError);
      expect(() => loadConfig({ DATA_DIR: tmpdir(), TRUST_PROXY: value })).toThrow(
        /^TRUST_PROXY: .*hop count .*addresses/,
      );
    },
  );
});
