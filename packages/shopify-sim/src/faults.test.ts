import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ShopifySim, startShopifySim } from './index.ts';
import { adminRequest } from './testing.ts';

let sim: ShopifySim;
beforeAll(async () => {
  sim = await startShopifySim({ seed: 31 });
});
afterAll(() => sim.close());

async function outcome(domain: string, token: string): Promise<string> {
  try {
    const r = await adminRequest(sim.origin, { domain, token }, '{ shop { id } }');
    return r.status === 429 ? `429:${r.headers.get('retry-after')}` : String(r.status);
  } catch {
    return 'reset';
  }
}

describe('faults', () => {
  it('appear at roughly the configured rates, with Retry-After on 429 and counted in stats', async () => {
    const shop = sim.addShop({ domain: 'faulty.myshopify.com', products: 1, plan: 'enterprise' });
    sim.faults(shop.domain, {
      error500: 0.1,
      error502: 0.05,
      error503: 0.1,
      error429: 0.1,
      retryAfterSeconds: 3,
      reset: 0.05,
    });
    const seen: Record<string, number> = {};
    const N = 300;
    for (let i = 0; i < N; i++) {
      const o = await outcome(shop.domain, shop.accessToken as string);
      seen[o] = (seen[o] ?? 0) + 1;
    }
    const rate = (k: string) => (seen[k] ?? 0) / N;
    expect(rate('500')).toBeGreaterThan(0.04);
    expect(rate('500')).toBeLessThan(0.16);
    expect(rate('502')).toBeGreaterThan(0.01);
    expect(rate('502')).toBeLessThan(0.09);
    expect(rate('503')).toBeGreaterThan(0.04);
    expect(rate('503')).toBeLessThan(0.16);
    expect(rate('429:3')).toBeGreaterThan(0.04);
    expect(rate('429:3')).toBeLessThan(0.16);
    expect(rate('reset')).toBeGreaterThan(0.01);
    expect(rate('reset')).toBeLessThan(0.09);
    expect(rate('200')).toBeGreaterThan(0.5);
    const stats = shop.stats();
    expect(stats.faults).toMatchObject({
      '500': seen['500'],
      '502': seen['502'],
      '503': seen['503'],
      '429': seen['429:3'],
      reset: seen.reset,
    });
    expect(stats.requests).toBe(N);
    // Failed requests cost no points.
    expect(stats.pointsUsed).toBe(seen['200']);
  });

  it('are deterministic: the same configuration replays the same sequence', async () => {
    const shop = sim.addShop({ domain: 'faulty-seq.myshopify.com', products: 1, plan: 'enterprise' });
    const config = { error500: 0.3, error503: 0.2 };
    const run = async () => {
      sim.faults(shop.domain, config);
      const out: string[] = [];
      for (let i = 0; i < 30; i++) out.push(await outcome(shop.domain, shop.accessToken as string));
      return out;
    };
    const a = await run();
    const b = await run();
    expect(b).toEqual(a);
    expect(new Set(a).size).toBeGreaterThan(1);
  });

  it('apply to every shop with "*" and clear with {}', async () => {
    const shop = sim.addShop({ domain: 'faulty-all.myshopify.com', products: 1 });
    sim.faults('*', { error503: 1 });
    expect(await outcome(shop.domain, shop.accessToken as string)).toBe('503');
    sim.faults('*', {});
    expect(await outcome(shop.domain, shop.accessToken as string)).toBe('200');
  });

  it('slow answers take at least slowMs', async () => {
    const shop = sim.addShop({ domain: 'faulty-slow.myshopify.com', products: 1 });
    sim.faults(shop.domain, { slowMs: 150, slowProbability: 1 });
    const t = performance.now();
    expect(await outcome(shop.domain, shop.accessToken as string)).toBe('200');
    expect(performance.now() - t).toBeGreaterThanOrEqual(145);
    expect(shop.stats().faults.slow).toBe(1);
    sim.faults(shop.domain, {});
  });
});
