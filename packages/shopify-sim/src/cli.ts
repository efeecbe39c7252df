import { parseArgs } from 'node:util';
import { startShopifySim } from './index.ts';
import type { Plan } from './throttle.ts';

// npm run sim -- --port 4100 --shop demo.myshopify.com --products 500 --token shpat_demo --secret demo_secret
// Starts a standalone sim, adds the shops, prints SHOPIFY_API_ORIGIN and each shop's credentials, and runs
// until interrupted. Drive it further through the /_sim control API.

const HELP = `Usage: npm run sim -- [options]

  --port N              port to listen on (default 4100; 0 picks a free one)
  --host H              interface (default 127.0.0.1)
  --seed N              catalog and fault seed (default 1)
  --shop DOMAIN         add a shop (repeatable), e.g. demo.myshopify.com
  --products N          products per shop (default 500)
  --locations N         locations per shop, 1-5 (default 2)
  --plan P              standard | advanced | plus | enterprise (default standard)
  --scopes LIST         comma-separated scopes of the shop's own app
  --token T             access token of the first shop's own app (default generated)
  --api-key K           client id of the first shop's own app (default generated)
  --secret S            api secret of the first shop's own app; signs its webhooks (default generated)
  --app-client-id ID    register the public OAuth app
  --app-client-secret S its client secret
  --webhook-delay MS    delay before delivering each webhook
  --json                print one JSON line instead of text
  --help`;

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4100' },
    host: { type: 'string', default: '127.0.0.1' },
    seed: { type: 'string', default: '1' },
    shop: { type: 'string', multiple: true },
    products: { type: 'string', default: '500' },
    locations: { type: 'string', default: '2' },
    plan: { type: 'string', default: 'standard' },
    scopes: { type: 'string' },
    token: { type: 'string' },
    'api-key': { type: 'string' },
    secret: { type: 'string' },
    'app-client-id': { type: 'string' },
    'app-client-secret': { type: 'string' },
    'webhook-delay': { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(HELP);
  process.exit(0);
}

const plan = values.plan as Plan;
if (!['standard', 'advanced', 'plus', 'enterprise'].includes(plan)) {
  console.error(`--plan must be standard, advanced, plus or enterprise`);
  process.exit(2);
}

const sim = await startShopifySim({
  port: Number(values.port),
  host: values.host,
  seed: Number(values.seed),
  webhookDelayMs: values['webhook-delay'] ? Number(values['webhook-delay']) : undefined,
});

if (values['app-client-id'] && values['app-client-secret']) {
  sim.registerApp({
    clientId: values['app-client-id'],
    clientSecret: values['app-client-secret'],
    scopes: values.scopes?.split(','),
  });
}

const shops = (values.shop ?? []).map((domain, i) =>
  sim.addShop({
    domain,
    plan,
    products: Number(values.products),
    locations: Number(values.locations),
    scopes: values.scopes?.split(','),
    ...(i === 0 ? { accessToken: values.token, apiKey: values['api-key'], apiSecret: values.secret } : {}),
  }),
);

if (values.json) {
  console.log(JSON.stringify({ origin: sim.origin, shops: shops.map((s) => s.credentials()) }));
} else {
  console.log(`shopify-sim listening on ${sim.origin}`);
  console.log(`SHOPIFY_API_ORIGIN=${sim.origin}`);
  for (const s of shops) {
    const c = s.credentials();
    console.log(`\nshop ${c.domain}  (${c.products} products, ${c.locations.length} locations, plan ${c.plan})`);
    console.log(`  access token: ${c.accessToken}`);
    console.log(`  api key:      ${c.apiKey}`);
    console.log(`  api secret:   ${c.apiSecret}`);
    console.log(`  scopes:       ${c.scopes.join(',')}`);
  }
  if (values['app-client-id']) console.log(`\nOAuth app ${values['app-client-id']} registered`);
  console.log(`\ncontrol API: ${sim.origin}/_sim  (Ctrl-C to stop)`);
}

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  void sim.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
