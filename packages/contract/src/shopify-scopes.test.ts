import { describe, expect, it } from 'vitest';
import { missingScopes, REQUIRED_SCOPES } from './shopify-scopes.ts';

describe('missingScopes', () => {
  it('a write scope satisfies its read scope; missing ones are named', () => {
    expect(missingScopes(['read_products', 'write_inventory', 'read_locations'])).toEqual([]);
    expect(missingScopes(['read_products'])).toEqual(['read_inventory', 'write_inventory', 'read_locations']);
  });

  it('a read scope does not satisfy its write scope', () => {
    expect(missingScopes(['read_products', 'read_inventory', 'read_locations'])).toEqual(['write_inventory']);
  });

  it('needs every required scope when nothing was granted, and nothing more when all were', () => {
    expect(missingScopes([])).toEqual([...REQUIRED_SCOPES]);
    expect(missingScopes([...REQUIRED_SCOPES, 'write_products'])).toEqual([]);
  });
});
