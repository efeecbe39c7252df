import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeShopDomain } from './shop-domain.ts';

describe('normalizeShopDomain', () => {
  it.each([
    ['https://Acme.myshopify.com/admin', 'acme.myshopify.com'],
    ['acme.myshopify.com', 'acme.myshopify.com'],
    ['  ACME-2.MyShopify.com/  ', 'acme-2.myshopify.com'],
    ['http://acme.myshopify.com/products?x=1', 'acme.myshopify.com'],
    [' Acme.MyShopify.com ', 'acme.myshopify.com'],
    ['https://acme-2.myshopify.com/admin/products', 'acme-2.myshopify.com'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeShopDomain(input)).toEqual({ valid: true, domain: expected });
  });

  it.each([
    'acme.com',
    'acme',
    'shop.example.com',
    'acme.myshopify.com.evil.com',
    'evil.com/acme.myshopify.com',
    'https://user:pw@acme.myshopify.com',
    'acme.myshopify.com:8443',
    'https://acme.myshopify.com:8443',
    '127.0.0.1',
    'http://169.254.169.254/latest',
    'ftp://acme.myshopify.com',
    'acme_shop.myshopify.com',
    '-acme.myshopify.com',
    'myshopify.com',
    '',
    'javascript:alert(1)',
  ])('refuses %j with a detail', (input) => {
    const result = normalizeShopDomain(input);
    expect(result.valid).toBe(false);
    if (!result.valid) expect(result.reason).toMatch(/myshopify\.com/);
  });

  it('never yields a host other than *.myshopify.com (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (input) => {
        const result = normalizeShopDomain(input);
        if (result.valid) expect(result.domain).toMatch(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/);
      }),
      { numRuns: 2000 },
    );
  });
});
