// The web app's HTTP server: `next start`, plus what it cannot do. Next fills X-Forwarded-* only
// when the client did not send them, and the /api proxy hands them to the API, which believes
// them from loopback: a client could pick the address the per-address login limit counts
// (X-Forwarded-For) and the host ALLOWED_HOSTS judges (X-Forwarded-Host). Here all three are set
// from what this server saw itself; a client's values are kept only when the socket peer is a
// proxy TRUST_PROXY names, and then as a proxy chain (see docs/decisions/0007).
import { randomBytes } from 'node:crypto';
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

/**
 * The page's Content-Security-Policy, with a fresh nonce per request. Next puts the nonce it finds
 * in the request's CSP header on its own inline scripts, and the root layout gives it to Mantine's
 * color-scheme script (x-nonce); no other inline script runs. Styles stay 'unsafe-inline': Mantine
 * writes its CSS variables in a <style> tag and sets style attributes.
 */
function contentSecurityPolicy(nonce: string, production: boolean): string {
  return [
    // The API's own origin when the browser calls it directly (NEXT_PUBLIC_API_URL), else same origin.
    `connect-src 'self'${apiOrigin ? ` ${apiOrigin}` : ''}`,
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    "style-src 'self' 'unsafe-inline'",
    // Product images come from Shopify's CDN (https); locally also from the simulator (http).
    `img-src 'self' data: blob: https:${production ? '' : ' http:'}`,
    "font-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const HSTS = 'max-age=31536000; includeSubDomains';

const apiOrigin = (() => {
  try {
    return new URL(process.env.NEXT_PUBLIC_API_URL ?? '').origin;
  } catch {
    return undefined;
  }
})();

/** The scheme the client used: what setForwarded() left (the trusted proxy's first hop, or our socket). */
const clientProto = (req: IncomingMessage) =>
  String(req.headers['x-forwarded-proto'] ?? 'http')
    .split(',')[0]!
    .trim();

/** ALLOWED_HOSTS as the API reads it: a name, `.example.com` for it and its subdomains, or `*`. */
function hostAllowed(host: string, allowed: string[]): boolean {
  const name = (host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]!).toLowerCase();
  return allowed.some((p) => p === '*' || (p.startsWith('.') ? name === p.slice(1) || name.endsWith(p) : name === p));
}

/**
 * Production (DEBUG=false): plain HTTP is redirected to HTTPS (308 keeps method and body), except
 * the health probes; HTTPS answers carry HSTS. Every page gets its CSP. Returns true when answered.
 */
function applyHttpPolicy(req: IncomingMessage, res: ServerResponse, production: boolean, allowedHosts: string[]) {
  if (production) {
    const path = (req.url ?? '/').split('?')[0]!;
    if (clientProto(req) !== 'https' && !path.startsWith('/api/health/')) {
      const host = String(req.headers['x-forwarded-host'] ?? req.headers.host ?? '');
      // Never a redirect to a host we do not serve: that would be an open redirect.
      if (!host || !hostAllowed(host, allowedHosts)) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end('Unknown host.');
        return true;
      }
      res.writeHead(308, { location: `https://${host}${req.url ?? '/'}` }).end();
      return true;
    }
    if (clientProto(req) === 'https') res.setHeader('strict-transport-security', HSTS);
  }
  const nonce = randomBytes(16).toString('base64');
  const policy = contentSecurityPolicy(nonce, production);
  // Overwritten, never taken from the client: Next and the layout read the nonce from these.
  req.headers['content-security-policy'] = policy;
  req.headers['x-nonce'] = nonce;
  res.setHeader('content-security-policy', policy);
  return false;
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

const production = ['0', 'false', 'no', 'off'].includes((process.env.DEBUG ?? '').trim().toLowerCase());
const allowedHosts = (process.env.ALLOWED_HOSTS ?? '')
  .split(',')
  .map((h) => h.trim().toLowerCase())
  .filter(Boolean);

const port = Number(process.env.PORT ?? process.env.WEB_PORT ?? 3000);
// WEB_HOST first: Docker sets HOSTNAME to the container's id, which is no address to listen on.
const hostname = process.env.WEB_HOST ?? process.env.HOSTNAME ?? '127.0.0.1';

const app = next({ dev: false, dir: path.dirname(fileURLToPath(import.meta.url)), hostname, port });
await app.prepare();
const handle = app.getRequestHandler();

const server = createServer((req, res) => {
  setForwarded(req, trusted);
  if (applyHttpPolicy(req, res, production, allowedHosts)) return;
  lingerOnUnreadBody(req, res);
  void handle(req, res);
});
server.listen(port, hostname, () => console.log(`web listening on http://${hostname}:${port}`));

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
