// Shopify's GraphQL rate limit: a leaky bucket of cost points per app and shop. It refills continuously at
// the plan's restore rate up to 20× that rate; a query reserves its requested cost up front and gets the
// unused part back once the actual cost is known.

export type Plan = 'standard' | 'advanced' | 'plus' | 'enterprise';

export const RESTORE_RATES: Record<Plan, number> = { standard: 100, advanced: 200, plus: 1000, enterprise: 2000 };

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export class LeakyBucket {
  maximumAvailable: number;
  restoreRate: number;
  private available: number;
  private at: number;
  private readonly now: () => number;

  constructor(restoreRate: number, now: () => number, maximumAvailable = restoreRate * 20) {
    this.restoreRate = restoreRate;
    this.maximumAvailable = maximumAvailable;
    this.available = maximumAvailable;
    this.now = now;
    this.at = now();
  }

  private refill(): void {
    const t = this.now();
    const elapsed = Math.max(0, t - this.at) / 1000;
    this.available = Math.min(this.maximumAvailable, this.available + elapsed * this.restoreRate);
    this.at = t;
  }

  /** Reserves `cost` points, or returns false (and takes nothing) when the bucket can't cover it. */
  take(cost: number): boolean {
    this.refill();
    if (cost > this.available) return false;
    this.available -= cost;
    return true;
  }

  refund(points: number): void {
    this.refill();
    this.available = Math.min(this.maximumAvailable, this.available + Math.max(0, points));
  }

  /** Control: put the bucket at a given level (tests use it to start drained). */
  set(o: { currentlyAvailable?: number; restoreRate?: number; maximumAvailable?: number }): void {
    this.refill();
    if (o.restoreRate !== undefined) this.restoreRate = o.restoreRate;
    if (o.maximumAvailable !== undefined) this.maximumAvailable = o.maximumAvailable;
    if (o.currentlyAvailable !== undefined) this.available = o.currentlyAvailable;
    this.available = Math.min(this.available, this.maximumAvailable);
  }

  status(): ThrottleStatus {
    this.refill();
    return {
      maximumAvailable: this.maximumAvailable,
      currentlyAvailable: Math.floor(this.available),
      restoreRate: this.restoreRate,
    };
  }
}
