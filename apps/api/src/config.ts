import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { BlockList, isIP } from 'node:net';
import path from 'node:path';
import { parseTrustProxy, type TrustProxy } from '@invpro/contract/trust-proxy';
import { z } from 'zod';

/** Values that ship in docs and examples: a production server must never run with them. */
const KNOWN_DEFAULT_SECRETS = new Set([
  'changeme',
  'change-me',
  'secret',
  'your-secret-key',
  'django-insecure-change-me',
  'insecure-dev-secret-key-do-not-use-in-production-0123456789',
]);

const boolean = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'].includes(v), 'must be true or false')
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

const list = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

const port = z.coerce.number().int().min(0).max(65535);

/** Read by the web server too (apps/web/server.ts), with the same parser. */
const trustProxy = z.string().transform((raw, ctx): TrustProxy => {
  const result = parseTrustProxy(raw);
  if (result.valid) return result.trust;
  ctx.addIssue({ code: 'custom', message: result.reason });
  return z.NEVER;
});

const envSchema = z.object({
  DEBUG: boolean.default(true),
  SECRET_KEY: z.string().optional(),
  ENCRYPTION_KEY: z.string().optional(),
  ALLOWED_HOSTS: list.optional(),
  CORS_ALLOWED_ORIGINS: list.optional(),
  DATABASE_URL: z.string().url().optional(),
  POSTGRES_DB: z.string().optional(),
  POSTGRES_USER: z.string().optional(),
  POSTGRES_PASSWORD: z.string().optional(),
  POSTGRES_HOST: z.string().optional(),
  POSTGRES_PORT: port.optional(),
  /** `transaction` when DATABASE_URL is a transaction pooler (PgBouncer): no named prepared statements. */
  /** A direct URL for migrations (session advisory lock) when DATABASE_URL is a transaction pooler. */
  DATABASE_MIGRATION_URL: z.string().url().optional(),
  DATABASE_POOL_MODE: z.enum(['session', 'transaction']).optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(500).default(10),
  DATA_DIR: z.string().default('./.data'),
  API_PORT: port.default(8000),
  API_HOST: z.string().optional(),
  WEB_PORT: port.default(3000),
  WEB_HOST: z.string().optional(),
  PUBLIC_WEB_URL: z.string().url().optional(),
  NEXT_PUBLIC_API_URL: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SHOPIFY_API_ORIGIN: z.string().url().optional(),
  SHOPIFY_API_KEY: z.string().optional(),
  SHOPIFY_API_SECRET: z.string().optional(),
  SHOPIFY_WEBHOOK_BASE_URL: z.string().url().optional(),
  SHOPIFY_SYNC_INTERVAL_PRODUCTS: z.coerce.number().int().min(60).default(3600),
  LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: z.coerce.number().int().min(1).default(5),
  LOGIN_MAX_ATTEMPTS_PER_ADDRESS: z.coerce.number().int().min(1).default(30),
  LOGIN_WINDOW_SECONDS: z.coerce.number().int().min(1).default(900),
  REGISTRATION_MAX_PER_ADDRESS: z.coerce.number().int().min(1).default(10),
  REGISTRATION_WINDOW_SECONDS: z.coerce.number().int().min(1).default(3600),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(5).default(900),
  TRUST_PROXY: trustProxy.default([]),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/[^\s]+$/, 'must be an smtp:// or smtps:// URL, e.g. smtp://user:password@mail.example.com:587')
    .optional(),
  MAIL_FROM: z.string().min(3).default('InvPro360 <no-reply@localhost>'),
  PASSWORD_RESET_MAX_PER_EMAIL: z.coerce.number().int().min(1).default(3),
  PASSWORD_RESET_MAX_PER_ADDRESS: z.coerce.number().int().min(1).default(10),
  PASSWORD_RESET_WINDOW_SECONDS: z.coerce.number().int().min(1).default(3600),
  METRICS_ALLOW: z
    .string()
    .transform((raw, ctx) => {
      const entries = raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      for (const entry of entries) {
        if (!cidrOf(entry)) {
          ctx.addIssue({ code: 'custom', message: `"${entry}" is not an address or CIDR (e.g. 10.0.0.0/8)` });
          return z.NEVER;
        }
      }
      return entries;
    })
    .default(['127.0.0.0/8', '::1/128']),
  METRICS_TOKEN: z.string().min(32, 'must be at least 32 characters').optional(),
  WORKER_METRICS_PORT: port.default(9464),
  SENTRY_DSN: z.string().url().optional(),
  SENTRY_ENVIRONMENT: z.string().optional(),
  BACKUP_DIR: z.string().optional(),
  BACKUP_KEEP: z.coerce.number().int().min(1).default(14),
  // pg-boss validates the expression itself when it schedules; this catches a value that is not cron at all.
  BACKUP_SCHEDULE: z
    .string()
    .trim()
    .regex(/^\S+(\s+\S+){4,5}$/, 'must be a cron expression of 5 or 6 fields, e.g. "0 3 * * *"')
    .optional(),
  PG_BIN_DIR: z.string().optional(),
});

