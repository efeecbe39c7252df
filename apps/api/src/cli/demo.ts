import { parseArgs } from 'node:util';
import type { ShopHandle, ShopifySim } from '@invpro/shopify-sim';
import { loadConfig } from '../config.ts';
import { type RunningSystem, runSystem } from './launcher.ts';

// `npm run demo` (`invpro demo`): a simulated Shopify store, the whole system exactly as `npm start`
// runs it pointed at that store, a demo organization connected to it and synced through the public
// API, and a store that keeps changing a little, so webhooks arrive while someone looks around.

export const DEMO_STORE = {
  domain: 'invpro-demo.myshopify.com',
  name: 'InvPro360 Demo Store',
  products: 2000,
  locations: 3,
  plan: 'plus',
  // Fixed, because the simulator forgets everything when it stops: a second run's simulator must
  // accept the credentials the database kept from the first.
  accessToken: 'shpat_invpro360_demo_0123456789abcdef',
  apiKey: 'invpro360_demo_api_key',
  apiSecret: 'invpro360_demo_api_secret_0123456789',
} as const;

export const DEMO_LOGIN = {
  username: 'demo',
  email: 'demo@example.com',
  password: 'cobalt-lantern-orchard-47',
  organization: 'Demo Store Co.',
} as const;

const HELP = `Usage: npm run demo [-- options]

  --no-web          skip the web app (API, worker and simulator only)
  --change-every S  seconds between two changes of the store (default 10)
  --sim-port N      the simulator's port (default: a free one)
  --help`;

const say = (message: string) => console.log(`[demo] ${message}`);
const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });

export async function commandDemo(args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      'no-web': { type: 'boolean', default: false },
      'change-every': { type: 'string', default: '10' },
      'sim-port': { type: 'string', default: '0' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const changeEveryMs = Number(values['change-every']) * 1000;
  if (!(changeEveryMs >= 1000)) throw new Error('--change-every takes a number of seconds, at least 1.');

  // Data of its own, so the demo never touches what `npm start` keeps under ./.data.
  process.env.DATA_DIR ??= './.data/demo';
  const config = loadConfig();
  // Loaded only here: `invpro start` never needs the simulator (a development dependency).
  const { startShopifySim } = await import('@invpro/shopify-sim');
  const sim = await startShopifySim({ port: Number(values['sim-port']), seed: 360 });
  const shop = sim.addShop({ ...DEMO_STORE });
  say(`simulated Shopify at ${sim.origin}: ${DEMO_STORE.domain}, ${DEMO_STORE.products} products`);
  process.env.SHOPIFY_API_ORIGIN = sim.origin;
  process.env.SHOPIFY_WEBHOOK_BASE_URL = `http://127.0.0.1:${config.apiPort}`;

  const aborted = new AbortController();
  let changes: StoreChanges | undefined;
  await runSystem(values['no-web'] ? ['--no-web'] : [], {
    ready: async (system) => {
      await setUp(system, sim, aborted.signal);
      changes = startChanges(shop, changeEveryMs);
    },
    beforeStop: async () => {
      aborted.abort(new Error('stopping'));
      changes?.stop();
    },
    afterStop: async () => {
      await sim.close();
      say('simulator stopped');
    },
  });
}

interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: JSON from our own API, read field by field
  body: any;
}

