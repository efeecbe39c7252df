// The API asks Shopify for these scopes (OAuth) and refuses a connection that lacks one; the web
// app lists them for merchants who create their own app. One list, so the two never disagree.

export const REQUIRED_SCOPES = ['read_products', 'read_inventory', 'write_inventory', 'read_locations'] as const;

export type RequiredScope = (typeof REQUIRED_SCOPES)[number];

/** Shopify's write scopes include the matching read scope. */
export function missingScopes(granted: readonly string[]): RequiredScope[] {
  const have = new Set(granted);
  return REQUIRED_SCOPES.filter(
    (scope) => !have.has(scope) && !(scope.startsWith('read_') && have.has(scope.replace('read_', 'write_'))),
  );
}