/** `10.0.0.0/8`, `::1/128` or a bare address, as [address, prefix, family]; undefined when malformed. */
export function cidrOf(entry: string): [string, number, 'ipv4' | 'ipv6'] | undefined {
  const [address = '', prefixText] = entry.split('/');
  const version = isIP(address);
  if (!version) return undefined;
  const max = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (
    !Number.isInteger(prefix) ||
    prefix < 0 ||
    prefix > max ||
    (prefixText !== undefined && !/^\d+$/.test(prefixText))
  )
    return undefined;
  return [address, prefix, version === 4 ? 'ipv4' : 'ipv6'];
}

/** The addresses METRICS_ALLOW lists, as one matcher (IPv4-mapped IPv6 is matched as IPv4). */
export function addressMatcher(entries: string[]): (address: string) => boolean {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, prefix, family] = cidrOf(entry)!;
    list.addSubnet(address, prefix, family);
  }
  return (address) => {
    const plain = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
    const family = isIP(plain);
    return family !== 0 && list.check(plain, family === 4 ? 'ipv4' : 'ipv6');
  };
}

export interface EncryptionKey {
  id: string;
  key: Buffer;
}

export interface Config {
  debug: boolean;
  secretKey: string;
  /** First key encrypts; all keys decrypt (rotation). */
  encryptionKeys: EncryptionKey[];
  allowedHosts: string[];
  corsOrigins: string[];
  /** Unset means: start the embedded PostgreSQL under dataDir. */
  databaseUrl: string | undefined;
  databasePoolMax: number;
  dataDir: string;
  apiPort: number;
  apiHost: string;
  webPort: number;
  webHost: string;
  publicWebUrl: string;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  shopify: {
    apiOrigin: string | undefined;
    apiKey: string | undefined;
    apiSecret: string | undefined;
    webhookBaseUrl: string | undefined;
    syncIntervalProducts: number;
  };
  login: { maxPerAccount: number; maxPerAddress: number; windowSeconds: number };
  /** Sign-ups per client address and window (each costs a hash, an account and an organization). */
  registration: { maxPerAddress: number; windowSeconds: number };
  /** How long an access token is accepted; the web client refreshes it on its first 401. */
  accessTokenTtlSeconds: number;
  /**
   * Whose X-Forwarded-* to believe: by default loopback only, i.e. our own web server, which sets
   * them from its socket; or a count of hops, or the listed proxies besides loopback.
   */
  trustProxy: TrustProxy;
  /** Without an SMTP URL, mail lands in each organization's outbox table (docs/decisions/0015). */
  mail: { smtpUrl: string | undefined; from: string };
  /** Reset requests per email and per client address and window (each may send a message). */
  passwordReset: { maxPerEmail: number; maxPerAddress: number; windowSeconds: number };
  /** Who may read /metrics when DEBUG=false: these addresses, or a bearer of `token`. */
  metrics: { allow: string[]; token: string | undefined; workerPort: number };
  /** Unset: Sentry is not loaded at all. */
  sentry: { dsn: string | undefined; environment: string };
  /** `invpro backup` and the worker's `backups.run` (only when `schedule` is set). */
  backup: { dir: string; keep: number; schedule: string | undefined; pgBinDir: string | undefined };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** `ENCRYPTION_KEY` is `base64key` or `id:base64key,id2:base64key2` (newest first) for rotation. */
export function parseEncryptionKeys(raw: string): EncryptionKey[] {
  const keys = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry, index) => {
      const [id, material] = entry.includes(':') ? (entry.split(':', 2) as [string, string]) : [`k${index + 1}`, entry];
      const key = Buffer.from(material, 'base64');
      if (key.length !== 32 || !/^[A-Za-z0-9_-]{1,32}$/.test(id)) {
        throw new ConfigError(
          'ENCRYPTION_KEY must be 32 random bytes in base64 (e.g. `openssl rand -base64 32`), optionally as id:key,id:key for rotation.',
        );
      }
      return { id, key };
    });
  if (keys.length === 0) throw new ConfigError('ENCRYPTION_KEY is empty.');
  return keys;
}

/** Local mode keeps generated secrets under DATA_DIR so sessions and encrypted data survive a restart. */
function localSecret(dataDir: string, file: string, make: () => string): string {
  const target = path.resolve(dataDir, file);
  if (existsSync(target)) return readFileSync(target, 'utf8').trim();
  mkdirSync(path.dirname(target), { recursive: true });
  const value = make();
  writeFileSync(target, `${value}\n`, { mode: 0o600 });
  return value;
}

function databaseUrlFrom(env: z.infer<typeof envSchema>): string | undefined {
  if (env.DATABASE_URL) return env.DATABASE_URL;
  if (!env.POSTGRES_HOST && !env.POSTGRES_DB) return undefined;
  const url = new URL('postgres://localhost');
  url.hostname = env.POSTGRES_HOST ?? 'localhost';
  url.port = String(env.POSTGRES_PORT ?? 5432);
  url.username = env.POSTGRES_USER ?? 'postgres';
  url.password = env.POSTGRES_PASSWORD ?? '';
  url.pathname = `/${env.POSTGRES_DB ?? 'postgres'}`;
  return url.toString();
}

