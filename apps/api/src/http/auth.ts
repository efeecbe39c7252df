import type { FastifyReply, FastifyRequest } from 'fastify';
import { type AccessClaims, verifyAccessToken } from '../modules/accounts/tokens.ts';
import { AppError } from './errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    auth: AccessClaims | null;
  }
}

const BEARER = /^Bearer\s+([A-Za-z0-9_\-.]+)$/;

/** preHandler: a valid access token is required; sets `request.auth`. */
export async function requireAuth(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
  const header = request.headers.authorization;
  if (!header) {
    throw new AppError('unauthorized', 'Authentication required: send "Authorization: Bearer <access token>".');
  }
  const match = BEARER.exec(header);
  if (!match) throw new AppError('unauthorized', 'The Authorization header must be "Bearer <access token>".');
  const result = await verifyAccessToken(request.server.jwtKey, match[1]!);
  if (!result.valid) {
    throw new AppError(
      'unauthorized',
      result.reason === 'expired'
        ? 'The access token has expired. Get a new one from /api/token/refresh/.'
        : 'The access token is invalid. Log in again.',
    );
  }
  request.auth = result.claims;
}

/** The verified claims of a route guarded by requireAuth. */
export function authOf(request: FastifyRequest): AccessClaims {
  if (!request.auth) throw new AppError('unauthorized', 'Authentication required.');
  return request.auth;
}
