import { describe, expect, it } from 'vitest';
import {
  DEFAULT_QUERY,
  formatPriceRange,
  parseProductQuery,
  productQueryString,
  shopifyAdminProductUrl,
} from '../lib/products';

const parse = (qs: string) => parseProductQuery(new URLSearchParams(qs));

describe('the products view in the URL', () => {
  it('round-trips every setting, and the plain list is the plain URL', () => {
    const qs =
      'search=wool&store=0b8f3a52-6c1e-4d2a-9f43-3c2b1a0d9e77&status=draft&vendor=Acme&product_type=Hat&tag=sale&stock=low&include_deleted=true&ordering=-price&page_size=100&page=3';
    expect(productQueryString(parse(qs))).toBe(qs);
    expect(productQueryString(DEFAULT_QUERY)).toBe('');
    expect(parse('')).toEqual(DEFAULT_QUERY);
  });

  it('drops what the API would refuse instead of failing the page', () => {
    const q = parse('status=gone&stock=some&store=nope&ordering=-colour&page=-2&page_size=9999&include_deleted=yes');
    expect(q).toEqual(DEFAULT_QUERY);
    expect(parse('status=ARCHIVED').status).toBe('archived');
    expect(parse(`search=${'x'.repeat(300)}`).search).toHaveLength(200);
  });
});

describe('product helpers', () => {
  it('links to the product in the Shopify admin by shop name and numeric id', () => {
    expect(shopifyAdminProductUrl('acme-goods.myshopify.com', 'gid://shopify/Product/8123')).toBe(
      'https://admin.shopify.com/store/acme-goods/products/8123',
    );
    expect(shopifyAdminProductUrl('acme.myshopify.com', 'not-a-gid')).toBeNull();
  });

  it('shows one price when min and max agree', () => {
    expect(formatPriceRange('5.00', '5.00', null)).toBe('5.00');
    expect(formatPriceRange('5', '12.5', null)).toBe('5.00 – 12.50');
    expect(formatPriceRange(null, null, 'EUR')).toBeNull();
  });
});
