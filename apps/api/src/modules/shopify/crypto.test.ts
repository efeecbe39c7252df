import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyIdOf, open, seal } from './crypto.ts';

const k1 = { id: 'k1', key: randomBytes(32) };
const k2 = { id: 'k2', key: randomBytes(32) };

describe('secret sealing', () => {
  it('round-trips, with a fresh IV each time and the key id beside the ciphertext', () => {
    const a = seal([k1], 'shpat_secret_token');
    const b = seal([k1], 'shpat_secret_token');
    expect(a).not.toBe(b);
    expect(a).not.toContain('shpat_secret_token');
    expect(keyIdOf(a)).toBe('k1');
    expect(open([k1], a)).toBe('shpat_secret_token');
  });

  it('opens with any configured key after rotation, and seals with the newest', () => {
    const old = seal([k1], 'x');
    expect(open([k2, k1], old)).toBe('x');
    expect(keyIdOf(seal([k2, k1], 'x'))).toBe('k2');
    expect(() => open([k2], old)).toThrow(/k1/);
  });

  it('detects tampering', () => {
    const sealed = seal([k1], 'secret');
    const parts = sealed.split(':');
    const ct = Buffer.from(parts[4]!, 'base64url');
    ct[0] = ct[0]! ^ 1;
    parts[4] = ct.toString('base64url');
    expect(() => open([k1], parts.join(':'))).toThrow();
  });
});
