// Every module's tables, gathered for Drizzle's relational queries and drizzle-kit.
export * from '../modules/accounts/schema.ts';
export * from '../modules/catalog/schema.ts';
export * from '../modules/mail/schema.ts';
export * from '../modules/shopify/schema.ts';