export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(Object.fromEntries(Object.entries(source).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`${String(issue.path[0])}: ${issue.message}`);
  }
  const env = parsed.data;
  const debug = env.DEBUG;
  const dataDir = path.resolve(env.DATA_DIR);

  let secretKey = env.SECRET_KEY;
  let encryptionRaw = env.ENCRYPTION_KEY;
  if (!debug) {
    if (!secretKey) throw new ConfigError('SECRET_KEY is required when DEBUG=false.');
    if (secretKey.length < 50) throw new ConfigError('SECRET_KEY must be at least 50 characters when DEBUG=false.');
    if (KNOWN_DEFAULT_SECRETS.has(secretKey.toLowerCase()) || new Set(secretKey).size < 5) {
      throw new ConfigError('SECRET_KEY is a known default or has too little variety; generate a random one.');
    }
    if (!env.ALLOWED_HOSTS || env.ALLOWED_HOSTS.length === 0) {
      throw new ConfigError('ALLOWED_HOSTS must list the host names this server answers to when DEBUG=false.');
    }
    if (!encryptionRaw) throw new ConfigError('ENCRYPTION_KEY is required when DEBUG=false.');
    if (env.SHOPIFY_API_ORIGIN) {
      throw new ConfigError('SHOPIFY_API_ORIGIN (the local Shopify simulator) is refused when DEBUG=false.');
    }
  }
  secretKey ??= localSecret(dataDir, 'secret_key', () => randomBytes(48).toString('base64url'));
  encryptionRaw ??= localSecret(dataDir, 'encryption_key', () => `local1:${randomBytes(32).toString('base64')}`);

  const webPort = env.WEB_PORT;
  return {
    debug,
    secretKey,
    encryptionKeys: parseEncryptionKeys(encryptionRaw),
    allowedHosts: env.ALLOWED_HOSTS ?? ['localhost', '127.0.0.1', '[::1]'],
    corsOrigins: env.CORS_ALLOWED_ORIGINS ?? [`http://localhost:${webPort}`, `http://127.0.0.1:${webPort}`],
    databaseUrl: databaseUrlFrom(env),
    databasePoolMax: env.DATABASE_POOL_MAX,
    dataDir,
    apiPort: env.API_PORT,
    apiHost: env.API_HOST ?? (debug ? '127.0.0.1' : '0.0.0.0'),
    webPort,
    webHost: env.WEB_HOST ?? (debug ? '127.0.0.1' : '0.0.0.0'),
    publicWebUrl: (env.PUBLIC_WEB_URL ?? `http://localhost:${webPort}`).replace(/\/$/, ''),
    logLevel: env.LOG_LEVEL,
    shopify: {
      apiOrigin: env.SHOPIFY_API_ORIGIN?.replace(/\/$/, ''),
      apiKey: env.SHOPIFY_API_KEY,
      apiSecret: env.SHOPIFY_API_SECRET,
      webhookBaseUrl: env.SHOPIFY_WEBHOOK_BASE_URL?.replace(/\/$/, ''),
      syncIntervalProducts: env.SHOPIFY_SYNC_INTERVAL_PRODUCTS,
    },
    login: {
      maxPerAccount: env.LOGIN_MAX_ATTEMPTS_PER_ACCOUNT,
      maxPerAddress: env.LOGIN_MAX_ATTEMPTS_PER_ADDRESS,
      windowSeconds: env.LOGIN_WINDOW_SECONDS,
    },
    registration: {
      maxPerAddress: env.REGISTRATION_MAX_PER_ADDRESS,
      windowSeconds: env.REGISTRATION_WINDOW_SECONDS,
    },
    accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
    trustProxy: env.TRUST_PROXY,
    mail: { smtpUrl: env.SMTP_URL, from: env.MAIL_FROM },
    passwordReset: {
      maxPerEmail: env.PASSWORD_RESET_MAX_PER_EMAIL,
      maxPerAddress: env.PASSWORD_RESET_MAX_PER_ADDRESS,
      windowSeconds: env.PASSWORD_RESET_WINDOW_SECONDS,
    },
    metrics: { allow: env.METRICS_ALLOW, token: env.METRICS_TOKEN, workerPort: env.WORKER_METRICS_PORT },
    sentry: { dsn: env.SENTRY_DSN, environment: env.SENTRY_ENVIRONMENT ?? (debug ? 'development' : 'production') },
    backup: {
      dir: path.resolve(env.BACKUP_DIR ?? path.join(dataDir, 'backups')),
      keep: env.BACKUP_KEEP,
      schedule: env.BACKUP_SCHEDULE,
      pgBinDir: env.PG_BIN_DIR,
    },
  };
}
