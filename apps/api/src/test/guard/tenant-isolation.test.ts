import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withScope, withTenant } from '../../db/tenant.ts';
import type { TestApp } from '../app.ts';
import { ROUTES, routeKey } from './routes.ts';
import { setupGuardWorld, type World } from './world.ts';

let t: TestApp;
let w: World;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ t, w, close } = await setupGuardWorld());
});
afterAll(() => close());

describe('tenant isolation: every route', () => {
  it('every registered route declares how its isolation is proven', () => {
    const missing = t.app.registeredRoutes.map((r) => routeKey(r.method, r.url)).filter((key) => !(key in ROUTES));
    expect(missing, `declare these routes in test/guard/routes.ts`).toEqual([]);
  });

  for (const [key, guard] of Object.entries(ROUTES)) {
    if ('none' in guard.isolation) {
      it.skip(`${key}: ${guard.isolation.none}`, () => {});
      continue;
    }
    const { probe } = guard.isolation;
    it(`${key}: organization A cannot read or change B's data`, async () => {
      await probe(t.app, w);
    });
  }
});

const tenantTables = async () =>
  (
    await t.database.db.execute(
      sql`select c.relname as name, c.relrowsecurity as rls, c.relforcerowsecurity as forced
          from pg_class c join pg_namespace n on n.oid = c.relnamespace
          join information_schema.columns col on col.table_schema = 'public' and col.table_name = c.relname
          where n.nspname = 'public' and c.relkind = 'r' and col.column_name in ('org_id')
          union
          select c.relname, c.relrowsecurity, c.relforcerowsecurity from pg_class c
          where c.relname = 'organizations'`,
    )
  ).rows as { name: string; rls: boolean; forced: boolean }[];

/** Tables every request may read, and why; their writes are still tenant-bound. */
const READABLE_BY_ALL: Record<string, string> = {
  shopify_shop_index:
    'maps a shop domain to its connections so an inbound webhook can find its tenant; holds no secrets',
};

describe('tenant isolation: the database itself', () => {
  it('every tenant table has row-level security enabled and forced', async () => {
    const tables = await tenantTables();
    expect(tables.length).toBeGreaterThanOrEqual(3);
    for (const table of tables) expect(table, table.name).toMatchObject({ rls: true, forced: true });
  });

  it('as the application role with no tenant set, every tenant table reads empty', async () => {
    let probed = 0;
    for (const { name } of await tenantTables()) {
      if (name in READABLE_BY_ALL) continue;
      const owner = await t.database.db.execute(sql.raw(`select count(*)::int n from public."${name}"`));
      if ((owner.rows[0] as { n: number }).n === 0) continue; // nothing to hide in this world
      probed++;
      const scoped = await withScope(t.database.db, {}, (tx) =>
        tx.execute(sql.raw(`select count(*)::int n from public."${name}"`)),
      );
      expect((scoped.rows[0] as { n: number }).n, name).toBe(0);
    }
    expect(probed).toBeGreaterThanOrEqual(4);
  });

  it('the one definer function (decision 0014) finds only the current tenant’s products; its role can do nothing else', async () => {
    const matching = async (scope: { orgId?: string }) =>
      (
        await withScope(t.database.db, scope, (tx) =>
          tx.execute(sql`select invpro_products_matching('%guarded%widget%') as id`),
        )
      ).rows.map((r) => (r as { id: string }).id);
    expect(await matching({ orgId: w.A.orgId })).toEqual([w.A.catalog.productId]);
    expect(await matching({ orgId: w.B.orgId })).toEqual([w.B.catalog.productId]);
    expect(await matching({})).toEqual([]);
    const role = (
      await t.database.db.execute(sql`
        select r.rolcanlogin as login, r.rolbypassrls as bypass,
          (select count(*)::int from pg_auth_members m where m.roleid = r.oid and m.member <> (select oid from pg_roles where rolname = current_user)) as members,
          has_table_privilege(r.oid, 'catalog_variants', 'select') as variants,
          has_column_privilege(r.oid, 'catalog_products', 'title', 'select') as titles,
          has_table_privilege(r.oid, 'catalog_products', 'update') as writes
        from pg_roles r where r.rolname = 'invpro_search'`)
    ).rows;
    expect(role).toEqual([{ login: false, bypass: false, members: 0, variants: false, titles: false, writes: false }]);
  });

  it("inside A's tenant, no row of B is visible and none can be written", async () => {
    for (const { name } of await tenantTables()) {
      if (name in READABLE_BY_ALL) continue;
      const column = name === 'organizations' ? 'id' : 'org_id';
      const rows = await withTenant(t.database.db, w.A.orgId, (tx) =>
        tx.execute(sql.raw(`select distinct ${column}::text as org from public."${name}"`)),
      );
      const orgs = (rows.rows as { org: string }[]).map((r) => r.org);
      expect(
        orgs.filter((org) => org !== w.A.orgId),
        name,
      ).toEqual([]);
    }
    await expect(
      withTenant(t.database.db, w.A.orgId, (tx) =>
        tx.execute(
          sql`insert into memberships (org_id, user_id, role) values (${w.B.orgId}, ${w.A.owner.user.id}, 'owner')`,
        ),
      ),
    ).rejects.toMatchObject({ cause: { message: expect.stringMatching(/row-level security/) } });
    // The routing table is readable by all, but a tenant cannot remove another's routes.
    const deleted = await withTenant(t.database.db, w.A.orgId, (tx) =>
      tx.execute(sql`delete from shopify_shop_index where org_id = ${w.B.orgId}`),
    );
    expect(deleted.rowCount).toBe(0);
  });
});
