import { bodyTooLargeDetail } from '@invpro/contract';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { reporter } from '../observability/sentry.ts';

/** The small set of failures the domain can express; mapped to HTTP here and only here. */
export type ErrorCode =
  | 'validation'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'rate_limited'
  | 'upstream'
  | 'bad_request';

const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  validation: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  upstream: 502,
};

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

export type FieldErrors = Record<string, string[]>;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly fieldErrors: FieldErrors | undefined;
  readonly headers: Record<string, string> | undefined;
  constructor(code: ErrorCode, detail: string, opts: { errors?: FieldErrors; headers?: Record<string, string> } = {}) {
    super(detail);
    this.code = code;
    this.fieldErrors = opts.errors;
    this.headers = opts.headers;
  }
  get status(): number {
    return STATUS[this.code];
  }
}

export const notFound = (what: string) => new AppError('not_found', `${what} was not found.`);

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldErrors;
}

export function problem(status: number, detail: string, errors?: FieldErrors): Problem {
  return { type: 'about:blank', title: TITLES[status] ?? 'Error', status, detail, ...(errors ? { errors } : {}) };
}

export function sendProblem(reply: FastifyReply, status: number, detail: string, errors?: FieldErrors) {
  return reply
    .code(status)
    .type('application/problem+json')
    .send(problem(status, detail, errors));
}

function fieldPath(segments: readonly PropertyKey[], fallback: string): string {
  return segments.length ? segments.map(String).join('.') : fallback;
}

/** Turn zod issues into `{field: [message]}`, naming unknown keys by their own name. */
export function zodFieldErrors(
  issues: readonly { path: readonly PropertyKey[]; message: string; code?: string; keys?: readonly string[] }[],
  fallback = 'non_field_errors',
): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues) {
    const targets =
      issue.code === 'unrecognized_keys' && issue.keys
        ? issue.keys.map((k) => fieldPath([...issue.path, k], fallback))
        : [fieldPath(issue.path, fallback)];
    for (const target of targets) {
      const message = issue.code === 'unrecognized_keys' ? 'This field is not allowed.' : issue.message;
      errors[target] = [...(errors[target] ?? []), message];
    }
  }
  return errors;
}

function describe(errors: FieldErrors): string {
  const fields = Object.keys(errors);
  const first = fields[0]!;
  const reason = errors[first]![0];
  const more = fields.length > 1 ? ` (and ${fields.length - 1} more field${fields.length > 2 ? 's' : ''})` : '';
  return first === 'non_field_errors' || first === 'body'
    ? `The request is invalid: ${reason}`
    : `Invalid value for "${first}": ${reason}${more}.`.replace('..', '.');
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof AppError) {
      if (error.headers) reply.headers(error.headers);
      return sendProblem(reply, error.status, error.message, error.fieldErrors);
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const location = error.validationContext ?? 'body';
      const errors = zodFieldErrors(
        error.validation.map((v) => ({
          path: (v.instancePath || '').split('/').filter(Boolean),
          message: v.message ?? 'Invalid value.',
          code: (v.params as { issue?: { code?: string } })?.issue?.code,
          keys: (v.params as { issue?: { keys?: string[] } })?.issue?.keys,
        })),
        location,
      );
      return sendProblem(reply, 400, describe(errors), errors);
    }
    if (isResponseSerializationError(error)) {
      request.log.error({ err: error }, 'response did not match its schema');
      reporter().capture(error, { route: request.routeOptions.url, request_id: request.id });
      return sendProblem(reply, 500, 'The server failed to build its response. The error has been logged.');
    }
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'unhandled error');
      reporter().capture(error, { route: request.routeOptions.url, request_id: request.id });
      return sendProblem(reply, 500, 'An unexpected error occurred. It has been logged; please try again.');
    }
    return sendProblem(reply, status, clientErrorDetail(error, status, request));
  });
}

/** Fastify's own 4xx errors (bad JSON, body too large, wrong content type…) in words a person can act on. */
function clientErrorDetail(error: FastifyError, status: number, request: FastifyRequest): string {
  // The route's own limit (the Shopify webhook takes 5 MB); Fastify falls back to the server's.
  const tooLarge = () => bodyTooLargeDetail(request.routeOptions.bodyLimit);
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'The request body is not valid JSON. Send a JSON object with Content-Type: application/json.';
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return tooLarge();
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'Unsupported Content-Type. Send JSON with Content-Type: application/json.';
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return 'The Content-Length header does not match the body.';
    default:
      if (status === 413) return tooLarge();
      if (error.message?.includes('JSON')) return 'The request body is not valid JSON.';
      return error.message || 'The request could not be processed.';
  }
}
