import type { FastifyRequest } from 'fastify';
import type { LoggerOptions } from 'pino';

/** Keys whose values are secrets wherever they appear in a logged object. */
const SECRET_KEYS = [
  'password',
  'access',
  'refresh',
  'token',
  'access_token',
  'refresh_token',
  'api_secret',
  'api_key',
  'secret',
  'code',
];

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
      ],
      censor: '[redacted]',
    },
    serializers: {
      req: (req: FastifyRequest) => ({
        method: req.method,
        url: redactUrl(req.url),
        remoteAddress: req.ip,
      }),
    },
    ...(pretty ? { transport: undefined } : {}),
  };
}
