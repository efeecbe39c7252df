import { afterEach, describe, expect, it, vi } from 'vitest';
import { jwtKey, signAccessToken, verifyAccessToken } from './tokens.ts';

const key = jwtKey('tokens-test-secret-0123456789-abcdefghijklmnopqrstuvwxyz');
const claims = {
  userId: '0190f0c0-0000-7000-8000-000000000001',
  orgId: '0190f0c0-0000-7000-8000-000000000002',
  role: 'owner' as const,
  sessionId: '0190f0c0-0000-7000-8000-000000000003',
};

afterEach(() => vi.useRealTimers());

describe('access token verification (with its cache of verified tokens)', () => {
  it('accepts a token again from the cache, and refuses it once it expires', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-25T12:00:00.000Z'));
    const token = await signAccessToken(key, claims, 60);
    expect(await verifyAccessToken(key, token)).toEqual({ valid: true, claims });
    expect(await verifyAccessToken(key, token)).toEqual({ valid: true, claims });
    vi.setSystemTime(new Date('2026-11-25T12:00:59.999Z'));
    expect((await verifyAccessToken(key, token)).valid).toBe(true);
    vi.setSystemTime(new Date('2026-11-25T12:01:00.000Z'));
    expect(await verifyAccessToken(key, token)).toEqual({ valid: false, reason: 'expired' });
    expect(await verifyAccessToken(key, token)).toEqual({ valid: false, reason: 'expired' });
  });

  it('never lets an altered token ride on a verified one', async () => {
    const token = await signAccessToken(key, claims, 60);
    expect((await verifyAccessToken(key, token)).valid).toBe(true);
    const [h, p, s] = token.split('.');
    const flipped = `${s!.slice(0, -2)}${s!.endsWith('A') ? 'B' : 'A'}${s!.slice(-1)}`;
    expect(await verifyAccessToken(key, `${h}.${p}.${flipped}`)).toEqual({ valid: false, reason: 'invalid' });
    expect(await verifyAccessToken(jwtKey('another-secret-0123456789-abcdefghijklmnopqrstuvwxyz'), token)).toEqual({
      valid: false,
      reason: 'invalid',
    });
  });
});
