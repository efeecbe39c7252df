import type { FastifyInstance } from 'fastify';
import { json, registerUser } from '../app.ts';

export type Registered = Awaited<ReturnType<typeof registerUser>>;

export interface Tenant {
  orgId: string;
  owner: Registered;
  member: Registered;
  /** A pending invitation: its id and its secret link token. */
  invitation: { id: string; token: string; email: string };
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

async function tenant(app: FastifyInstance, name: string): Promise<Tenant> {
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
  return { orgId: owner.user.organization.id, owner, member: memberInOrg, invitation };
}

/** Two organizations with members and pending invitations: the data every guard test probes. */
export async function buildWorld(app: FastifyInstance): Promise<World> {
  return { A: await tenant(app, 'A'), B: await tenant(app, 'B') };
}