function apiClient(apiUrl: string, signal: AbortSignal) {
  let access: string | undefined;
  const call = async (method: string, path: string, body?: unknown): Promise<Answer> => {
    const res = await fetch(`${apiUrl}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(access ? { authorization: `Bearer ${access}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  /** The answer's body when its status is one of `want`; otherwise the API's own `detail`, thrown. */
  const need = (what: string, want: number[], got: Answer) => {
    if (!want.includes(got.status))
      throw new Error(`${what} failed (${got.status}): ${got.body?.detail ?? 'no detail'}`);
    return got.body;
  };
  return {
    call,
    need,
    send: async (what: string, want: number[], method: string, path: string, body?: unknown) =>
      need(what, want, await call(method, path, body)),
    signIn: (token: string) => {
      access = token;
    },
  };
}

/** Through the public API only: the demo login, the connected store, and its first full sync. */
async function setUp(system: RunningSystem, sim: ShopifySim, signal: AbortSignal) {
  const api = apiClient(system.apiUrl, signal);
  // Log in first: registering again would count against the per-address sign-up limit on every run.
  const { username, email, password, organization } = DEMO_LOGIN;
  const login = await api.call('POST', '/api/auth/login/', { username, password });
  if (login.status === 401) {
    const body = { username, email, password, organization };
    api.signIn((await api.send('Registering the demo login', [201], 'POST', '/api/auth/register/', body)).access);
    say(`registered the demo login "${username}" in a new organization, ${organization}`);
  } else {
    api.signIn(api.need('Logging in as the demo user', [200], login).access);
    say(`logged in as "${username}" (kept from an earlier run)`);
  }

  // The simulator forgot the last run's edits; a full sync over the old copy would have to
  // reconcile them (slow: over a minute for this store), while a first import into an empty copy takes
  // seconds. So a later run starts the store over: disconnect it with its data, then connect again.
  const status = await api.send('Reading the stores', [200], 'GET', '/api/shopify/status/');
  const earlier = status.stores.find((s: { shop_domain: string }) => s.shop_domain === DEMO_STORE.domain);
  if (earlier) {
    await api.send(
      "Disconnecting the last run's store",
      [200, 204],
      'POST',
      `/api/shopify/connections/${earlier.id}/disconnect/`,
      { delete_data: true },
    );
    say(`removed the last run's copy of ${DEMO_STORE.domain}`);
  }
  const connection = await api.send('Connecting the demo store', [201], 'POST', '/api/shopify/connect/', {
    store_url: DEMO_STORE.domain,
    api_key: DEMO_STORE.apiKey,
    api_secret: DEMO_STORE.apiSecret,
    access_token: DEMO_STORE.accessToken,
  });
  say(`connected ${DEMO_STORE.domain} (webhooks: ${connection.webhooks.state})`);

  await firstSync(api, connection.id, signal);
  const products = await api.send(
    'Counting the products',
    [200],
    'GET',
    `/api/shopify/products/?store=${connection.id}&page_size=1`,
  );
  const line = '─'.repeat(64);
  say(line);
  say('InvPro360 demo is ready');
  say(`  Web app    ${system.webUrl ?? '(skipped: --no-web)'}`);
  say(`  Log in     username ${username}  password ${password}  (email ${email})`);
  say(`  Store      ${DEMO_STORE.domain}: ${products.count} products on ${DEMO_STORE.locations} locations, synced`);
  say(`  API        ${system.apiUrl}/api/docs`);
  say(`  Simulator  ${sim.origin}/_sim (its control API)`);
  say(line);
}

/** Waits for the store's first sync to succeed, printing its progress. */
async function firstSync(api: ReturnType<typeof apiClient>, store: string, signal: AbortSignal) {
  // Connecting queued it already: asking again answers that run (200) once it exists, or queues it.
  let run = await api.send('Starting the sync', [200, 202], 'POST', '/api/shopify/sync/', {
    type: 'products',
    store,
    scope: 'full',
  });
  let shown = '';
  while (run.state === 'queued' || run.state === 'running') {
    const done = `${run.progress.done}${run.progress.total === null ? '' : ` of ${run.progress.total}`} done`;
    const phase = run.phase && run.phase !== run.state ? `, ${run.phase}` : '';
    const progress = `sync ${run.state}${phase}: ${done}`;
    if (progress !== shown) say(progress);
    shown = progress;
    await sleep(1000, signal);
    run = await api.send('Reading the sync', [200], 'GET', `/api/shopify/sync/runs/${run.id}/`);
  }
  if (run.state !== 'succeeded') {
    throw new Error(`The sync ${run.state}: ${run.errors.at(-1)?.message ?? 'no error recorded'}`);
  }
  const c = run.counts.products;
  say(`sync succeeded: ${c.created} products created, ${c.updated} updated, ${c.unchanged} unchanged`);
}

interface StoreChanges {
  stop(): void;
}

/**
 * Changes the store every `everyMs`, a product edit and a stock move in turn, as a merchant would in
 * Shopify's admin; each arrives at our API as a webhook.
 */
function startChanges(shop: ShopHandle, everyMs: number): StoreChanges {
  const catalog = shop.catalog();
  const originals = new Map<string, string>();
  let count = 0;
  const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)]!;

  const editProduct = () => {
    const { id } = pick(catalog);
    const product = shop.product(id)!;
    const original = originals.get(id) ?? product.title;
    originals.set(id, original);
    const title = `${original} (demo edit ${count})`;
    shop.updateProduct(id, { title });
    say(`store: renamed product ${product.legacyResourceId} to "${title}"`);
  };

  // Variants stocked at two locations or more: stock can move between them.
  const movable = catalog.flatMap((p) =>
    p.variants
      .filter((v) => v.inventoryItem.tracked && v.inventoryItem.inventoryLevels.length > 1)
      .map((v) => ({ productId: p.id, variantId: v.id })),
  );

  const moveStock = () => {
    const { productId, variantId } = pick(movable);
    const product = shop.product(productId)!;
    const variant = product.variants.find((v) => v.id === variantId)!;
    const levels = variant.inventoryItem.inventoryLevels;
    const from = levels.reduce((a, b) => (b.quantities.available > a.quantities.available ? b : a));
    const to = pick(levels.filter((l) => l !== from));
    const units = Math.min(from.quantities.available, 1 + Math.floor(Math.random() * 5));
    if (units <= 0) return;
    const inventoryItemId = variant.inventoryItem.id;
    shop.setInventory({ inventoryItemId, locationId: from.location.id, quantity: from.quantities.available - units });
    shop.setInventory({ inventoryItemId, locationId: to.location.id, quantity: to.quantities.available + units });
    const what = variant.sku ?? `${product.title} / ${variant.title}`;
    say(`store: moved ${units} × ${what} from ${from.location.name} to ${to.location.name}`);
  };

  const change = () => {
    count++;
    try {
      if (count % 2 === 1) editProduct();
      else moveStock();
    } catch (err) {
      // The demo goes on: one change that failed is not worth stopping the system for.
      say(`store: a change failed (${err instanceof Error ? err.message : String(err)})`);
    }
  };
  change();
  const timer = setInterval(change, everyMs);
  return { stop: () => clearInterval(timer) };
}
