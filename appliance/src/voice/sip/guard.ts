/**
 * Per-source rate limits and a block list. Scanners and brute-forcers send from
 * one address; counting per IP keeps the cost of a flood on the flooder.
 */
export interface GuardOptions {
  /** Requests per source per window before further ones are dropped. */
  maxRequestsPerWindow?: number;
  windowMs?: number;
  /** Failed authentications per source per window before the source is blocked. */
  maxAuthFailures?: number;
  blockMs?: number;
  now?: () => number;
}

interface Counter {
  start: number;
  requests: number;
  failures: number;
}

export class SourceGuard {
  #counters = new Map<string, Counter>();
  #blocked = new Map<string, number>();
  #opts: Required<Omit<GuardOptions, 'now'>>;
  #now: () => number;

  constructor(options: GuardOptions = {}) {
    this.#opts = {
      maxRequestsPerWindow: options.maxRequestsPerWindow ?? 200,
      windowMs: options.windowMs ?? 10_000,
      maxAuthFailures: options.maxAuthFailures ?? 10,
      blockMs: options.blockMs ?? 15 * 60_000,
    };
    this.#now = options.now ?? Date.now;
  }

  isBlocked(ip: string): boolean {
    const until = this.#blocked.get(ip);
    if (until === undefined) return false;
    if (until > this.#now()) return true;
    this.#blocked.delete(ip);
    return false;
  }

  /** False when the source is blocked or over its request budget. */
  admit(ip: string): boolean {
    if (this.isBlocked(ip)) return false;
    const c = this.#counter(ip);
    c.requests++;
    return c.requests <= this.#opts.maxRequestsPerWindow;
  }

  /** Returns true when this failure got the source blocked. */
  authFailed(ip: string): boolean {
    const c = this.#counter(ip);
    c.failures++;
    if (c.failures >= this.#opts.maxAuthFailures) {
      this.block(ip);
      return true;
    }
    return false;
  }

  block(ip: string, ms = this.#opts.blockMs): void {
    this.#blocked.set(ip, this.#now() + ms);
  }

  unblock(ip: string): void {
    this.#blocked.delete(ip);
    this.#counters.delete(ip);
  }

  blocked(): string[] {
    return [...this.#blocked.keys()].filter((ip) => this.isBlocked(ip));
  }

  #counter(ip: string): Counter {
    const now = this.#now();
    let c = this.#counters.get(ip);
    if (!c || now - c.start > this.#opts.windowMs) {
      c = {
        start: now,
        requests: 0,
        failures: c && now - c.start <= this.#opts.windowMs * 6 ? c.failures : 0,
      };
      this.#counters.set(ip, c);
      if (this.#counters.size > 50_000) this.#counters.clear();
    }
    return c;
  }
}
