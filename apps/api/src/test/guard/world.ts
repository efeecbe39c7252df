import { type ShopifySim, startShopifySim } from '@invpro/shopify-sim';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { createTestApp, json, registerUser, type TestApp } from '../app.ts';
import { seedSmallCatalog } from '../catalog-fixture.ts';

export type Registered = Awaited<ReturnType<typeof registerUser>>;

export interface Tenant {
  orgId: string;
  owner: Registered;
  member: Registered;
  /** A pending invitation: its id and its secret link token. */
  invitation: { id: string; token: string; email: string };
  /** A connected Shopify store (in the simulator). */
  connection: { id: string; shop: string };
  /** A sync run of that store (queued: the guard app runs no worker). */
  run: { id: string };
  /** The store's catalog copy: one product titled "Guarded <name> widget", stocked at one location. */
  catalog: { productId: string; locationId: string };
  /** A message in the organization's outbox (the invitations' emails; the guard app has no SMTP). */
  mail: { id: string };
}

export interface World {
  A: Tenant;
  B: Tenant;
}

async function invite(app: FastifyInstance, by: Registered, email: string, role = 'member') {
  const res = await app.inject({
    method: 'POST',
    url: '/api/team/invitations/',
    headers: by.auth,
    payload: { email, role },
  });
  if (res.statusCode !== 201) throw new Error(`invite failed: ${res.body}`);
  return json(res) as { id: string; token: string; email: string };
}

async function connectStore(app: FastifyInstance, sim: ShopifySim, by: Registered, name: string) {
  const domain = `guard-${name.toLowerCase()}-${Date.now()}.myshopify.com`;
  const shop = sim.addShop({ domain, products: 2 });
  const res = await app.inject({
    method: 'POST',
    url: '/api/shopify/connect/',
    headers: by.auth,
    payload: { store_url: domain, api_key: shop.apiKey, api_secret: shop.apiSecret, access_token: shop.accessToken },
  });
  if (res.statusCode !== 201) throw new Error(`connect failed: ${res.body}`);
  return { id: json(res).id as string, shop: domain };
}

async function tenant(app: FastifyInstance, sim: ShopifySim, name: string): Promise<Tenant> {
  const owner = await registerUser(app, { organization: `Org ${name}` });
  const member = await registerUser(app);
  const joining = await invite(app, owner, member.email);
  const accepted = await app.inject({
    method: 'POST',
    url: `/api/auth/invitations/${joining.token}/accept/`,
    headers: member.auth,
  });
  if (accepted.statusCode !== 200) throw new Error(`accept failed: ${accepted.body}`);
  const session = json(accepted);
  const memberInOrg = { ...member, ...session, auth: { authorization: `Bearer ${session.access}` } };
  const invitation = await invite(app, owner, `pending-${name.toLowerCase()}-${Date.now()}@example.com`, 'admin');
  const connection = await connectStore(app, sim, owner, name);
  const sync = await app.inject({
    method: 'POST',
    url: '/api/shopify/sync/',
    headers: owner.auth,
    payload: { store: connection.id },
  });
  if (sync.statusCode !== 202) throw new Error(`sync failed: ${sync.body}`);
  const run = { id: json(sync).id as string };
  const orgId = owner.user.organization.id;
  const catalog = await seedSmallCatalog(app.db, orgId, connection.id, `Guarded ${name} widget`);
  await app.mailer.drain();
  const outbox = await app.db.execute(sql`select id from mail_outbox where org_id = ${orgId} limit 1`);
  const mail = { id: (outbox.rows[0] as { id: string }).id };
  return { orgId, owner, member: memberInOrg, invitation, connection, run, catalog, mail };
}

/** Two organizations with members and pending invitations: the data every guard test probes. */
export async function buildWorld(app: FastifyInstance, sim: ShopifySim): Promise<World> {
  return { A: await tenant(app, sim, 'A'), B: await tenant(app, sim, 'B') };
}

/** The app both guard suites attack, its two-tenant world, and the simulator behind the stores. */
export async function setupGuardWorld(): Promise<{ t: TestApp; w: World; close(): Promise<void> }> {
  const sim = await startShopifySim();
  const t = await createTestApp({ SHOPIFY_API_ORIGIN: sim.origin });
  const w = await buildWorld(t.app, sim);
  return {
    t,
    w,
    async close() {
      await t.close();
      await sim.close();
    },
  };
}
