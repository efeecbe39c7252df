// What the API and the web app must agree on, written once. Everything here runs in a browser too;
// the Node-only TRUST_PROXY rule is the separate entry point `@invpro/contract/trust-proxy`.
export * from './body-limits.ts';
export * from './password-rules.ts';
export * from './shop-domain.ts';
export * from './shopify-scopes.ts';
