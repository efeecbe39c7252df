import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Conditional GET for a JSON read: a weak ETag from the serialized answer and
 * `Cache-Control: private, no-cache` (the browser keeps it, revalidates every time; no shared
 * cache keeps another user's data). A matching If-None-Match gets 304 without a body: the
 * database work is done either way, the bytes on the wire and the client's re-render are saved.
 *
 * Why a hash of the body, not the products' updated_at: a product's answer also carries its
 * variants' stock and its locations' state, which change without the product row changing, and
 * a 304 for changed stock would be wrong. Hashing the already-serialized page costs well under a
 * millisecond (SHA-1 of a few hundred kilobytes).
 */
export async function conditionalGet(request: FastifyRequest, reply: FastifyReply, payload: unknown) {
  if (reply.statusCode !== 200 || typeof payload !== 'string') return payload;
  const etag = `W/"${createHash('sha1').update(payload).digest('base64url')}"`;
  reply.header('etag', etag);
  reply.header('cache-control', 'private, no-cache');
  if (matches(request.headers['if-none-match'], etag)) {
    reply.code(304);
    reply.removeHeader('content-type');
    reply.removeHeader('content-length');
    return '';
  }
  return payload;
}

/** RFC 9110 §13.1.2: If-None-Match uses the weak comparison, and may list several tags or `*`. */
function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag));
}
