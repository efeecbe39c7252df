// The web app's HTTP server: `next start`, plus one thing it cannot do. Next fills X-Forwarded-For
// only when the client did not send one, so any client could pick the address our API sees for its
// per-address login limit (or everyone would share 127.0.0.1 through the /api proxy). Here the
// header is set from the socket: overwritten, or appended to when TRUST_PROXY says a trusted load
// balancer sits in front and already wrote it.
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import next from 'next';

const port = Number(process.env.PORT ?? process.env.WEB_PORT ?? 3000);
const hostname = process.env.HOSTNAME ?? process.env.WEB_HOST ?? '127.0.0.1';
const trustProxy = ['1', 'true', 'yes', 'on'].includes((process.env.TRUST_PROXY ?? '').toLowerCase());

const app = next({ dev: false, dir: path.dirname(fileURLToPath(import.meta.url)), hostname, port });
await app.prepare();
const handle = app.getRequestHandler();

const server = createServer((req, res) => {
  const socketAddress = req.socket.remoteAddress ?? '';
  const incoming = req.headers['x-forwarded-for'];
  req.headers['x-forwarded-for'] = trustProxy && incoming ? `${incoming}, ${socketAddress}` : socketAddress;
  void handle(req, res);
});
server.listen(port, hostname, () => console.log(`web listening on http://${hostname}:${port}`));

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
