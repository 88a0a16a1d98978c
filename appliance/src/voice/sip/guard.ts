/**
 * Per-source rate limits and a block list. Scanners and brute-forcers send from
 * one address; counting per IP keeps the cost of a flood on the flooder.
 */
export interface GuardOptions {
  /** Requests per source per window before further ones are dropped (and the source blocked). */
  maxRequestsPerWindow?: number;
  /**
   * Budget of a configured trunk's own traffic (calls, in-dialog requests, responses):
   * apart from the anonymous budget, so phones or scanners behind the carrier's
   * address cannot starve its calls.
   */
  maxTrunkRequestsPerWindow?: number;
  windowMs?: number;
  /** Failed authentications per source per window before the source is blocked. */
  maxAuthFailures?: number;
  blockMs?: number;
  /** How long a source that exceeded its request budget stays blocked. */
  floodBlockMs?: number;
  now?: () => number;
  /** Called once when a source is blocked or a trunk goes over its budget (once per window): the audit hook. */
  onBlocked?: (b: BlockedSource) => void;
}

export type BlockReason = 'auth_failures' | 'flood' | 'trunk_flood' | 'manual';

export interface BlockedSource {
  source: string;
  reason: BlockReason;
  since: number;
  until: number;
  /** Requests counted in the window that tripped the block. */
  requests: number;
}

/** `anonymous`: anything not known to be a configured trunk's own traffic. */
export type TrafficClass = 'anonymous' | 'trunk';

interface Counter {
  start: number;
  requests: number;
  trunkRequests: number;
  trunkReported: boolean;
  failures: number;
}

export class SourceGuard {
  #counters = new Map<string, Counter>();
  #blocked = new Map<string, BlockedSource>();
  #opts: Required<Omit<GuardOptions, 'now' | 'onBlocked'>>;
  #now: () => number;
  #onBlocked: ((b: BlockedSource) => void) | undefined;

  constructor(options: GuardOptions = {}) {
    this.#opts = {
      maxRequestsPerWindow: options.maxRequestsPerWindow ?? 200,
      maxTrunkRequestsPerWindow: options.maxTrunkRequestsPerWindow ?? 5000,
      windowMs: options.windowMs ?? 10_000,
      maxAuthFailures: options.maxAuthFailures ?? 10,
      blockMs: options.blockMs ?? 15 * 60_000,
      floodBlockMs: options.floodBlockMs ?? 60_000,
    };
    this.#now = options.now ?? Date.now;
    this.#onBlocked = options.onBlocked;
  }

  /** Sets the audit hook after construction (the stack wires the bus once it exists). */
  set onBlocked(f: ((b: BlockedSource) => void) | undefined) {
    this.#onBlocked = f;
  }

  isBlocked(ip: string): boolean {
    const b = this.#blocked.get(ip);
    if (b === undefined) return false;
    if (b.until > this.#now()) return true;
    this.#blocked.delete(ip);
    return false;
  }

  /**
   * False when the request is to be dropped. Anonymous traffic: the source is blocked or
   * over its budget; going over blocks it for `floodBlockMs` (reported once). A trunk's own
   * traffic counts against the trunk budget only and is never blocked, just dropped past it.
   */
  admit(ip: string, traffic: TrafficClass = 'anonymous'): boolean {
    if (traffic === 'trunk') {
      const c = this.#counter(ip);
      c.trunkRequests++;
      if (c.trunkRequests <= this.#opts.maxTrunkRequestsPerWindow) return true;
      if (!c.trunkReported) {
        c.trunkReported = true;
        this.#report({
          source: ip,
          reason: 'trunk_flood',
          since: this.#now(),
          until: c.start + this.#opts.windowMs,
          requests: c.trunkRequests,
        });
      }
      return false;
    }
    if (this.isBlocked(ip)) return false;
    const c = this.#counter(ip);
    c.requests++;
    if (c.requests <= this.#opts.maxRequestsPerWindow) return true;
    this.block(ip, { reason: 'flood', ms: this.#opts.floodBlockMs, requests: c.requests });
    return false;
  }

  /** Returns true when this failure got the source blocked. */
  authFailed(ip: string): boolean {
    const c = this.#counter(ip);
    c.failures++;
    if (c.failures >= this.#opts.maxAuthFailures && !this.isBlocked(ip)) {
      this.block(ip, { reason: 'auth_failures', requests: c.requests });
      return true;
    }
    return false;
  }

  block(ip: string, o: { reason?: BlockReason; ms?: number; requests?: number } = {}): BlockedSource {
    const now = this.#now();
    const b: BlockedSource = {
      source: ip,
      reason: o.reason ?? 'manual',
      since: now,
      until: now + (o.ms ?? this.#opts.blockMs),
      requests: o.requests ?? 0,
    };
    this.#blocked.set(ip, b);
    if (b.reason !== 'manual') this.#report(b);
    return b;
  }

  /** Releases a source: unblocked, its counters reset. False when it was not blocked. */
  unblock(ip: string): boolean {
    const was = this.isBlocked(ip);
    this.#blocked.delete(ip);
    this.#counters.delete(ip);
    return was;
  }

  /** Addresses blocked now. */
  blocked(): string[] {
    return this.list().map((b) => b.source);
  }

  /** Blocked sources now, with why and until when. */
  list(): BlockedSource[] {
    return [...this.#blocked.keys()]
      .filter((ip) => this.isBlocked(ip))
      .map((ip) => ({ ...this.#blocked.get(ip)! }));
  }

  #report(b: BlockedSource): void {
    try {
      this.#onBlocked?.({ ...b });
    } catch {
      // the hook is an observer: a failing listener never changes what is admitted
    }
  }

  #counter(ip: string): Counter {
    const now = this.#now();
    let c = this.#counters.get(ip);
    if (!c || now - c.start > this.#opts.windowMs) {
      c = {
        start: now,
        requests: 0,
        trunkRequests: 0,
        trunkReported: false,
        failures: c && now - c.start <= this.#opts.windowMs * 6 ? c.failures : 0,
      };
      this.#counters.set(ip, c);
      if (this.#counters.size > 50_000) this.#counters.clear();
    }
    return c;
  }
}
