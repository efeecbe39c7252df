// The real API for browser tests: the API's own test app (a fresh database cloned from the migrated
// template, see apps/api/src/test/app.ts) listening on 127.0.0.1. It is loaded at run time: a
// static import would pull apps/api's sources (nodenext, .ts specifiers) into the web app's
// type-check and its Next build.

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RealApi {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  server: Server;
  /** The running app's configuration (tests may adjust e.g. publicWebUrl once the web port is known). */
  config: { publicWebUrl: string };
  /** Every log line the API wrote (JSON), e.g. to see the client address it attributed a request to. */
  logs: string[];
  /** The app's ShopifyContext (opaque here): tests hand it to a job's function to do the worker's part in-process. */
  shopify: unknown;
  close(): Promise<void>;
}

interface ApiTestApp {
  app: { listen(opts: { port: number; host: string }): Promise<string>; server: Server; shopify: unknown };
  config: { publicWebUrl: string };
  logs: string[];
  close(): Promise<void>;
}

const API_TEST_APP = new URL('../../api/src/test/app.ts', import.meta.url).href;
const API_MODULE = (path: string) => new URL(`../../api/src/${path}`, import.meta.url).href;

interface Boss {
  stop(o: { graceful: boolean; timeout: number }): Promise<void>;
}

/**
 * `env` overrides configuration variables; `beforeListen` may hook the server (to watch traffic).
 * `worker`: the API sends its jobs to pg-boss and this process runs them as the worker would
 * (Shopify's webhooks, syncs, schedules), with webhooks registered at this API's address, so a
 * change made in the simulator reaches the copy as it would in production.
 */
export async function startRealApi(
  env: Record<string, string> = {},
  beforeListen?: (server: Server) => void,
  opts: { worker?: boolean } = {},
): Promise<RealApi> {
  const { createTestApp } = (await import(/* @vite-ignore */ API_TEST_APP)) as {
    createTestApp: (
      overrides: Record<string, string>,
      o?: { boss?: (database: { url: string }) => Promise<unknown> },
    ) => Promise<ApiTestApp>;
  };
  let boss: Boss | undefined;
  let listenPort = 0;
  let api: ApiTestApp;
  if (opts.worker) {
    const [{ freePort }, { startBoss }, { registerShopifyWebhookJobs }, { registerCatalogJobs }] = await Promise.all([
      import(/* @vite-ignore */ API_MODULE('db/embedded.ts')),
      import(/* @vite-ignore */ API_MODULE('jobs/boss.ts')),
      import(/* @vite-ignore */ API_MODULE('modules/shopify/webhooks.job.ts')),
      import(/* @vite-ignore */ API_MODULE('modules/catalog/sync.job.ts')),
    ]);
    listenPort = await freePort();
    api = await createTestApp(
      { SHOPIFY_WEBHOOK_BASE_URL: `http://127.0.0.1:${listenPort}`, ...env },
      { boss: async (database) => (boss = await startBoss(database.url)) },
    );
    await registerShopifyWebhookJobs(boss, api.app.shopify);
    await registerCatalogJobs(boss, api.app.shopify);
  } else {
    api = await createTestApp(env);
  }
  beforeListen?.(api.app.server);
  await api.app.listen({ port: listenPort, host: '127.0.0.1' });
  const { port } = api.app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server: api.app.server,
    config: api.config,
    logs: api.logs,
    shopify: api.app.shopify,
    // The worker stops before its database is dropped.
    close: async () => {
      await boss?.stop({ graceful: true, timeout: 10_000 });
      await api.close();
    },
  };
}
