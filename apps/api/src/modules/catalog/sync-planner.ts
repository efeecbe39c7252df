// `auto`: the faster path from what is known before reading (docs/shopify.md §3, §5). Paging costs
// points the store's bucket refills at its restore rate; a bulk operation costs none but has a
// fixed latency (Shopify prepares the file, we poll, then download). A catalog that fits in the
// bucket finishes in seconds by paging; a large one goes bulk.

export interface PlanInput {
  scope: 'full' | 'incremental';
  type: 'products' | 'inventory';
  /** Products (and variants) the run will read: the store's counts, or those changed since the watermark. */
  products: number;
  variants: number;
  activeLocations: number;
  throttle: { maximumAvailable: number; currentlyAvailable: number; restoreRate: number } | null;
}

/** Shopify's media and stock averages are unknown before reading: these are what merchants' catalogs show. */
const MEDIA_PER_PRODUCT = 2.5;
const STOCKED_SHARE = 0.8;
/** A bulk operation's fixed cost: starting, Shopify preparing the file, our polling, the download's start. */
export const BULK_FIXED_SECONDS = 15;
/** Lines a second we parse and write from a bulk file (measured by the sync-bulk benchmark, rounded down). */
const BULK_LINES_PER_SECOND = 10_000;
/** Round trip plus the write of one page, when the bucket is not what we wait for. */
const SECONDS_PER_REQUEST = 0.08;

export interface Plan {
  path: 'bulk' | 'paginated';
  reason: string;
  estimatedPoints: number;
  estimatedSeconds: { paginated: number; bulk: number };
}

export function estimatePoints(input: PlanInput): { points: number; requests: number } {
  const levels = input.variants * Math.max(1, input.activeLocations) * STOCKED_SHARE;
  const perVariant = input.products > 0 ? input.variants / input.products : 0;
  const productPoints = input.type === 'products' ? input.products * (6 + 2 * MEDIA_PER_PRODUCT + 3 * perVariant) : 0;
  const levelPoints = levels * 2 + 3 * Math.ceil(levels / 250);
  const requests =
    (input.type === 'products' ? Math.ceil(input.products / 15) : 0) + Math.ceil(levels / 250) + input.activeLocations;
  return { points: Math.round(productPoints + levelPoints), requests };
}

export function planSync(input: PlanInput, mode: 'auto' | 'bulk' | 'paginated'): Plan {
  const { points, requests } = estimatePoints(input);
  const restore = input.throttle?.restoreRate ?? 100;
  const available = input.throttle?.currentlyAvailable ?? 0;
  const paginated = Math.max(0, points - available) / restore + requests * SECONDS_PER_REQUEST;
  const lines = input.products * (1 + MEDIA_PER_PRODUCT) + input.variants * (1 + STOCKED_SHARE * input.activeLocations);
  const bulk = BULK_FIXED_SECONDS + lines / BULK_LINES_PER_SECOND;
  const estimatedSeconds = { paginated: Math.round(paginated * 10) / 10, bulk: Math.round(bulk * 10) / 10 };
  const figures = `about ${points} points at ${restore}/s with ${Math.round(available)} in the bucket: paging ≈ ${estimatedSeconds.paginated} s, bulk ≈ ${estimatedSeconds.bulk} s`;
  if (input.type === 'inventory') {
    // The export reads products; stock alone is cheaper by location pages.
    return { path: 'paginated', reason: `inventory only: ${figures}`, estimatedPoints: points, estimatedSeconds };
  }
  if (mode !== 'auto')
    return { path: mode, reason: `asked for ${mode} (${figures})`, estimatedPoints: points, estimatedSeconds };
  const path = bulk < paginated ? 'bulk' : 'paginated';
  return {
    path,
    reason: `${input.products} products, ${input.variants} variants, ${input.activeLocations} locations: ${figures}`,
    estimatedPoints: points,
    estimatedSeconds,
  };
}
