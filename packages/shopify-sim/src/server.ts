import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { GRAPHQL_PATH, handleAdminGraphQL } from './admin.routes.ts';
import { handleControl } from './control.routes.ts';
import { HttpError, sendJson } from './http.ts';
import type { ShopifySim } from './index.ts';
import { handleAccessToken, handleAuthorize } from './oauth.ts';
import type { Sim } from './sim.ts';

// Routing for the one HTTP server: Shopify's paths under /admin, result files and control under /_sim.

function serveBulkFile(sim: Sim, url: URL, res: ServerResponse): void {
  const file = decodeURIComponent(url.pathname.slice('/_sim/bulk/'.length));
  const expires = Number(url.searchParams.get('expires'));
  const signature = url.searchParams.get('signature') ?? '';
  if (file.includes('/') || !sim.bulk.verify(file, expires, signature)) {
    res.writeHead(403, { 'Content-Type': 'application/xml; charset=UTF-8' });
    res.end(
      "<?xml version='1.0' encoding='UTF-8'?><Error><Code>AccessDenied</Code><Message>Access denied.</Message></Error>",
    );
    return;
  }
  const path = join(sim.bulk.dir, file);
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    res.writeHead(404, { 'Content-Type': 'application/xml; charset=UTF-8' });
    res.end("<?xml version='1.0' encoding='UTF-8'?><Error><Code>NoSuchKey</Code></Error>");
    return;
  }
  res.writeHead(200, { 'Content-Type': 'application/jsonl', 'Content-Length': String(size) });
  createReadStream(path).pipe(res);
}

async function route(sim: Sim, api: ShopifySim, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sim.local');
  const method = req.method ?? 'GET';
  if (method === 'POST' && GRAPHQL_PATH.test(url.pathname)) return handleAdminGraphQL(sim, req, res);
  if (method === 'GET' && url.pathname === '/admin/oauth/authorize') return handleAuthorize(sim, url, res);
  if (method === 'POST' && url.pathname === '/admin/oauth/access_token') return handleAccessToken(sim, url, req, res);
  if (method === 'GET' && url.pathname.startsWith('/_sim/bulk/')) return serveBulkFile(sim, url, res);
  if (url.pathname === '/_sim' || url.pathname.startsWith('/_sim/')) return handleControl(api, url, req, res);
  sendJson(res, 404, { errors: 'Not Found' });
}

export function createSimServer(sim: Sim, api: ShopifySim): Server {
  return createServer((req, res) => {
    route(sim, api, req, res).catch((err: unknown) => {
      if (res.headersSent || res.destroyed) return;
      if (err instanceof HttpError) return sendJson(res, err.status, err.body);
      if (process.env.SHOPIFY_SIM_DEBUG) console.error(err);
      sendJson(res, 500, { errors: 'Internal Server Error', detail: err instanceof Error ? err.message : String(err) });
    });
  });
}
