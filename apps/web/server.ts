// The web app's HTTP server: `next start`, plus what it cannot do. Next fills X-Forwarded-* only
// when the client did not send them, and the /api proxy hands them to the API, which believes
// them from loopback: a client could pick the address the per-address login limit counts
// (X-Forwarded-For) and the host ALLOWED_HOSTS judges (X-Forwarded-Host). Here all three are set
// from what this server saw itself; a client's values are kept only when the socket peer is a
// proxy TRUST_PROXY names, and then as a proxy chain (see docs/decisions/0007).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { parseTrustProxy, webServerTrustsPeer } from '@invpro/contract/trust-proxy';
import next from 'next';

function setForwarded(req: IncomingMessage, trusted: (peer: string) => boolean): void {
  const h = req.headers;
  const peer = req.socket.remoteAddress ?? '';
  const proto = (req.socket as TLSSocket).encrypted ? 'https' : 'http';
  if (trusted(peer)) {
    // The proxy in front saw the client: keep its host and scheme, and add the hop it came from.
    h['x-forwarded-for'] = h['x-forwarded-for'] ? `${h['x-forwarded-for']}, ${peer}` : peer;
    h['x-forwarded-host'] ??= h.host;
    h['x-forwarded-proto'] ??= proto;
  } else {
    h['x-forwarded-for'] = peer;
    h['x-forwarded-proto'] = proto;
    if (h.host) h['x-forwarded-host'] = h.host;
    else delete h['x-forwarded-host'];
  }
}

const LINGER_MS = 30_000;

/**
 * An answer sent before the request body was read in full (the /api proxy's 413 for a body over
 * the limit): read and drop what the client still sends, for a moment, then close. Left unread,
 * the connection would stall; closed at once, a client still uploading gets reset and may lose the
 * answer before reading it (what web servers call a lingering close).
 */
function lingerOnUnreadBody(req: IncomingMessage, res: ServerResponse): void {
  res.once('finish', () => {
    if (req.complete || req.destroyed) return;
    const timer = setTimeout(() => req.socket.destroy(), LINGER_MS).unref();
    req.once('end', () => clearTimeout(timer));
    req.once('close', () => clearTimeout(timer));
    // Flowing with no listener drops each chunk as it arrives; the proxy's abandoned reader must
    // let go first, since a 'readable' listener keeps the stream out of flowing mode.
    req.removeAllListeners('readable');
    req.removeAllListeners('data');
    req.resume();
  });
}

// TRUST_PROXY read exactly as the API reads it (apps/api/src/config.ts), applied to our own peer.
const trustProxy = parseTrustProxy(process.env.TRUST_PROXY);
if (!trustProxy.valid) {
  console.error(`Configuration error: TRUST_PROXY: ${trustProxy.reason}`);
  process.exit(1);
}
const trusted = webServerTrustsPeer(trustProxy.trust);

const port = Number(process.env.PORT ?? process.env.WEB_PORT ?? 3000);
// WEB_HOST first: Docker sets HOSTNAME to the container's id, which is no address to listen on.
const hostname = process.env.WEB_HOST ?? process.env.HOSTNAME ?? '127.0.0.1';

const app = next({ dev: false, dir: path.dirname(fileURLToPath(import.meta.url)), hostname, port });
await app.prepare();
const handle = app.getRequestHandler();

const server = createServer((req, res) => {
  setForwarded(req, trusted);
  lingerOnUnreadBody(req, res);
  void handle(req, res);
});
server.listen(port, hostname, () => console.log(`web listening on http://${hostname}:${port}`));

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
