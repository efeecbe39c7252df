import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProductInput, ProductPatch } from './catalog.ts';
import type { ShopHandle } from './control.ts';
import { HttpError, parseBody, readBody, sendJson } from './http.ts';
import type { ShopifySim } from './index.ts';
import type { QuantityName } from './records.ts';

// /_sim/… : the library's control functions over HTTP (JSON in, JSON out), so a sim running in another
// process (npm run sim) can be driven by tests and benchmarks.

type Json = Record<string, unknown>;

async function body(req: IncomingMessage): Promise<Json> {
  const parsed = parseBody(req, await readBody(req));
  if (parsed === null) throw new HttpError(400, { error: 'body must be a JSON object' });
  return parsed;
}

function duplicate(b: Json): { duplicate?: boolean } {
  return b.duplicate === true ? { duplicate: true } : {};
}

export async function handleControl(
  api: ShopifySim,
  url: URL,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const parts = url.pathname.split('/').filter(Boolean).slice(1).map(decodeURIComponent);
  const method = req.method ?? 'GET';
  const [resource, domain, sub, id] = parts;
  const handle = (): ShopHandle => {
    try {
      return api.shop(domain ?? '');
    } catch {
      throw new HttpError(404, { error: `unknown shop ${domain}` });
    }
  };

  if (!resource) return sendJson(res, 200, { origin: api.origin, shops: api.shops(), apps: api.apps() });
  if (resource === 'stats' && method === 'GET')
    return sendJson(res, 200, api.stats(url.searchParams.get('shop') ?? undefined));
  if (resource === 'idle' && method === 'POST') {
    await api.idle();
    return sendJson(res, 200, { ok: true });
  }
  if (resource === 'clock' && method === 'POST') {
    const b = await body(req);
    api.advanceTime(Number(b.advanceMs ?? 0));
    return sendJson(res, 200, { now: new Date(api.now()).toISOString() });
  }
  if (resource === 'apps' && method === 'POST') {
    const b = await body(req);
    if (typeof b.clientId !== 'string' || typeof b.clientSecret !== 'string') {
      throw new HttpError(400, { error: 'clientId and clientSecret are required' });
    }
    api.registerApp(b as { clientId: string; clientSecret: string; scopes?: string[] });
    return sendJson(res, 201, { clientId: b.clientId });
  }
  if (resource === 'faults') {
    const b = await body(req);
    const target = domain ?? (typeof b.domain === 'string' ? b.domain : '*');
    const { domain: _d, ...config } = b;
    try {
      api.faults(target, config);
    } catch (err) {
      throw new HttpError(404, { error: (err as Error).message });
    }
    return sendJson(res, 200, { domain: target, faults: config });
  }
  if (resource !== 'shops') throw new HttpError(404, { error: `no control route ${url.pathname}` });

  if (!domain) {
    if (method === 'GET')
      return sendJson(
        res,
        200,
        api.shops().map((d: string) => api.shop(d).credentials()),
      );
    if (method === 'POST') {
      const b = await body(req);
      if (typeof b.domain !== 'string') throw new HttpError(400, { error: 'domain is required' });
      try {
        return sendJson(res, 201, api.addShop(b as unknown as Parameters<ShopifySim['addShop']>[0]).credentials());
      } catch (err) {
        throw new HttpError(400, { error: (err as Error).message });
      }
    }
  }
  const shop = handle();
  try {
    switch (`${method} ${sub ?? ''}`) {
      case 'GET ':
        return sendJson(res, 200, shop.credentials());
      case 'GET stats':
        return sendJson(res, 200, shop.stats());
      case 'DELETE stats':
        shop.resetStats();
        return sendJson(res, 200, shop.stats());
      case 'GET catalog': {
        const limit = url.searchParams.get('limit');
        if (url.searchParams.get('format') === 'jsonl') {
          res.writeHead(200, { 'Content-Type': 'application/jsonl' });
          const all = shop.catalog(limit ? { limit: Number(limit) } : {});
          for (const p of all) res.write(`${JSON.stringify(p)}\n`);
          res.end();
          return;
        }
        return sendJson(res, 200, shop.catalog(limit ? { limit: Number(limit) } : {}));
      }
      case 'GET locations':
        return sendJson(res, 200, shop.locations());
      case 'GET products': {
        if (!id) return sendJson(res, 200, shop.catalog({ limit: Number(url.searchParams.get('limit') ?? 50) }));
        const p = shop.product(id);
        if (!p) throw new HttpError(404, { error: `product ${id} not found` });
        return sendJson(res, 200, p);
      }
      case 'POST products': {
        const b = await body(req);
        return sendJson(res, 201, shop.createProduct((b.product ?? b) as ProductInput, duplicate(b)));
      }
      case 'PATCH products':
      case 'PUT products': {
        if (!id) throw new HttpError(400, { error: 'product id missing' });
        const b = await body(req);
        return sendJson(res, 200, shop.updateProduct(id, (b.patch ?? b) as ProductPatch, duplicate(b)));
      }
      case 'DELETE products': {
        if (!id) throw new HttpError(400, { error: 'product id missing' });
        const b = await body(req);
        shop.deleteProduct(id, duplicate(b));
        return sendJson(res, 200, { deleted: id });
      }
      case 'POST inventory': {
        const b = await body(req);
        const level = shop.setInventory({
          inventoryItemId: b.inventoryItemId as string,
          locationId: b.locationId as string,
          quantity: Number(b.quantity),
          name: b.name as QuantityName | undefined,
          ...duplicate(b),
        });
        return sendJson(res, 200, level);
      }
      case 'POST uninstall': {
        const b = await body(req);
        shop.uninstall({ clientId: b.clientId as string | undefined, ...duplicate(b) });
        return sendJson(res, 200, { uninstalled: true });
      }
      case 'POST reinstall': {
        const b = await body(req);
        return sendJson(res, 200, {
          accessToken: shop.reinstall({ accessToken: b.accessToken as string | undefined }),
        });
      }
      case 'GET webhooks':
        return sendJson(res, 200, shop.deliveries());
      case 'POST webhooks':
        shop.setWebhookBehaviour(await body(req));
        return sendJson(res, 200, { ok: true });
      case 'POST throttle':
        shop.setThrottle(await body(req));
        return sendJson(res, 200, { ok: true });
      case 'POST bulk':
        shop.setBulkBehaviour(await body(req));
        return sendJson(res, 200, { ok: true });
      case 'PUT faults':
      case 'POST faults':
        api.faults(shop.domain, await body(req));
        return sendJson(res, 200, { ok: true });
    }
  } catch (err) {
    if (err instanceof HttpError) throw err;
    throw new HttpError(400, { error: (err as Error).message });
  }
  throw new HttpError(404, { error: `no control route ${method} ${url.pathname}` });
}
