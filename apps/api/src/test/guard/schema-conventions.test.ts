import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../database.ts';

/**
 * docs/architecture.md (tenancy): every tenant table's primary and unique keys start with org_id, so the schema can
 * later be distributed by org_id (Citus) without a rewrite, and row-level security is forced on it.
 */
const EXCEPTIONS: Record<string, string> = {
  organizations: 'the tenant itself: its key is the org id',
  shopify_shop_index: 'routing by shop domain for inbound webhooks; a reference table under Citus',
};

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.drop());

describe('schema conventions of tenant tables', () => {
  it('every primary and unique key of a table with org_id starts with org_id', async () => {
    const keys = (
      await t.db.execute(sql`
        select c.relname as "table", i.relname as "index",
               (select a.attname from pg_attribute a where a.attrelid = c.oid and a.attnum = x.indkey[0]) as "first"
        from pg_index x
        join pg_class i on i.oid = x.indexrelid
        join pg_class c on c.oid = x.indrelid
        join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and (x.indisprimary or x.indisunique)
          and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'org_id' and not a.attisdropped)`)
    ).rows as { table: string; index: string; first: string | null }[];
    expect(keys.length).toBeGreaterThan(5);
    const offending = keys.filter((k) => !(k.table in EXCEPTIONS) && k.first !== 'org_id');
    expect(offending, 'keys that do not lead with org_id').toEqual([]);
  });

  it('every table with org_id has row-level security enabled and forced (or is a named exception)', async () => {
    const tables = (
      await t.db.execute(sql`
        select c.relname as "table", c.relrowsecurity as rls, c.relforcerowsecurity as forced
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind = 'r'
          and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'org_id' and not a.attisdropped)`)
    ).rows as { table: string; rls: boolean; forced: boolean }[];
    for (const table of tables) expect(table, table.table).toMatchObject({ rls: true, forced: true });
  });
});
