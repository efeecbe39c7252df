import { createHash, createSecretKey, hkdfSync, type KeyObject, randomBytes } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { isUuid } from '../../db/ids.ts';
import type { Role } from './schema.ts';

export const REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 60 * 60;
const ISSUER = 'invpro360';
const AUDIENCE = 'invpro360-api';

export interface AccessClaims {
  userId: string;
  orgId: string;
  role: Role;
  /**
   * The session (refresh-token family) the token was issued in: what logout ends. Absent only in
   * tokens issued before sessions were named, which cannot switch organizations.
   */
  sessionId?: string;
}

/** A key of its own for JWTs, derived from SECRET_KEY so one secret cannot be reused across purposes. */
export function jwtKey(secretKey: string): KeyObject {
  // A KeyObject, not raw bytes: jose would re-import raw bytes on every verification.
  return createSecretKey(Buffer.from(hkdfSync('sha256', secretKey, 'invpro360', 'jwt-access-hs256', 32)));
}

export async function signAccessToken(key: KeyObject, claims: AccessClaims, ttlSeconds: number): Promise<string> {
  return new SignJWT({ org: claims.orgId, role: claims.role, ...(claims.sessionId ? { sid: claims.sessionId } : {}) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.userId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(key);
}

export type VerifyResult = { valid: true; claims: AccessClaims } | { valid: false; reason: 'expired' | 'invalid' };

const isId = (value: unknown): value is string => typeof value === 'string' && isUuid(value);

/**
 * Verified tokens, by their full text (signature included, so no altered token can hit), until
 * they expire: a browser sends the same access token with every request for its lifetime, and
 * checking it again would only repeat the same HMAC. Bounded; the oldest entry goes first.
 */
const verified = new WeakMap<KeyObject, Map<string, { claims: AccessClaims; expiresAtMs: number }>>();
const MAX_CACHED_TOKENS = 10_000;

export async function verifyAccessToken(key: KeyObject, token: string): Promise<VerifyResult> {
  let cache = verified.get(key);
  if (!cache) {
    cache = new Map();
    verified.set(key, cache);
  }
  const hit = cache.get(token);
  if (hit) {
    if (hit.expiresAtMs > Date.now()) return { valid: true, claims: hit.claims };
    cache.delete(token);
    return { valid: false, reason: 'expired' };
  }
  try {
    const { payload } = await jwtVerify(token, key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
    const { sub, org, role, sid, exp } = payload;
    if (!isId(sub) || !isId(org) || (sid !== undefined && !isId(sid))) return { valid: false, reason: 'invalid' };
    if (role !== 'owner' && role !== 'admin' && role !== 'member') return { valid: false, reason: 'invalid' };
    const claims: AccessClaims = { userId: sub, orgId: org, role, ...(sid ? { sessionId: sid } : {}) };
    if (typeof exp === 'number') {
      if (cache.size >= MAX_CACHED_TOKENS) cache.delete(cache.keys().next().value!);
      cache.set(token, { claims, expiresAtMs: exp * 1000 });
    }
    return { valid: true, claims };
  } catch (err) {
    return { valid: false, reason: err instanceof errors.JWTExpired ? 'expired' : 'invalid' };
  }
}

/** Opaque refresh tokens: 256 random bits; only their SHA-256 is stored. */
export function newOpaqueToken(): string {
  return randomBytes(32).toString('base64url');
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
