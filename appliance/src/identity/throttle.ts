export interface ThrottleOptions {
  /** Attempts allowed in a burst; default 20. */
  capacity?: number;
  /** Tokens restored per minute; default 20. */
  perMinute?: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Per-key token bucket (key = client IP). Memory is bounded: once the map is
 * large, buckets that have refilled completely carry no state and are dropped.
 */
export class Throttle {
  #buckets = new Map<string, Bucket>();
  #capacity: number;
  #perMs: number;
  #now: () => number;

  constructor(options: ThrottleOptions = {}) {
    this.#capacity = options.capacity ?? 20;
    this.#perMs = (options.perMinute ?? 20) / 60_000;
    this.#now = options.now ?? Date.now;
  }

  /** True when `key` has a token left (nothing is spent). */
  allows(key: string): boolean {
    const b = this.#buckets.get(key);
    if (!b) return true;
    return Math.min(this.#capacity, b.tokens + (this.#now() - b.at) * this.#perMs) >= 1;
  }

  /** Takes one token for `key`; false when the bucket is empty. */
  take(key: string): boolean {
    const now = this.#now();
    const b = this.#buckets.get(key) ?? { tokens: this.#capacity, at: now };
    b.tokens = Math.min(this.#capacity, b.tokens + (now - b.at) * this.#perMs);
    b.at = now;
    if (this.#buckets.size > 10_000) this.#prune(now);
    if (b.tokens < 1) {
      this.#buckets.set(key, b);
      return false;
    }
    b.tokens -= 1;
    this.#buckets.set(key, b);
    return true;
  }

  #prune(now: number): void {
    for (const [k, b] of this.#buckets) {
      if (b.tokens + (now - b.at) * this.#perMs >= this.#capacity) this.#buckets.delete(k);
    }
  }
}
