import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';

/** A digest of every row of every table in our schema (as the owner, so RLS hides nothing). */
export async function databaseChecksum(db: Database): Promise<Record<string, string>> {
  const tables = await db.execute(
    sql`select tablename from pg_tables where schemaname = 'public' and tablename not like '__drizzle%' order by 1`,
  );
  const sums: Record<string, string> = {};
  for (const { tablename } of tables.rows as { tablename: string }[]) {
    const res = await db.execute(
      sql.raw(
        `select count(*) as n, coalesce(md5(string_agg(t::text, '|' order by t::text)), '') as digest from public."${tablename}" t`,
      ),
    );
    const row = res.rows[0] as { n: string; digest: string };
    sums[tablename] = `${row.n}:${row.digest}`;
  }
  return sums;
}
