export interface IpThrottleOptions {
  /** Failed sign-ins one address may make per window (default 30). */
  maxFailures?: number;
  /** Window length (default 15 min). */
  windowMs?: number;
  now?: () => number;
}

/**
 * Failed sign-ins per client address in a fixed window, in memory: it only
 * slows guessing across many names, and an HQ restart resetting it is
 * harmless because the per-operator lockout is durable (SignInLockout).
 */
export class IpThrottle {
  readonly #byIp = new Map<string, { count: number; since: number }>();
  readonly #o: Required<IpThrottleOptions>;

  constructor(options: IpThrottleOptions = {}) {
    this.#o = { maxFailures: 30, windowMs: 15 * 60_000, now: Date.now, ...options };
  }

  /** Seconds until `ip` may try again, or undefined when it may now. */
  retryAfterS(ip: string): number | undefined {
    const e = this.#byIp.get(ip);
    const now = this.#o.now();
    if (!e || now - e.since >= this.#o.windowMs) return undefined;
    return e.count >= this.#o.maxFailures ? Math.ceil((e.since + this.#o.windowMs - now) / 1000) : undefined;
  }

  fail(ip: string): void {
    const now = this.#o.now();
    const e = this.#byIp.get(ip);
    if (e && now - e.since < this.#o.windowMs) {
      e.count++;
      return;
    }
    // Bounded: a flood of addresses cannot grow the map without limit.
    if (this.#byIp.size >= 10_000)
      for (const [k, v] of this.#byIp) if (now - v.since >= this.#o.windowMs) this.#byIp.delete(k);
    if (this.#byIp.size >= 10_000) this.#byIp.clear();
    this.#byIp.set(ip, { count: 1, since: now });
  }
}
