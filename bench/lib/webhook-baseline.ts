// The webhooks benchmark's baseline: a bare Fastify + pg server that does the least a webhook
// intake must (check the HMAC of the raw body, record the delivery once), nothing else.
// Env: DATABASE_URL, PORT, SECRET.
import { createHmac, timingSafeEqual } from 'node:crypto';
import Fastify from 'fastify';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10, application_name: 'bench-baseline' });
await pool.query(
  'create table if not exists bench_webhook_events (event_id text primary key, shop text not null, topic text not null, body jsonb not null)',
);
const secret = process.env.SECRET!;
const app = Fastify({ logger: false });
app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
app.get('/health', async () => ({ ok: true }));
app.post('/webhook', async (request, reply) => {
  const body = request.body as Buffer;
  const given = Buffer.from(String(request.headers['x-shopify-hmac-sha256'] ?? ''), 'base64');
  const expected = createHmac('sha256', secret).update(body).digest();
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return reply.code(401).send();
  await pool.query(
    'insert into bench_webhook_events (event_id, shop, topic, body) values ($1, $2, $3, $4) on conflict do nothing',
    [
      request.headers['x-shopify-event-id'],
      request.headers['x-shopify-shop-domain'],
      request.headers['x-shopify-topic'],
      body.toString(),
    ],
  );
  return { ok: true };
});
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) });
const stop = async () => {
  await app.close();
  await pool.end();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
