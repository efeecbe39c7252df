import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Sim } from './sim.ts';
import type { FaultConfig, ShopState } from './state.ts';

// Injected failures for the Admin API, drawn from the shop's seeded generator so a test run is repeatable.
// One draw picks at most one of 500/502/503/429/reset by their probabilities; "slow" is drawn separately
// and delays whatever answer follows.

export type FaultOutcome =
  | { kind: 'none'; delayMs: number }
  | { kind: '500' | '502' | '503' | '429' | 'reset'; delayMs: number };

export function drawFault(sim: Sim, shop: ShopState | undefined): FaultOutcome {
  const f: FaultConfig | null = shop?.faults ?? sim.globalFaults;
  if (!f) return { kind: 'none', delayMs: 0 };
  const rng = shop?.faultRng;
  const next = () => (rng ? rng.next() : Math.random());
  const slow = (f.slowMs ?? 0) > 0 && next() < (f.slowProbability ?? 1) ? (f.slowMs ?? 0) : 0;
  const u = next();
  let acc = 0;
  for (const [kind, p] of [
    ['500', f.error500],
    ['502', f.error502],
    ['503', f.error503],
    ['429', f.error429],
    ['reset', f.reset],
  ] as const) {
    acc += p ?? 0;
    if (u < acc) return { kind, delayMs: slow };
  }
  return { kind: 'none', delayMs: slow };
}

/** Writes the failure the way Shopify's edge does; returns false when there is none. */
export function applyFault(
  outcome: FaultOutcome,
  f: FaultConfig | null,
  req: IncomingMessage,
  res: ServerResponse,
): boolean {
  switch (outcome.kind) {
    case 'none':
      return false;
    case 'reset':
      req.socket.destroy();
      return true;
    case '429':
      res.writeHead(429, {
        'Content-Type': 'application/json; charset=utf-8',
        'Retry-After': String(f?.retryAfterSeconds ?? 2),
      });
      res.end(
        JSON.stringify({
          errors: 'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.',
        }),
      );
      return true;
    case '500':
      res.writeHead(500, { 'Content-Type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ errors: 'Internal Server Error' }));
      return true;
    case '502':
      res.writeHead(502, { 'Content-Type': 'text/html' });
      res.end('<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>');
      return true;
    case '503':
      res.writeHead(503, { 'Content-Type': 'application/json; charset=utf-8', 'Retry-After': '1' });
      res.end(JSON.stringify({ errors: 'Unavailable Shop' }));
      return true;
  }
}
