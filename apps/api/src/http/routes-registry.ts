import type { FastifyInstance, RouteOptions } from 'fastify';

export interface RegisteredRoute {
  method: string;
  url: string;
  pattern: RegExp;
  /** The route's own body limit, when it sets one; otherwise the server's applies. */
  bodyLimit: number | undefined;
}

/**
 * Every route the app registers, recorded through Fastify's onRoute hook. It answers 405 for a known
 * path with the wrong method, and lets the guard suites fail when a new route has no coverage.
 */
export function trackRoutes(app: FastifyInstance): RegisteredRoute[] {
  const routes: RegisteredRoute[] = [];
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const source = route.url
      .replace(/\/$/, '')
      .split('/')
      .map((segment) =>
        segment.startsWith(':') ? '[^/]+' : segment === '*' ? '.*' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
      )
      .join('/');
    const pattern = new RegExp(`^${source}/?$`);
    for (const method of methods) {
      // HEAD mirrors GET; OPTIONS * is the CORS preflight, which answers every path.
      if (method === 'HEAD' || method === 'OPTIONS') continue;
      routes.push({ method, url: route.url, pattern, bodyLimit: route.bodyLimit });
    }
  });
  return routes;
}

export function allowedMethods(routes: RegisteredRoute[], path: string): string[] {
  return [...new Set(routes.filter((r) => r.pattern.test(path)).map((r) => r.method))];
}
