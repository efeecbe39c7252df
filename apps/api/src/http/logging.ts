import type { FastifyRequest } from 'fastify';
import type { LoggerOptions } from 'pino';

/**
 * Keys whose values are secrets wherever they appear in a logged object. Not `code`: that is the
 * SQLSTATE or error code of every logged error; OAuth codes are masked where they travel below.
 */
const SECRET_KEYS = [
  'password',
  'access',
  'refresh',
  'token',
  'access_token',
  'refresh_token',
  'api_secret',
  'api_key',
  'client_secret',
  'secret',
];

/** Where a Shopify OAuth code travels: the callback's query, and the body that exchanges it. */
const OAUTH_CODE_PATHS = ['query.code', '*.query.code', 'body.code', '*.body.code'];

const MAX_CAUSES = 5;
const MAX_MESSAGE_CHARS = 500;
const MAX_STACK_FRAMES = 15;

interface LoggedError {
  type: string;
  message: string;
  /** SQLSTATE for PostgreSQL errors, or a library's own code (ECONNREFUSED, FST_ERR_…). */
  code?: string | number;
  constraint?: string;
  table?: string;
  column?: string;
  schema?: string;
  statusCode?: number;
  stack?: string;
  cause?: LoggedError;
  errors?: LoggedError[];
}

function bounded(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text;
}

/**
 * The message without values a query carried. Drizzle appends every parameter ("\nparams: …":
 * password hashes, whole webhook payloads); PostgreSQL's data exceptions (SQLSTATE class 22) quote
 * the offending input.
 */
function safeMessage(err: Record<string, unknown>): string {
  let message = String(err.message ?? '').split('\nparams: ')[0]!;
  if (typeof err.code === 'string' && err.code.startsWith('22')) message = message.replace(/"[^"]*"/g, '[value]');
  return bounded(message, MAX_MESSAGE_CHARS);
}

function isErrorLike(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && ('message' in value || 'stack' in value);
}

function describeError(err: Record<string, unknown>, depth: number): LoggedError {
  const constructorName = (err as { constructor?: { name?: unknown } }).constructor?.name;
  const type =
    typeof constructorName === 'string' && constructorName !== 'Object' ? constructorName : String(err.name ?? 'Error');
  const out: LoggedError = { type, message: safeMessage(err) };
  if (typeof err.code === 'string' || typeof err.code === 'number') out.code = err.code;
  for (const key of ['constraint', 'table', 'column', 'schema'] as const) {
    const value = err[key];
    if (typeof value === 'string' && value) out[key] = value;
  }
  if (typeof err.statusCode === 'number') out.statusCode = err.statusCode;
  if (typeof err.stack === 'string') {
    // Only the frames: the first lines of a stack repeat the message, parameters and all.
    const frames = err.stack.split('\n').filter((line) => /^\s+at /.test(line));
    out.stack = [`${type}: ${out.message}`, ...frames.slice(0, MAX_STACK_FRAMES)].join('\n');
  }
  if (depth < MAX_CAUSES) {
    if (isErrorLike(err.cause) && err.cause !== err) out.cause = describeError(err.cause, depth + 1);
    if (Array.isArray(err.errors)) {
      out.errors = err.errors
        .filter(isErrorLike)
        .slice(0, 3)
        .map((e) => describeError(e, depth + 1));
    }
  }
  return out;
}

/**
 * The `err` serializer. pino's default copies every property, so a pg-boss error logged the whole
 * pg client (3.7 KB, its cancel key included) and a Drizzle error every query parameter. This keeps
 * what explains a failure (type, message, code, constraint, table, column, the stack frames, the
 * cause chain, bounded) and nothing else.
 */
function serializeError(value: unknown): unknown {
  if (isErrorLike(value)) return describeError(value, 0);
  return typeof value === 'string' ? bounded(value, MAX_MESSAGE_CHARS) : value;
}

const SECRET_QUERY = new Set(['code', 'hmac', 'state', 'token', 'access_token', 'refresh', 'signature']);

/** URLs can carry secrets too (invitation tokens, OAuth codes): mask them before logging. */
export function redactUrl(url: string): string {
  const [path = '', query] = url.split('?', 2);
  const safePath = path.replace(/(\/invitations\/)[^/]+/, '$1[redacted]');
  if (!query) return safePath;
  const params = new URLSearchParams(query);
  for (const key of [...params.keys()]) if (SECRET_QUERY.has(key.toLowerCase())) params.set(key, '[redacted]');
  return `${safePath}?${params.toString()}`;
}

export function loggerOptions(level: string, pretty = false): LoggerOptions {
  return {
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-shopify-access-token"]',
        'res.headers["set-cookie"]',
        ...SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]),
        ...OAUTH_CODE_PATHS,
      ],
      censor: '[redacted]',
    },
    serializers: {
      err: serializeError,
      req: (req: FastifyRequest) => ({
        method: req.method,
        url: redactUrl(req.url),
        remoteAddress: req.ip,
      }),
    },
    ...(pretty ? { transport: undefined } : {}),
  };
}
