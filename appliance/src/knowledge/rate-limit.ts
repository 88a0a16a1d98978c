/**
 * Fixed-window request counter per client address, for endpoints anyone on
 * the internet may call (the widget's KB search). Memory stays bounded: old
 * windows are dropped and at most `maxClients` addresses are tracked.
 */
export class RateLimiter {
  #limit: number;
  #windowMs: number;
  #maxClients: number;
  #now: () => number;
  #hits = new Map<string, { start: number; count: number }>();

  constructor(options: { limit: number; windowMs: number; maxClients?: number; now?: () => number }) {
    if (options.limit < 1) throw new RangeError(`Rate limit must be at least 1, got ${options.limit}`);
    this.#limit = options.limit;
    this.#windowMs = options.windowMs;
    this.#maxClients = options.maxClients ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /** Counts one request from `key`; returns the seconds to wait when over the limit, else 0. */
  take(key: string): number {
    const now = this.#now();
    let slot = this.#hits.get(key);
    if (!slot || now - slot.start >= this.#windowMs) {
      if (!slot && this.#hits.size >= this.#maxClients) this.#prune(now);
      slot = { start: now, count: 0 };
      this.#hits.set(key, slot);
    }
    slot.count++;
    if (slot.count <= this.#limit) return 0;
    return Math.max(1, Math.ceil((slot.start + this.#windowMs - now) / 1000));
  }

  #prune(now: number): void {
    for (const [k, s] of this.#hits) if (now - s.start >= this.#windowMs) this.#hits.delete(k);
    // Still full: forget the oldest entries rather than grow without bound.
    for (const k of this.#hits.keys()) {
      if (this.#hits.size < this.#maxClients) break;
      this.#hits.delete(k);
    }
  }
}
